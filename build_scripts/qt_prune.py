"""Which collected Qt files the frozen app keeps: a QtWidgets app needs a handful of Qt's plugins and no translations.

Used twice by nq57desk.spec: by the QtGui and QtNetwork hooks in pyinstaller_hooks/ (so dropped plugins are never
analysed and their dependencies, such as GTK for the GTK theme plugin or GLib's gio for the network-state plugin,
never collected), and as a last filter over everything the analysis collected (which also leaves out SYSTEM_LIBS).
"""

from __future__ import annotations

from pathlib import PurePosixPath

# Plugin kind → plugin names kept (without "lib" and suffix); None keeps every plugin of the kind; a kind not listed
# is dropped entirely (generic, egldeviceintegrations, wayland-*, tls, sqldrivers, qmltooling …).
# Windows: the native platform and the Windows 10/11 style; offscreen for the CI self-test.
# Linux (CI builds only): xcb, offscreen, input methods (IBus: Vietnamese typing), CUPS printing.
KEEP_PLUGINS: dict[str, set[str] | None] = {
    "platforms": {"qwindows", "qoffscreen", "qxcb", "qminimal"},
    "imageformats": {"qsvg", "qico", "qjpeg"},  # PNG is built into QtGui
    "iconengines": {"qsvgicon"},
    "printsupport": None,
    "styles": None,  # qmodernwindowsstyle, qwindowsvistastyle
    "platforminputcontexts": {"composeplatforminputcontextplugin", "ibusplatforminputcontextplugin"},
    # QNetworkInformation (the outbox tries at once when Windows says the network is back; else a 30 s timer)
    "networkinformation": {"qnetworklistmanager"},
}
# Windows: software OpenGL and the shader compiler serve Qt Quick / OpenGL, not QtWidgets' raster painting.
DROP_FILES = {"opengl32sw.dll", "d3dcompiler_47.dll"}
# Linux: the CUPS print plugin's libcups and the libraries nothing else loads (GnuTLS, Avahi, p11-kit, GMP …; 7 MB)
# come from the system, as libc and the GL drivers do: a Linux PC that prints has them. Without them
# the plugin does not load and Qt prints to PDF only. (The list: the build's libraries that only libcups needs.)
SYSTEM_LIBS = {"libcups.so.2", "libgnutls.so.30", "libavahi-client.so.3", "libavahi-common.so.3", "libp11-kit.so.0",
               "libunistring.so.2", "libidn2.so.0", "libtasn1.so.6", "libnettle.so.8", "libhogweed.so.6",
               "libgmp.so.10"}


def keep(dest: str) -> bool:
    """dest: the file's path inside the bundle ("PySide6/Qt/plugins/platforms/libqxcb.so")."""
    p = PurePosixPath(dest.replace("\\", "/"))
    if p.name.lower() in DROP_FILES or p.name in SYSTEM_LIBS:
        return False
    if p.parts[:1] != ("PySide6",):
        return True
    if "translations" in p.parts:
        return False  # Qt ships no Vietnamese (no qtbase_vi.qm); nq57desk.gui.shell.qt_vi supplies the texts
    if "plugins" not in p.parts:
        return True
    i = p.parts.index("plugins")
    if len(p.parts) < i + 3:
        return True
    kind = p.parts[i + 1]
    stem = p.name.split(".")[0]
    stem = stem[3:] if stem.startswith("lib") else stem  # libqxcb.so (Linux) ~ qwindows.dll (Windows)
    wanted = KEEP_PLUGINS.get(kind, set())
    return wanted is None or stem in wanted


def keep_hook_entry(entry: tuple[str, str]) -> bool:
    """A hook's (source file, destination folder) pair."""
    src, dest_dir = entry
    return keep(f"{dest_dir}/{PurePosixPath(src.replace(chr(92), '/')).name}")
