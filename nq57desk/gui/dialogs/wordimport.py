"""«Tạo từ báo cáo Word…» (home page and the «Báo cáo» menu): the file is read and placed on a worker, then a review
lists what went where, with a jump to each place, and «Hoàn tác nhập» removes the new report in one step."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMenu,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from nq57desk.errors import NQError, error_vi, is_sqlite_error
from nq57desk.gui.qtutil import error, icon, open_file, progress
from nq57desk.gui.workers import run_async

TITLE = "Tạo từ báo cáo Word"
FILTERS = ["Báo cáo Word (*.docx *.docm *.doc)", "Mọi tệp (*)"]


def install(win) -> QAction:
    """The entry at the top of the «Báo cáo» menu."""
    if "actImportWord" in win.act:
        return win.act["actImportWord"]
    menu: QMenu = win.menuBar().findChild(QMenu, "menuReport")
    a = QAction(icon("word"), "Tạo từ báo cáo Word…", win)
    a.setObjectName("actImportWord")
    tip = "Tạo báo cáo mới từ một báo cáo Word (.docx) đã có: giữ dàn ý, lời văn, số liệu và bảng của tệp"
    a.setToolTip(tip)
    a.setStatusTip(tip)
    a.triggered.connect(lambda: start(win))
    first = menu.actions()[0] if menu.actions() else None
    menu.insertAction(first, a)
    if first is not None:
        menu.insertSeparator(first)
    win.act["actImportWord"] = a
    return a


class PeriodDialog:
    """The period, asked when the file's subject line names none: the «Tạo báo cáo» dialog's period part."""

    @staticmethod
    def ask(win) -> dict | None:
        from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel

        from nq57desk.gui.dialogs.report import NewReportDialog
        from nq57desk.gui.qtutil import child
        from nq57desk.report.document import make_period

        chosen: dict = {}

        class _D(NewReportDialog):
            def accept(self):  # noqa: D401 - the period only; the import creates the report
                try:
                    chosen["period"] = make_period(**self.period())
                except NQError as e:
                    error(self, TITLE, str(e))
                    return
                QDialog.accept(self)

        d = _D(win.desk, win)
        d.setWindowTitle("Kỳ báo cáo của tệp Word")
        for w in (child(d, QComboBox, "templateCombo"), child(d, QCheckBox, "inheritCheck")):
            w.setVisible(False)
        for lab in d.findChildren(QLabel):
            if lab.buddy() is child(d, QComboBox, "templateCombo"):
                lab.setVisible(False)
        win.word_period_dialog = d
        return chosen.get("period") if d.exec() else None


def start(win, path: str | None = None, period: dict | None = None) -> None:
    """Choose the file (unless given), read and place it on a worker, then show the review."""
    if win.desk is None:
        return
    if win.desk.profile() is None and not win.edit_profile():
        return
    if path is None:
        path = open_file(win, "Chọn báo cáo Word", "", FILTERS)
        if not path:
            return
    dlg = progress(win, TITLE, "Đang đọc tệp Word và xếp vào báo cáo…")
    dlg.show()
    desk = win.desk

    def done(result):
        dlg.close()
        rid, imp = result
        if win.home is not None:
            win.home.refresh_years()
            win.home.refresh()
            win.home.select(rid)
        win.word_review = ReviewDialog(win, rid, imp)
        win.word_review.show()

    def failed(exc):
        dlg.close()
        from nq57desk.wordimport import PeriodUnknown

        if isinstance(exc, PeriodUnknown) and period is None:
            chosen = PeriodDialog.ask(win)
            if chosen is not None:
                start(win, path, chosen)
            return
        if isinstance(exc, NQError | OSError) or is_sqlite_error(exc):
            msg = str(exc) if isinstance(exc, NQError) else f"Không đọc được tệp: {error_vi(exc)}."
            error(win, TITLE, msg, "Chưa có báo cáo nào được tạo.")
        else:
            error(win, TITLE, f"Lỗi không mong muốn ({type(exc).__name__}). Chi tiết đã ghi vào nhật ký.",
                  "Chưa có báo cáo nào được tạo.")

    run_async(lambda: desk.import_word(path, period=period), done, failed)


def _section_of(doc: dict) -> dict[str, str]:
    """Block key → the section or appendix holding it (where the editor jumps)."""
    out: dict[str, str] = {}
    o = doc.get("outline") or {}

    def walk(nodes):
        for n in nodes:
            out[n["key"]] = n["key"]
            for b in n.get("blocks") or []:
                out[b] = n["key"]
            walk(n.get("children") or [])

    walk(o.get("sections") or [])
    for a in o.get("appendices") or []:
        out[a["key"]] = a["key"]
        for b in a.get("blocks") or []:
            out[b] = a["key"]
    return out


class ReviewDialog(QDialog):
    """What the import placed, and where: double-click (or «Đi tới») opens the report at that place."""

    def __init__(self, win, rid: int, imp):
        super().__init__(win)
        self.win, self.rid, self.imp = win, rid, imp
        self.setWindowTitle(f"{TITLE} — kết quả")
        self.resize(900, 600)
        r, doc = imp.review, imp.doc
        lay = QVBoxLayout(self)
        head = QLabel(f"Đã tạo báo cáo số {rid} theo mẫu «{imp.template.title}» ({r.template_why}); "
                      f"xã: {doc['commune'].get('name', doc['commune']['code'])} ({r.commune_why}); "
                      f"kỳ: {r.period_why}.")
        head.setWordWrap(True)
        lay.addWidget(head)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Nội dung", "Vào đâu"])
        self.tree.setColumnWidth(0, 560)
        where = _section_of(doc)

        def group(title: str, rows) -> None:
            g = QTreeWidgetItem([f"{title} ({len(rows)})", ""])
            self.tree.addTopLevelItem(g)
            for text, how, key in rows:
                it = QTreeWidgetItem([text, how])
                it.setToolTip(0, text)
                it.setData(0, Qt.UserRole, where.get(key, key) if key else None)
                g.addChild(it)
            g.setExpanded(title != "Đề mục")

        group("Đề mục", [(t, how, k) for t, k, how in r.headings])
        cat = imp.catalogue

        def named(code: str) -> str:
            ind = cat.get(code)
            return ind.label if ind is not None else code

        def figure(code: str, value) -> str:
            ind = cat.get(code)
            return f"{ind.label}: {ind.value_text(value)}" if ind is not None else f"{code}: {value}"

        group("Số liệu", [(f"{figure(code, value)} — «{sentence}»", "nhóm số liệu", k)
                          for code, value, sentence, k in r.figures])
        group("Bảng", [(label, ("cột số liệu: " + ", ".join(named(c) for c in codes)) if codes else "bảng tự tạo", k)
                       for label, k, codes in r.tables])
        group("Văn bản", [(t, "danh sách văn bản", k) for t, k in r.documents])
        group("Chưa xếp", [(t, "Nội dung chưa xếp", r.unplaced_key) for t in r.unplaced])
        if r.notes:
            group("Ghi chú", [(t, "", None) for t in r.notes])
        self.tree.itemDoubleClicked.connect(lambda it, _c: self.go(it))
        lay.addWidget(self.tree, 1)
        bb = QDialogButtonBox()
        self.b_go = QPushButton(icon("open"), "Đi tới")
        self.b_go.clicked.connect(lambda: self.go(self.tree.currentItem()))
        self.b_undo = QPushButton(icon("undo"), "Hoàn tác nhập")
        self.b_undo.setToolTip("Bỏ báo cáo vừa tạo từ tệp Word (chuyển vào Thùng rác)")
        self.b_undo.clicked.connect(self.undo)
        self.b_close = QPushButton("Đóng")
        self.b_close.clicked.connect(self.accept)
        for b, role in ((self.b_go, QDialogButtonBox.ActionRole), (self.b_undo, QDialogButtonBox.DestructiveRole),
                        (self.b_close, QDialogButtonBox.AcceptRole)):
            bb.addButton(b, role)
        lay.addWidget(bb)

    def go(self, item) -> None:
        """Open the report at the section holding this item."""
        if item is None:
            return
        key = item.data(0, Qt.UserRole)
        if item.parent() is None and item.childCount():
            key = item.child(0).data(0, Qt.UserRole)
        if self.win.session is None or self.win.session.rid != self.rid:
            self.win.open_report(self.rid, key)
        elif key:
            self.win.editor.show_section(key)

    def undo(self) -> None:
        """«Hoàn tác nhập»: the whole import goes, in one step (to the bin, where it can still be restored)."""
        if self.win.session is not None and getattr(self.win.session, "rid", None) == self.rid:
            self.win.close_report()
            self.win.go_home()
        try:
            self.win.desk.delete_report(self.rid)
        except NQError as e:
            error(self, TITLE, str(e))
            return
        if self.win.home is not None:
            self.win.home.refresh()
        self.win.statusBar().showMessage(f"Đã hoàn tác: bỏ báo cáo số {self.rid} tạo từ tệp Word.", 8000)
        self.reject()
