# Replaces PyInstaller's hook for PySide6.QtNetwork, as hook-PySide6.QtGui.py does for QtGui: the same collection,
# minus the plugins the app does not ship (build_scripts/qt_prune.py: no TLS backend, since mail goes through Python's
# ssl; on Linux no network-state backend), so their dependencies (GLib's gio for libqglib, …) are never collected.
# Nor are the OpenSSL libraries PyInstaller adds for Qt's TLS backend: without that plugin nothing of Qt loads them.
from PyInstaller.utils.hooks.qt import add_qt6_dependencies
from qt_prune import keep_hook_entry  # build_scripts/ is on sys.path (nq57desk.spec puts it there)

hiddenimports, binaries, datas = add_qt6_dependencies(__file__)
binaries = [b for b in binaries if keep_hook_entry(b)]
datas = [d for d in datas if keep_hook_entry(d)]
