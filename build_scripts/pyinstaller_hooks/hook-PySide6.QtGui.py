# Replaces PyInstaller's hook for PySide6.QtGui (hooks in hookspath take precedence): same collection, minus the
# plugins a QtWidgets app does not need (build_scripts/qt_prune.py), so their dependencies are never collected.
from PyInstaller.utils.hooks.qt import add_qt6_dependencies
from qt_prune import keep_hook_entry  # build_scripts/ is on sys.path (nq57desk.spec puts it there)

hiddenimports, binaries, datas = add_qt6_dependencies(__file__)
binaries = [b for b in binaries if keep_hook_entry(b)]
datas = [d for d in datas if keep_hook_entry(d)]
