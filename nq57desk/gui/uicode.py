"""Qt Designer files turned into Python by Qt's own uic, so the app does not need QUiLoader.

QUiLoader costs ~18 MB of memory on first use (it initialises Designer's plugin machinery) against ~9 MB for the
same window built by uic's code; on 4 GB PCs that is worth a build step. The .ui files in ui/ stay the source:
the generated code is never committed. It is made
  - at build time for the packaged app (build_scripts/nq57desk.spec writes <name>_ui.py beside each .ui), and
  - in a source tree, on first use, into the user's cache folder, keyed by the .ui file's hash and the PySide6
    version, so it cannot go stale.
When neither is possible (no uic), callers fall back to QUiLoader.
At build time the icons are packed here too, by Qt's rcc (pack_icons).
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from pathlib import Path

_IMPORTS = re.compile(r"from (PySide6\.\w+) import \(([^)]*)\)\n")


def generate(ui_file: Path) -> str:
    """uic's Python for one .ui file, with the imports it does not use removed (each Qt class imported costs
    start-up time the first time it is touched)."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory(prefix="nq57-uic-") as tmp:
        out = Path(tmp) / "ui.py"
        code = ("import sys; from PySide6.scripts.pyside_tool import uic; "
                "sys.argv = ['uic', sys.argv[1], '-o', sys.argv[2]]; uic()")
        subprocess.run([sys.executable, "-c", code, str(ui_file), str(out)], check=True, capture_output=True,
                       timeout=120)
        src = out.read_text(encoding="utf-8")
    return trim_imports(src)


def pack_icons(icons_dir: Path, out: Path) -> Path:
    """Every SVG of icons_dir in one binary Qt resource file under :/icons/ (Qt's rcc); the spec ships it as
    resources/icons.rcc, which nq57desk.gui.qtutil.icon reads. Build time only: never run by the app."""
    import subprocess

    qrc = out.with_suffix(".qrc")
    qrc.write_text('<RCC><qresource prefix="/icons">' + "".join(
        f'<file alias="{p.name}">{p.resolve().as_posix()}</file>' for p in sorted(Path(icons_dir).glob("*.svg")))
        + "</qresource></RCC>\n", encoding="utf-8")
    subprocess.run([sys.executable, "-c", "import sys; from PySide6.scripts.pyside_tool import rcc; "
                    "sys.argv = ['rcc', '--binary', sys.argv[1], '-o', sys.argv[2]]; rcc()", str(qrc), str(out)],
                   check=True, capture_output=True, timeout=120)
    return out


def trim_imports(src: str) -> str:
    cut = src.index("class Ui_")
    body = src[cut:]

    def keep(m: re.Match) -> str:
        names = [n.strip() for n in m.group(2).replace("\n", " ").split(",") if n.strip()]
        used = [n for n in names if re.search(rf"\b{n}\b", body)]
        return f"from {m.group(1)} import ({', '.join(used)})\n" if used else ""

    return _IMPORTS.sub(keep, src[:cut]) + body


def _cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("nq57desk", appauthor=False)) / "ui"


def _key(ui_file: Path) -> str:
    import PySide6

    h = hashlib.sha256(ui_file.read_bytes())
    h.update(PySide6.__version__.encode())
    return h.hexdigest()[:16]


def source_for(ui_file: Path) -> str | None:
    """The generated Python for ui_file, or None (then QUiLoader is used)."""
    built = ui_file.with_name(f"{ui_file.stem}_ui.py")
    if getattr(sys, "frozen", False):
        return built.read_text(encoding="utf-8") if built.is_file() else None
    try:
        cached = _cache_dir() / f"{ui_file.stem}-{_key(ui_file)}.py"
        if cached.is_file():
            return cached.read_text(encoding="utf-8")
        import tempfile

        src = generate(ui_file)
        cached.parent.mkdir(parents=True, exist_ok=True)
        for old in cached.parent.glob(f"{ui_file.stem}-*.py"):
            old.unlink(missing_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cached.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(src)
        os.replace(tmp, cached)
        return src
    except (OSError, ValueError, ImportError):
        return None
    except Exception:  # noqa: BLE001 - uic failed (CalledProcessError, TimeoutExpired): QUiLoader still works
        return None


def code_for(ui_file: Path):
    """The compiled code of uic's Python for ui_file, or None. Compiling it is a few ms per window at every start,
    so the code object is kept too (marshal, keyed like the source plus this Python's bytecode version)."""
    import marshal
    from importlib.util import MAGIC_NUMBER

    try:
        cached = _cache_dir() / f"{ui_file.stem}-{_key(ui_file)}-{MAGIC_NUMBER.hex()}.code"
    except (OSError, ImportError):
        cached = None
    try:
        if cached is not None and cached.is_file():
            return marshal.loads(cached.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        pass  # damaged: made again below
    src = source_for(ui_file)
    if src is None:
        return None
    try:
        code = compile(src, str(ui_file.with_suffix(".py")), "exec")
    except (SyntaxError, ValueError):
        return None
    if cached is not None:
        import tempfile

        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            for old in cached.parent.glob(f"{ui_file.stem}-*.code"):
                old.unlink(missing_ok=True)
            fd, tmp = tempfile.mkstemp(dir=cached.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as f:
                f.write(marshal.dumps(code))
            os.replace(tmp, cached)
        except OSError:
            pass  # no cache this time; the code still runs
    return code


def setup_class(ui_file: Path):
    """The Ui_<Name> class uic made for ui_file, or None."""
    code = code_for(ui_file)
    if code is None:
        return None
    ns: dict = {"__name__": f"nq57desk.gui._ui_{ui_file.stem}"}
    try:
        exec(code, ns)  # noqa: S102 - Qt's own uic output
    except Exception:  # noqa: BLE001 - a broken cache entry: QUiLoader still works
        return None
    return next((v for k, v in ns.items() if k.startswith("Ui_") and isinstance(v, type)), None)
