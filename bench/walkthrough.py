"""A new officer's whole period, driven through the real window offscreen, one screenshot per step.

    python bench/walkthrough.py --out DIR [--size 1366x768]

Profile (commune typed without diacritics) → new report → figures → appendix table rows → an error and its
giải trình → «Hoàn thành» → DOCX → USB package (a fake removable drive in DIR) → the next period from this one.
Every message box the app would show is answered as an officer would and written to DIR/steps.txt with the
screenshots' names, so what the app said can be read beside what it showed. Exit status 1 when a step failed.

Look at the screenshots after a change to the window (issue 14): they are the officer's view at that size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

COMMUNE_TYPED = "tan cuong"  # typed without diacritics, as on a machine without Unikey
COMMUNE_CODE = "05503"  # Xã Tân Cương, Thái Nguyên
TEMPLATE = "tn-tien-do-thang"  # Thái Nguyên's monthly report: figures, rules, an appendix table of tasks
TODAY = dt.date(2026, 6, 3)  # the report of May 2026 is written in early June
FIGURES = {"tthc_tong": "120", "tthc_toan_trinh": "70", "tthc_mot_phan": "40", "tthc_truc_tiep": "5"}  # 115 ≠ 120
TASKS = [("Ban hành Kế hoạch chuyển đổi số năm 2026 của xã", "Đã hoàn thành", "Nhiệm vụ tỉnh giao"),
         ("Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính còn hiệu lực", "Đang triển khai thực hiện", "")]
EXPLANATION = ("5 thủ tục còn lại thuộc lĩnh vực đất đai, chưa được tỉnh công bố danh mục nên chưa phân loại; "
               "xã sẽ bổ sung khi có quyết định công bố.")


def _screen_config(size: tuple[int, int]) -> str:
    """An offscreen screen of the officer's size (the window maximizes on it as on a real 1366×768 screen)."""
    fd, path = tempfile.mkstemp(prefix="nq57screen", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump({"screens": [{"name": "walkthrough", "x": 0, "y": 0, "width": size[0], "height": size[1],
                                "logicalDpi": 96, "dpr": 1}]}, f)
    return path


class Walk:
    """The steps, the screenshots and what the app said."""

    def __init__(self, out: Path, size: tuple[int, int]):
        self.out, self.size = out, size
        self.n = 0
        self.log: list[str] = []
        self.shots: list[Path] = []
        self.answers: list[tuple[str, bool]] = []  # (words in the question's title or text, answer)

    # the app's message boxes, answered --------------------------------------------------------------------------
    def hook(self, kind, title, text, detail):
        self.log.append(f"    [{kind}] {title}: {text}" + (f" — {detail}" if detail else ""))
        if kind == "text":
            return None
        for words, answer in self.answers:
            if words in title or words in text or words in (detail or ""):
                self.log.append(f"      → {'Có' if answer else 'Không'}")
                return answer
        return True

    # pictures -------------------------------------------------------------------------------------------------
    def settle(self, ms: int = 150) -> None:
        from PySide6.QtWidgets import QApplication

        end = time.monotonic() + ms / 1000
        while time.monotonic() < end:
            QApplication.processEvents()
            time.sleep(0.01)

    def shot(self, widget, name: str, what: str) -> Path:
        self.settle()
        self.n += 1
        path = self.out / f"{self.n:02d}-{name}.png"
        widget.grab().save(str(path), "PNG")
        self.shots.append(path)
        self.log.append(f"{path.name}: {what}")
        return path


def type_text(widget, text: str) -> None:
    """Key events carrying each character, as Unikey/EVKey send them."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    for ch in text:
        k = Qt.Key_Return if ch == "\n" else Qt.Key_unknown
        t = "\r" if ch == "\n" else ch
        QApplication.sendEvent(widget, QKeyEvent(QEvent.KeyPress, k, Qt.NoModifier, t))
        QApplication.sendEvent(widget, QKeyEvent(QEvent.KeyRelease, k, Qt.NoModifier, t))


def _table(win, key: str):
    from nq57desk.gui.tables.tables import TableEditor

    return next(t for t in win.editor.scroll.widget().findChildren(TableEditor) if t.spec.key == key)


def walk(out: Path, size: tuple[int, int] = (1366, 768)) -> Walk:
    """Run the whole period into `out` (created); returns the Walk (screenshots, log)."""
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtWidgets import QApplication

    out.mkdir(parents=True, exist_ok=True)
    if QApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", f"offscreen:configfile={_screen_config(size)}")
    from nq57desk.bundle.package import Drive
    from nq57desk.gui import qtutil
    from nq57desk.gui.dialogs.package import PackageDialog
    from nq57desk.gui.dialogs.profile import ProfileDialog
    from nq57desk.gui.dialogs.report import HistoryDialog, NewReportDialog
    from nq57desk.gui.shell.app import make_app
    from nq57desk.gui.shell.mainwindow import MainWindow
    from nq57desk.services import Desk

    app = make_app()
    w = Walk(out, size)
    old_hook = qtutil.DIALOG_HOOK
    qtutil.DIALOG_HOOK = w.hook
    tmp = tempfile.TemporaryDirectory(prefix="nq57walk")
    desk = Desk(Path(tmp.name) / "data")
    win = None
    try:
        settings = QSettings(str(Path(tmp.name) / "walk.ini"), QSettings.IniFormat)
        win = MainWindow(desk.data_dir, desk=desk, settings=settings, persist=False)
        screen = app.primaryScreen().availableGeometry()
        if screen.width() != size[0] or screen.height() != size[1]:  # not our screen (a test's QApplication)
            win.setWindowState(Qt.WindowNoState)
            win.resize(*size)
        win.show()
        w.settle(300)
        w.shot(win, "bat-dau", "first start: the empty home page")

        # 1. profile: the commune typed without diacritics --------------------------------------------------------
        d = ProfileDialog(desk, win, first_run=True)
        d.show()
        type_text(d.filter, COMMUNE_TYPED)
        w.settle()
        d.select_code(COMMUNE_CODE)
        d.signer.setText("Nguyễn Văn An")
        w.shot(d, "thong-tin-don-vi", "Thông tin đơn vị: commune found by typing «tan cuong», signer typed")
        d.accept()
        assert (desk.profile() or {}).get("commune", {}).get("code") == COMMUNE_CODE, "profile not saved"
        win.home.refresh()

        # 2. a new report ---------------------------------------------------------------------------------------
        n = NewReportDialog(desk, win, today=TODAY)
        n.tpl_combo.setCurrentIndex(n.tpl_combo.findData(TEMPLATE))
        w.log.append(f"    «Kỳ» proposed: {n.number.currentText()} (early June); the officer picks «Tháng 5»")
        n.number.setCurrentIndex(n.number.findData(5))
        n.show()
        w.shot(n, "bao-cao-moi", "Tạo báo cáo mới: the province's monthly template, May 2026")
        n.accept()
        assert n.rid is not None, "report not created"
        rid = n.rid
        win.home.refresh_years()
        win.home.refresh()
        win.open_report(rid)
        w.shot(win, "bao-cao-mo", "the new report open at its heading part")

        # 3. figures, with a sum that does not add up --------------------------------------------------------
        ed = win.editor
        ed.show_section("tthc_kq")
        for key, text in FIGURES.items():
            box = ed.ctx.widgets[key]
            box.setFocus()
            type_text(box, text)
        win.session.revalidate()
        w.shot(win, "so-lieu", "figures of «thủ tục hành chính» typed; rates computed; the sum rule flags 115 ≠ 120")

        # 4. appendix table rows -------------------------------------------------------------------------------
        ed.show_section("pl_nhiem_vu")
        tbl = _table(win, "nhiem_vu")
        for name, result, note in TASKS:
            tbl.add_row()
            r = tbl.table.currentRow()
            cols = [c.key for c in tbl.spec.columns]
            for key, text in (("ten", name), ("ket_qua", result), ("ghi_chu", note)):
                if text:
                    tbl.table.item(r, cols.index(key)).setText(text)
        tbl.add_row()  # a third, empty: the cursor waits in its first cell
        w.shot(win, "phu-luc-nhiem-vu", "Phụ lục nhiệm vụ: two tasks typed, a third row added (cursor in «Tên nhiệm vụ»)")
        tbl.delete_rows()

        # 5. the error and its giải trình ---------------------------------------------------------------------------
        win.session.revalidate()
        err = next((f for f in win.session.findings if f.severity == "error"), None)
        assert err is not None, "the sum rule gave no error"
        t = win.checks.tree
        item = next(t.topLevelItem(i) for i in range(t.topLevelItemCount())
                    if t.topLevelItem(i).data(0, Qt.UserRole) == err)
        t.setCurrentItem(item)
        win.checks.jump.emit(err)
        w.shot(win, "loi", f"«Kiểm tra» lists the error; clicked, the page shows its field: {err.message}")
        win.checks.explain()
        dlg = win.checks.explain_dialog
        dlg.edit.setFocus()
        type_text(dlg.edit, EXPLANATION)
        w.shot(dlg, "giai-trinh", "«Giải trình…» written for the error")
        dlg.accept()
        w.settle()
        w.shot(win, "da-giai-trinh", "the error explained: listed in green, no longer blocking")
        win.checks.set_collapsed(True)
        ed.show_section("pl_nhiem_vu")
        w.shot(win, "kiem-tra-thu-gon", "«Kiểm tra» folded to its one line: the page gets the room")
        win.checks.set_collapsed(False)

        # 6. the required items «Hoàn thành» asks for, then finished ----------------------------------------------
        ok = win.set_status("done")
        w.log.append(f"    «Đánh dấu Hoàn thành» with required items blank: {'done' if ok else 'refused'}")
        ed.show_section("tthc_kq")
        type_text(ed.ctx.widgets["tthc_den_ngay"], "31/5/2026")
        ed.show_section("_intro")
        type_text(ed.ctx.widgets["can_cu"], "Thực hiện Công văn số 3216/UBND-KGVX ngày 09/4/2026 của UBND tỉnh "
                                            "Thái Nguyên.")
        ok = win.set_status("done")
        w.log.append(f"    «Đánh dấu Hoàn thành»: {'done' if ok else 'refused'}")
        w.shot(win, "hoan-thanh" if ok else "chua-hoan-thanh", "after «Đánh dấu Hoàn thành»")
        h = HistoryDialog(win.session, win)
        h.resize(900, 360)
        h.show()
        w.shot(h, "lich-su", "«Lịch sử các bản»")
        h.close()

        # 7. DOCX ----------------------------------------------------------------------------------------------------
        w.answers = [("Mở tệp ngay bây giờ?", False)]
        done = []
        docx = out / "bao-cao.docx"
        docx.unlink(missing_ok=True)
        assert win.export("docx", str(docx)), "DOCX export refused"
        win.exporter.finished.connect(done.append)
        _wait(w, lambda: bool(done), 60)
        assert done and done[0] == str(docx) and docx.exists(), "DOCX not written"
        w.shot(win, "docx", f"DOCX written: {docx.name}")

        # 8. the USB package (a fake removable drive in OUT) ------------------------------------------------------
        usb = out / "USB"
        usb.mkdir(exist_ok=True)
        for f in usb.iterdir():
            f.unlink()
        w.answers = [("bản nháp", True)]
        p = PackageDialog(win, win.session, settings, list_drives=lambda: [Drive(str(usb), "USB (E:)", True)])
        p.show()
        w.shot(p, "goi-usb", "«Xuất gói gửi cấp trên»: only the USB stick is offered")
        p.export()
        _wait(w, lambda: p.result is not None or any("[error]" in x for x in w.log[-3:]), 60)
        assert p.result is not None, "package not written"
        w.log.append("    USB: " + ", ".join(sorted(f.name for f in usb.iterdir())))
        w.shot(win, "da-xuat-goi", "package written and read back")

        # 9. the next period, from this one -------------------------------------------------------------------
        nxt = NewReportDialog(desk, win, today=TODAY + dt.timedelta(days=30))
        nxt.tpl_combo.setCurrentIndex(nxt.tpl_combo.findData(TEMPLATE))
        nxt.number.setCurrentIndex(nxt.number.findData(6))
        nxt.inherit.setChecked(True)
        nxt.show()
        w.shot(nxt, "ky-sau", "the next period (June 2026), carried from May")
        nxt.accept()
        assert nxt.rid is not None and nxt.rid != rid, "next report not created"
        win.home.refresh_years()
        win.home.refresh()
        win.open_report(nxt.rid)
        win.editor.show_section("tthc_kq")
        w.shot(win, "ky-sau-mo", "June's report open: what carries over is there")
        win.go_home()
        w.shot(win, "trang-chu", "home: both months listed")
    finally:
        qtutil.DIALOG_HOOK = old_hook
        if win is not None:
            win.close_report()
            win.close()
            win.deleteLater()
        desk.close()
        tmp.cleanup()
        (out / "steps.txt").write_text("\n".join(w.log) + "\n", encoding="utf-8")
    return w


def _wait(w: Walk, cond, seconds: float) -> None:
    end = time.monotonic() + seconds
    while not cond() and time.monotonic() < end:
        w.settle(50)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, help="folder for the screenshots and steps.txt")
    ap.add_argument("--size", default="1366x768", help="screen size, WIDTHxHEIGHT (default 1366x768)")
    a = ap.parse_args(argv)
    size = tuple(int(x) for x in a.size.lower().split("x"))
    try:
        w = walk(Path(a.out), size)  # type: ignore[arg-type]
    except AssertionError as e:
        print(f"walkthrough stopped: {e}", file=sys.stderr)
        return 1
    print(f"{len(w.shots)} screenshots in {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
