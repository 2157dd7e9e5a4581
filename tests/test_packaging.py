"""Packaging checks that would otherwise break silently (the real PyInstaller build is too slow for the suite: it runs
in build_scripts/build_linux.sh and the Windows workflow, see docs/install.md)."""

from __future__ import annotations

import ast
import importlib.util
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build_scripts"
SPEC = BUILD / "nq57desk.spec"
ISS = BUILD / "nq57desk.iss"
WORKFLOW = ROOT / ".github" / "workflows" / "windows.yml"

sys.path.insert(0, str(BUILD))
import qt_prune  # noqa: E402
import version_info  # noqa: E402

PYPROJECT_VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def _spec_tree() -> ast.Module:
    return ast.parse(SPEC.read_text(encoding="utf-8"), filename=str(SPEC))


def _assigned(name: str):
    for node in ast.walk(_spec_tree()):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return node.value
    raise AssertionError(f"{name} is not assigned in {SPEC.name}")


# -- version ----------------------------------------------------------------------------------------------------------

def test_version_comes_from_pyproject():
    assert version_info.read_version() == PYPROJECT_VERSION
    from nq57desk import __version__

    assert __version__ == PYPROJECT_VERSION, "nq57desk/__init__.py must carry the version written in pyproject.toml"
    spec = SPEC.read_text(encoding="utf-8")
    assert 'read_version(ROOT / "pyproject.toml")' in spec
    assert "copy_metadata(NAME)" in spec, "the frozen app reads its version from the package metadata"


@pytest.mark.parametrize("text, expected", [
    ("0.1.0", (0, 1, 0, 0)), ("2.0", (2, 0, 0, 0)), ("1.2.3.4", (1, 2, 3, 4)), ("1.2.3rc1", (1, 2, 3, 0)),
    ("1.4.0.dev2", (1, 4, 0, 0)), ("7", (7, 0, 0, 0)),
])
def test_version_tuple(text, expected):
    assert version_info.version_tuple(text) == expected


@pytest.mark.parametrize("bad", ["", "v1.0", "1.70000.0"])
def test_version_tuple_refuses(bad):
    with pytest.raises(ValueError):
        version_info.version_tuple(bad)


def test_version_helper_command_line(tmp_path):
    out = tmp_path / "vi.txt"
    res = subprocess.run([sys.executable, str(BUILD / "version_info.py"), "--tuple", "-o", str(out)],
                         capture_output=True, text=True, check=True)
    numbers = res.stdout.strip().split(".")
    assert len(numbers) == 4 and all(0 <= int(n) <= 65535 for n in numbers)
    assert tuple(map(int, numbers)) == version_info.version_tuple(PYPROJECT_VERSION)
    text = out.read_text(encoding="utf-8")
    assert f"filevers={version_info.version_tuple(PYPROJECT_VERSION)!r}" in text
    assert f"StringStruct('ProductVersion', '{PYPROJECT_VERSION}')" in text


def test_version_file_evaluates(tmp_path):
    """PyInstaller eval()s the file with its VSVersionInfo classes; here with stand-ins that record the arguments."""
    names = ("VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable", "StringStruct", "VarFileInfo",
             "VarStruct")

    def recorder(name):
        return lambda *a, **k: (name, a, k)

    ns = {n: recorder(n) for n in names}
    text = version_info.version_file_text("1.2.3rc1")
    root = eval(text, {"__builtins__": {}}, ns)  # noqa: S307 - our own generated text
    assert root[0] == "VSVersionInfo"
    ffi = root[2]["ffi"]
    assert ffi[2]["filevers"] == (1, 2, 3, 0) and ffi[2]["prodvers"] == (1, 2, 3, 0)
    table = root[2]["kids"][0][1][0][0]
    strings = dict(s[1] for s in table[1][1])
    assert strings["ProductVersion"] == "1.2.3rc1" and strings["FileVersion"] == "1.2.3.0"


def test_version_file_is_what_pyinstaller_reads(tmp_path):
    pytest.importorskip("pefile")  # PyInstaller's version-resource module needs it (installed on Windows only)
    from PyInstaller.utils.win32 import versioninfo

    path = version_info.write_version_file(tmp_path / "v.txt", "1.2.3rc1")
    info = versioninfo.load_version_info_from_text_file(str(path))
    assert info.ffi.fileVersionMS == (1 << 16) | 2 and info.ffi.fileVersionLS == 3 << 16
    strings = {s.name: s.val for s in info.kids[0].kids[0].kids}
    assert strings["ProductVersion"] == "1.2.3rc1" and strings["FileVersion"] == "1.2.3.0"
    assert strings["OriginalFilename"] == "nq57desk.exe"


# -- the spec's inputs ------------------------------------------------------------------------------------------------

def test_spec_is_valid_python():
    compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec")


def test_every_data_folder_the_spec_names_exists():
    dirs = ast.literal_eval(_assigned("DATA_DIRS"))
    assert {"resources/templates", "resources/schemas", "resources/icons", "resources/demo"} <= set(dirs)
    for d in dirs:
        assert (ROOT / d).is_dir() and any((ROOT / d).iterdir()), f"{d} is missing or empty"
    assert (ROOT / "resources" / "demo" / "bao-cao-mau.json").is_file(), "the self-test imports it"
    assert (ROOT / "resources" / "icons" / "app.svg").is_file(), "the spec draws the .exe icon from it"
    assert list((ROOT / "ui").glob("*.ui")), "ui/*.ui are shipped beside resources/"
    assert "resources/guide" in dirs and (ROOT / "resources" / "guide" / "huong-dan.html").is_file(), "F1's guide"
    assert '"docs" / "screenshots"' in SPEC.read_text(encoding="utf-8"), "the guide's screens are shipped"


def test_migrations_are_shipped_as_files():
    """Alembic reads env.py and the revisions from disk: the spec must copy them, with the same layout."""
    spec = SPEC.read_text(encoding="utf-8")
    assert '_files("nq57desk/store/migrations", ("*.py", "*.mako", "*.ini", "versions/*.py"))' in spec
    mig = ROOT / "nq57desk" / "store" / "migrations"
    assert (mig / "env.py").is_file() and (mig / "script.py.mako").is_file()
    assert len(list((mig / "versions").glob("0*.py"))) >= 1
    from nq57desk.store import engine

    assert engine.MIGRATIONS == mig, "the frozen layout mirrors the package: nq57desk/store/migrations"


def test_babel_locale_files_exist():
    import babel

    base = Path(babel.__file__).parent
    for name in ("global.dat", "locale-data/root.dat", "locale-data/vi.dat"):
        assert (base / name).is_file(), name
    from nq57desk.vn import LOCALE

    assert LOCALE.startswith("vi"), "the spec ships only the vi* locale files"


def test_hidden_imports_exist():
    names = [n.value for n in ast.walk(_assigned("hiddenimports"))
             if isinstance(n, ast.Constant) and isinstance(n.value, str) and re.fullmatch(r"[A-Za-z_][\w.]*", n.value)]
    assert "alembic.op" in names and "sqlalchemy.dialects.sqlite" in names
    for name in names:
        if name == "nq57desk":
            continue
        assert importlib.util.find_spec(name) is not None, name


def test_launcher_and_hooks_exist():
    assert (BUILD / "nq57desk_launch.py").is_file()
    assert (BUILD / "pyinstaller_hooks" / "hook-PySide6.QtGui.py").is_file()
    assert (BUILD / "pyinstaller_hooks" / "hook-PySide6.QtNetwork.py").is_file()
    assert (BUILD / "make_icon.py").is_file()
    assert 'hookspath=[str(SPEC_DIR / "pyinstaller_hooks")]' in SPEC.read_text(encoding="utf-8")


def _qt_modules_of_gui() -> set[str]:
    used = set()
    for p in (ROOT / "nq57desk" / "gui").rglob("*.py"):
        text = p.read_text(encoding="utf-8")
        used |= set(re.findall(r"PySide6\.(Qt\w+)", text))
        for names in re.findall(r"from PySide6 import ([^\n(]+)", text):
            used |= set(re.findall(r"Qt\w+", names))
    return used


def test_every_qt_module_the_gui_imports_is_shipped():
    """In PySide6-Essentials (the pinned package) and, if the spec's list of unused modules names it, kept by the spec
    (it keeps such a module and says so; here it is listed so that a new dependency is a decision)."""
    pytest.importorskip("PySide6")
    used = _qt_modules_of_gui()
    assert {"QtCore", "QtGui", "QtWidgets"} <= used
    for m in sorted(used):
        assert importlib.util.find_spec(f"PySide6.{m}") is not None, f"PySide6.{m} is not in PySide6-Essentials"
    assert "_qt_used_by_gui" in SPEC.read_text(encoding="utf-8")
    print("Qt modules the spec would exclude but keeps for the GUI:",
          sorted(used & set(ast.literal_eval(_assigned("QT_UNUSED")))) or "none")


@pytest.mark.parametrize("dest, kept", [
    ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
    ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
    ("PySide6/plugins/platforms/qwindows.dll", True),
    ("PySide6/Qt/plugins/platforms/libqwayland.so", False),
    ("PySide6/Qt/plugins/imageformats/libqsvg.so", True),
    ("PySide6/plugins/imageformats/qico.dll", True),
    ("PySide6/Qt/plugins/imageformats/libqtiff.so", False),
    ("PySide6/plugins/styles/qmodernwindowsstyle.dll", True),
    ("PySide6/Qt/plugins/printsupport/libcupsprintersupport.so", True),
    ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
    ("PySide6/Qt/plugins/tls/libqopensslbackend.so", False),
    ("PySide6/plugins/networkinformation/qnetworklistmanager.dll", True),
    ("PySide6/Qt/plugins/networkinformation/libqglib.so", False),
    ("PySide6/Qt/translations/qtbase_de.qm", False),
    ("PySide6/translations/qtbase_fr.qm", False),
    ("PySide6/opengl32sw.dll", False),
    ("libcups.so.2", False),  # the system's (qt_prune.SYSTEM_LIBS)
    ("libgnutls.so.30", False),
    ("libssl.so.3", True),  # Python's ssl: the app's mail
    ("libgssapi_krb5.so.2", True),  # QtNetwork needs it too
    ("PySide6/Qt6Widgets.dll", True),
    ("resources/templates/chung.yaml", True),
    ("nq57desk/store/migrations/env.py", True),
])
def test_qt_prune(dest, kept):
    assert qt_prune.keep(dest) is kept
    assert qt_prune.keep(dest.replace("/", "\\")) is kept


# -- installer and CI -------------------------------------------------------------------------------------------------

def test_installer_script():
    raw = ISS.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Inno Setup reads the Vietnamese text as Unicode only with a BOM"
    text = raw.decode("utf-8-sig")
    assert "PrivilegesRequired=lowest" in text
    assert r"DefaultDirName={localappdata}\Programs\{#AppName}" in text
    assert "MinVersion=10.0.17763" in text and "ArchitecturesAllowed=x64compatible" in text
    assert "[UninstallDelete]" not in text.replace("No [UninstallDelete]", ""), "uninstall keeps the data folder"
    assert r'Name: "{app}\_internal"' in text, "an upgrade removes the old program files first"
    from nq57desk import settings

    assert f'#define DataFolder "{settings.APP_NAME}"' in text
    assert '#define AppExe "nq57desk.exe"' in text
    assert "ButtonNext=&Tiếp >" in text and "CreateDesktopIcon=" in text


def test_installer_data_folder_is_the_apps_data_folder(monkeypatch):
    """%LOCALAPPDATA%\\nq57desk, the folder the uninstaller leaves alone, is where the app keeps its data."""
    from platformdirs import windows

    monkeypatch.setattr(windows, "get_win_folder", lambda csidl: r"C:\Users\cb\AppData\Local")
    win = windows.Windows("nq57desk", appauthor=False, roaming=False)
    assert win.user_data_dir.replace("/", "\\") == r"C:\Users\cb\AppData\Local\nq57desk"
    src = (ROOT / "nq57desk" / "settings.py").read_text(encoding="utf-8")
    assert "user_data_dir(APP_NAME, appauthor=False, roaming=False)" in src


def test_windows_workflow():
    import yaml

    wf = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    job = wf["jobs"]["build"]
    assert job["runs-on"] == "windows-2022"
    steps = job["steps"]
    py = [s for s in steps if s.get("uses", "").startswith("actions/setup-python")]
    assert py and py[0]["with"]["python-version"] == "3.11"
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "bootstrap.py test" in runs and "build_windows.ps1" in runs and "selftest" in runs
    upload = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact")]
    assert upload and "setup.exe" in upload[0]["with"]["path"] and ".zip" in upload[0]["with"]["path"]


def test_windows_build_script_is_ascii():
    """Windows PowerShell 5.1 reads a script without BOM in the ANSI code page: keep it ASCII."""
    (BUILD / "build_windows.ps1").read_bytes().decode("ascii")
