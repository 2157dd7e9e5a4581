"""Self-test of an installation (calibre's idea): `nq57desk selftest`, also run on the frozen app after each build.

Every step works in a temporary data folder, never the officer's own: open the database (runs the migrations),
load every template, find a commune, format a number the Vietnamese way, import the demo report, validate it,
export DOCX and Excel, read both back, read the icons, import the GUI modules and find the .ui files; only when Qt can
open a display (QT_QPA_PLATFORM=offscreen will do), draw the icons with Qt and build the main window.
One Vietnamese line per step; exit code 0 only if every step passed. The GUI is not needed: without PySide6 or a
display those steps are reported as skipped ("--").
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

ICON_SUFFIXES = (".png", ".svg", ".ico")


class _Skip(Exception):
    """A step that does not apply here (for example no display for Qt); reported, not counted as a failure."""


class _Run:
    def __init__(self, out: Callable[[str], None]):
        self.out = out
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.state: dict = {}

    def step(self, title: str, fn: Callable[[], str | None], *, needs: tuple[str, ...] = ()) -> None:
        """Run one step; `fn` returns the text of the ok line (or None to use `title`)."""
        missing = [n for n in needs if n not in self.state]
        if missing:
            self.failed += 1
            self.out(f"LỖI {title}: không chạy được vì bước trước bị lỗi")
            return
        t0 = time.perf_counter()
        try:
            text = fn() or title
        except _Skip as e:
            self.skipped += 1
            self.out(f"--  {title}: bỏ qua ({e})")
            return
        except Exception as e:  # noqa: BLE001 - a self-test reports every fault as a line, never a traceback
            self.failed += 1
            self.out(f"LỖI {title}: {_why(e)}")
            if os.environ.get("NQ57_SELFTEST_TRACE"):
                self.out(traceback.format_exc())
            return
        self.passed += 1
        ms = (time.perf_counter() - t0) * 1000
        self.out(f"ok  {text} ({ms:.0f} ms)")


def _why(e: BaseException) -> str:
    """The step's own findings are plain sentences; anything else also names its exception type."""
    from nq57desk.errors import NQError

    msg = str(e).strip().splitlines()[0] if str(e).strip() else ""
    if type(e) is RuntimeError or isinstance(e, NQError):
        return msg
    return f"{type(e).__name__}: {msg}" if msg else type(e).__name__


def run_selftest(out: Callable[[str], None] = print) -> int:
    from nq57desk import __version__

    frozen = bool(getattr(sys, "frozen", False))
    out(f"nq57desk {__version__} — tự kiểm tra bản {'đóng gói' if frozen else 'mã nguồn'} "
        f"(Python {sys.version.split()[0]}, {sys.platform})")
    run = _Run(out)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="nq57desk-selftest-", ignore_cleanup_errors=True) as tmp:
        tmpdir = Path(tmp)
        try:
            _steps(run, tmpdir, frozen)
        finally:
            desk = run.state.get("desk")
            if desk is not None:
                desk.close()  # Windows cannot delete an open SQLite file
    total = run.passed + run.failed
    took = time.perf_counter() - t0
    if run.failed:
        out(f"Tự kiểm tra: {run.failed}/{total} bước LỖI ({took:.1f} s). Hãy cài lại ứng dụng hoặc báo cho cán bộ CNTT.")
        return 1
    extra = f", {run.skipped} bước bỏ qua" if run.skipped else ""
    out(f"Tự kiểm tra: đạt cả {total} bước{extra} ({took:.1f} s).")
    return 0


def _steps(run: _Run, tmp: Path, frozen: bool) -> None:
    st = run.state
    data = tmp / "data"

    def resources():
        from nq57desk.settings import resources_dir

        res = resources_dir()
        missing = [d for d in ("templates", "catalogue", "schemas", "demo") if not (res / d).is_dir()]
        if missing:
            raise RuntimeError(f"thiếu thư mục {', '.join(missing)} trong {res}")
        st["res"] = res
        return f"Tìm thấy tài nguyên ứng dụng ({res})"

    def database():
        from nq57desk.services import Desk
        from nq57desk.store.engine import current_revision, head_revision

        st["desk"] = desk = Desk(data)
        cur, head = current_revision(desk.engine), head_revision()
        if cur != head:
            raise RuntimeError(f"lược đồ ở bản «{cur}», cần «{head}»")
        with desk.engine.connect() as c:
            mode = c.exec_driver_sql("PRAGMA journal_mode").scalar()
            ok = c.exec_driver_sql("PRAGMA quick_check").scalar()
        if ok != "ok":
            raise RuntimeError(f"quick_check: {ok}")
        return f"Tạo cơ sở dữ liệu SQLite và chạy nâng cấp lược đồ đến bản {head} (nhật ký {mode})"

    def templates():
        reg = st["desk"].registry
        tpls = reg.all()
        if reg.broken:
            raise RuntimeError("; ".join(str(e) for e in reg.broken))
        if not tpls:
            raise RuntimeError("không có mẫu báo cáo nào")
        st["templates"] = tpls
        ids = list(dict.fromkeys(t.id for t in tpls))
        older = f"; {len(tpls) - len(ids)} phiên bản cũ giữ cho báo cáo đã lập" if len(tpls) > len(ids) else ""
        return f"Nạp {len(ids)} mẫu báo cáo ({', '.join(ids)}{older})"

    def communes():
        from nq57desk.units import commune, communes

        n = len(communes())
        u = commune("05503")
        if u is None or "Tân Cương" not in u.name:
            raise RuntimeError(f"mã 05503 cho «{u.name if u else 'không có'}», cần «Xã Tân Cương»")
        return f"Nạp danh mục {n} xã/phường (05503 = {u.name}, {u.province_name})"

    def numbers():
        from nq57desk.vn import fmt_number

        got = fmt_number(14722), fmt_number(72.5)
        if got != ("14.722", "72,5"):
            raise RuntimeError(f"định dạng số sai: {got}")
        return "Định dạng số kiểu Việt Nam (14.722; 72,5)"

    def demo():
        path = st["res"] / "demo" / "bao-cao-mau.json"
        import json

        doc = json.loads(path.read_bytes())
        doc.pop("demo", None)  # the mark keeps the demo out of bundles; the self-test exports one to check the path
        st["rid"] = st["desk"].import_report(json.dumps(doc, ensure_ascii=False))
        info = st["desk"].report_info(st["rid"])
        return f"Nhập báo cáo mẫu «{info.template_title}» của {info.commune_name}"

    def validate():
        findings = st["desk"].validate(st["rid"])
        errors = [f for f in findings if f.severity == "error"]
        if errors:
            raise RuntimeError(f"báo cáo mẫu có {len(errors)} lỗi, ví dụ: {errors[0].line()}")
        st["validated"] = True
        return f"Kiểm tra báo cáo mẫu: 0 lỗi, {len(findings)} cảnh báo"

    def docx():
        import docx as python_docx

        p = st["desk"].export_docx(st["rid"], tmp / "bao-cao.docx")
        d = python_docx.Document(str(p))
        words = sum(len(par.text.split()) for par in d.paragraphs)
        if words < 50:
            raise RuntimeError(f"tệp DOCX gần như trống ({words} chữ)")
        return f"Xuất và đọc lại DOCX ({p.stat().st_size // 1024} KB, {len(d.paragraphs)} đoạn, {len(d.tables)} bảng)"

    def xlsx():
        import openpyxl

        from nq57desk.bundle.reader import read_bundle

        p = st["desk"].export_xlsx(st["rid"], tmp / "bao-cao.xlsx")
        wb = openpyxl.load_workbook(str(p), read_only=True)
        try:
            sheets = wb.sheetnames
        finally:
            wb.close()
        back = read_bundle(p, st["desk"].registry)  # the upper level's reader: checks hashes, needs defusedxml
        if back.doc.get("values") != st["desk"].document(st["rid"]).get("values"):
            raise RuntimeError("số liệu đọc lại từ gói Excel khác số liệu đã xuất")
        return f"Xuất và đọc lại gói Excel ({p.stat().st_size // 1024} KB, {len(sheets)} trang tính)"

    def icons():
        folder = st["res"] / "icons"
        files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in ICON_SUFFIXES) if folder.is_dir() else []
        if not files:
            raise RuntimeError(f"không có biểu tượng nào trong {st['res'] / 'icons'}")
        for p in files:
            _check_icon_file(p)
        st["icons"] = files
        return f"Đọc {len(files)} biểu tượng"

    def qt_library():
        return _qt_library()

    def qt():
        text = _qt_icon(st["icons"])
        st["qt"] = True
        return text

    def gui_modules():
        names = ("nq57desk.gui.shell.app", "nq57desk.gui.shell.mainwindow", "nq57desk.gui.qtutil")
        missing = [n for n in names if importlib.util.find_spec(n) is None]
        if missing:
            if frozen:
                raise RuntimeError(f"bản đóng gói thiếu mô-đun {', '.join(missing)}")
            raise _Skip(f"chưa có mô-đun {', '.join(missing)}")
        for n in names:
            importlib.import_module(n)
        ui = sorted(importlib.import_module("nq57desk.gui.qtutil").ui_dir().glob("*.ui"))
        if not ui:
            raise RuntimeError("không có tệp giao diện .ui nào")
        if frozen:  # the build writes uic's code beside each .ui (nq57desk/gui/uicode.py)
            unbuilt = [u.name for u in ui if not u.with_name(f"{u.stem}_ui.py").is_file()]
            if unbuilt:
                raise RuntimeError(f"bản đóng gói thiếu mã dựng sẵn của {', '.join(unbuilt)}")
        st["gui"] = True
        return f"Nạp mô-đun giao diện và {len(ui)} tệp .ui" + (" (mã dựng sẵn)" if frozen else "")

    def main_window():
        if "qt" not in st:
            raise _Skip("Qt không mở được màn hình ở đây")
        return _main_window(tmp)

    run.step("Tìm tài nguyên ứng dụng", resources)
    run.step("Mở cơ sở dữ liệu", database)
    run.step("Nạp mẫu báo cáo", templates, needs=("desk",))
    run.step("Nạp danh mục xã/phường", communes)
    run.step("Định dạng số", numbers)
    run.step("Nhập báo cáo mẫu", demo, needs=("desk", "res"))
    run.step("Kiểm tra báo cáo mẫu", validate, needs=("rid",))
    run.step("Xuất DOCX", docx, needs=("validated",))
    run.step("Xuất gói Excel", xlsx, needs=("validated",))
    run.step("Đọc biểu tượng", icons, needs=("res",))
    run.step("Kiểm tra thư viện Qt", qt_library)
    run.step("Vẽ biểu tượng bằng Qt", qt, needs=("icons",))
    run.step("Nạp mô-đun giao diện", gui_modules)
    if "gui" in st:
        run.step("Dựng cửa sổ chính", main_window)


def _check_icon_file(p: Path) -> None:
    b = p.read_bytes()
    suffix = p.suffix.lower()
    if suffix == ".png" and not b.startswith(b"\x89PNG\r\n\x1a\n"):
        raise RuntimeError(f"{p.name} không phải tệp PNG")
    if suffix == ".ico" and not b.startswith(b"\x00\x00\x01\x00"):
        raise RuntimeError(f"{p.name} không phải tệp ICO")
    if suffix == ".svg":
        from defusedxml import ElementTree

        root = ElementTree.fromstring(b)
        if not root.tag.endswith("svg"):
            raise RuntimeError(f"{p.name} không phải tệp SVG")


def _qt_library() -> str:
    """PySide6 must not lose references to None: PySide6-Essentials 6.12.0 on Python 3.11 drops one per call of a
    void method (and one of True per signal emit), and the interpreter aborts ("Fatal Python error: none_dealloc")
    after a few thousand edits. Python 3.12+ makes None immortal, so there the check always passes."""
    if importlib.util.find_spec("PySide6") is None:
        raise _Skip("không có PySide6")
    pyside = importlib.import_module("PySide6")
    qtcore = importlib.import_module("PySide6.QtCore")
    obj, calls = qtcore.QObject(), 100
    before = sys.getrefcount(None)
    for _ in range(calls):
        obj.setObjectName("nq57desk")
    lost = before - sys.getrefcount(None)
    versions = f"PySide6 {pyside.__version__}, Qt {qtcore.qVersion()}, Python {sys.version.split()[0]}"
    if lost >= calls // 2:
        raise RuntimeError(f"{versions}: thư viện Qt làm mất tham chiếu ({lost}/{calls} lần gọi), ứng dụng sẽ tự "
                           "thoát sau vài nghìn thao tác; cần bản PySide6 khác (6.11.3) hoặc Python 3.12 trở lên")
    return f"Thư viện Qt ổn định ({versions})"


def _has_display() -> bool:
    if os.environ.get("QT_QPA_PLATFORM"):
        return True
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _qt_icon(files: list[Path]) -> str:
    if importlib.util.find_spec("PySide6") is None:
        raise _Skip("không có PySide6")
    if not _has_display():
        raise _Skip("không có màn hình; đặt QT_QPA_PLATFORM=offscreen để thử")
    # Qt is loaded by name, as cli.py loads the GUI: the core has no import of Qt (import-linter, ARCHITECTURE.md).
    qtcore = importlib.import_module("PySide6.QtCore")
    qtgui = importlib.import_module("PySide6.QtGui")
    QGuiApplication, QIcon, QImageReader = qtgui.QGuiApplication, qtgui.QIcon, qtgui.QImageReader

    app = qtcore.QCoreApplication.instance()
    if app is None:
        # A QApplication (not only a QGuiApplication): the GUI, or GUI tests in the same process, need widgets.
        qtwidgets = importlib.import_module("PySide6.QtWidgets")
        app = qtwidgets.QApplication([sys.argv[0] if sys.argv else "nq57desk"])  # Qt reads QT_QPA_PLATFORM itself
    if not isinstance(app, QGuiApplication):
        raise _Skip("tiến trình đã có QCoreApplication không đồ họa")
    formats = {bytes(f).decode() for f in QImageReader.supportedImageFormats()}
    drawn = []
    for p in files:
        kind = p.suffix.lower().lstrip(".")
        if kind not in formats:
            raise RuntimeError(f"Qt không đọc được ảnh .{kind} (thiếu plugin imageformats; có: {', '.join(sorted(formats))})")
        icon = QIcon(str(p))
        if icon.isNull() or icon.pixmap(32, 32).isNull():
            raise RuntimeError(f"Qt không vẽ được {p.name}")
        drawn.append(p.name)
    return f"Vẽ {len(drawn)} biểu tượng bằng Qt (nền {QGuiApplication.platformName()})"


def _main_window(tmp: Path) -> str:
    """Build the main window (every .ui it loads, its icons), let Qt lay it out, close it. No data folder opens."""
    qtcore = importlib.import_module("PySide6.QtCore")
    mainwindow = importlib.import_module("nq57desk.gui.shell.mainwindow")
    settings = qtcore.QSettings(str(tmp / "selftest.ini"), qtcore.QSettings.IniFormat)
    win = mainwindow.MainWindow(tmp / "gui", settings=settings, persist=False)
    try:
        win.resize(1024, 700)
        win.show()
        qtcore.QCoreApplication.processEvents()
        n = len(win.findChildren(importlib.import_module("PySide6.QtWidgets").QWidget))
        blank = [name for name in mainwindow.ICONS if name in win.act and win.act[name].icon().isNull()]
        if blank:  # the packaged app reads its icons from resources/icons.rcc (nq57desk/gui/qtutil.py icon)
            raise RuntimeError(f"không có biểu tượng cho {', '.join(blank)}")
        return f"Dựng cửa sổ chính ({n} thành phần, «{win.windowTitle()}»)"
    finally:
        win.close()
        win.deleteLater()
        qtcore.QCoreApplication.processEvents()
