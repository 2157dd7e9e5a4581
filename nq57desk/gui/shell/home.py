"""Home: the reports of this data folder, filtered by year and status; the bin (Thùng rác) restores."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nq57desk.errors import NQError
from nq57desk.gui.qtutil import ask, error, icon, when
from nq57desk.gui.textwidgets import combo
from nq57desk.report.document import DEMO_MARK, DEMO_TIP

STATUSES = [("", "Tất cả"), ("draft", "Nháp"), ("done", "Hoàn thành"), ("sent", "Đã gửi")]
COLUMNS = ["Xã/phường", "Kỳ báo cáo", "Mẫu báo cáo", "Trạng thái", "Sửa lần cuối"]


class HomePage(QWidget):
    open_report = Signal(int)
    new_report = Signal()
    import_word = Signal()  # «Tạo từ báo cáo Word…» (nq57desk/gui/dialogs/wordimport.py)
    edit_profile = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.desk = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(14, 10, 14, 10)
        lay.setSpacing(8)
        top = QHBoxLayout()
        head = QLabel("Báo cáo thực hiện Nghị quyết 57-NQ/TW")
        head.setStyleSheet("font-size: 14pt; font-weight: bold; color: #12324f;")
        top.addWidget(head, 1)
        self.unit = QLabel()
        self.unit.setStyleSheet("color: #3d4f60;")
        top.addWidget(self.unit)
        prof = QPushButton(icon("profile"), "Thông tin đơn vị…")
        prof.clicked.connect(self.edit_profile)
        top.addWidget(prof)
        lay.addLayout(top)

        filt = QHBoxLayout()
        filt.addWidget(QLabel("Năm:"))
        self.year = combo(["Tất cả"])
        self.year.currentIndexChanged.connect(self.refresh)
        filt.addWidget(self.year)
        filt.addSpacing(12)
        filt.addWidget(QLabel("Trạng thái:"))
        self.status = combo([t for _k, t in STATUSES])
        self.status.currentIndexChanged.connect(self.refresh)
        filt.addWidget(self.status)
        filt.addSpacing(12)
        self.bin = QPushButton(icon("bin"), "Thùng rác")
        self.bin.setCheckable(True)
        self.bin.toggled.connect(self._bin_toggled)
        filt.addWidget(self.bin)
        filt.addStretch(1)
        self.count = QLabel()
        self.count.setStyleSheet("color: #5f6b76;")
        filt.addWidget(self.count)
        lay.addLayout(filt)

        t = self.table = QTableWidget(0, len(COLUMNS))
        t.setHorizontalHeaderLabels(COLUMNS)
        t.verticalHeader().setVisible(False)
        t.setSelectionBehavior(QAbstractItemView.SelectRows)
        t.setSelectionMode(QAbstractItemView.SingleSelection)
        t.setEditTriggers(QAbstractItemView.NoEditTriggers)
        t.setAlternatingRowColors(True)
        t.setWordWrap(False)
        h = t.horizontalHeader()
        h.setSectionResizeMode(QHeaderView.Interactive)
        h.setStretchLastSection(False)
        h.setSectionResizeMode(2, QHeaderView.Stretch)
        t.setColumnWidth(0, 170)
        t.setColumnWidth(1, 190)
        t.setColumnWidth(3, 110)
        t.setColumnWidth(4, 140)
        t.itemActivated.connect(lambda _it: self._open())
        t.itemSelectionChanged.connect(self._update_buttons)
        lay.addWidget(t, 1)
        self.empty = QLabel()
        self.empty.setAlignment(Qt.AlignCenter)
        self.empty.setStyleSheet("color: #5f6b76; font-size: 11pt;")
        lay.addWidget(self.empty)

        btns = QHBoxLayout()
        self.b_new = QPushButton(icon("new"), "Tạo mới…")
        self.b_new.clicked.connect(self.new_report)
        self.b_word = QPushButton(icon("word"), "Tạo từ báo cáo Word…")
        self.b_word.setToolTip("Tạo báo cáo mới từ một báo cáo Word (.docx) đã có")
        self.b_word.clicked.connect(self.import_word)
        self.b_open = QPushButton(icon("open"), "Mở")
        self.b_open.clicked.connect(self._open)
        self.b_dup = QPushButton(icon("duplicate"), "Nhân bản")
        self.b_dup.clicked.connect(self._duplicate)
        self.b_del = QPushButton(icon("delete"), "Xóa")
        self.b_del.setToolTip("Chuyển vào Thùng rác (khôi phục được)")
        self.b_del.clicked.connect(self._delete)
        self.b_restore = QPushButton(icon("restore"), "Khôi phục")
        self.b_restore.clicked.connect(self._restore)
        for b in (self.b_new, self.b_word, self.b_open, self.b_dup, self.b_del, self.b_restore):
            btns.addWidget(b)
        btns.addStretch(1)
        lay.addLayout(btns)
        self._update_buttons()

    def set_desk(self, desk) -> None:
        self.desk = desk
        self.refresh_years()
        self.refresh()

    def refresh_years(self) -> None:
        if self.desk is None:
            return
        years = {r.period_year for r in self.desk.list_reports()} | {dt.date.today().year}
        cur = self.year.currentText()
        self.year.blockSignals(True)
        self.year.clear()
        self.year.addItem("Tất cả")
        for y in sorted(years, reverse=True):
            self.year.addItem(str(y))
        i = self.year.findText(cur)
        self.year.setCurrentIndex(max(0, i))
        self.year.blockSignals(False)

    def refresh(self, *_):
        if self.desk is None:
            return
        p = self.desk.profile() or {}
        c = p.get("commune") or {}
        self.unit.setText(f"Đơn vị: {c.get('name', '')} ({c.get('province_name', '')})" if c else "Chưa thiết lập đơn vị")
        year = int(self.year.currentText()) if self.year.currentIndex() > 0 else None
        status = STATUSES[self.status.currentIndex()][0] or None
        rows = self.desk.list_reports(year=year, status=status, deleted=self.bin.isChecked())
        keep = self.selected_id()
        t = self.table
        t.setRowCount(len(rows))
        for i, r in enumerate(rows):
            # the demo's status says what it is: a draft never sent; its row in italics (the name column is narrow)
            cells = [r.commune_name, r.period_label, r.template_title, DEMO_MARK if r.demo else r.status_vi,
                     when(r.updated_at)]
            for j, text in enumerate(cells):
                it = QTableWidgetItem(text)
                it.setData(Qt.UserRole, r.id)
                it.setToolTip(DEMO_TIP if r.demo else text)
                if r.demo:
                    f = it.font()
                    f.setItalic(True)
                    it.setFont(f)
                t.setItem(i, j, it)
            if r.id == keep:
                t.selectRow(i)
        if rows and not t.selectedItems():
            t.selectRow(0)
        in_bin = self.bin.isChecked()
        self.count.setText(f"{len(rows)} báo cáo" + (" trong thùng rác" if in_bin else ""))
        self.empty.setVisible(not rows)
        self.empty.setText("Thùng rác trống." if in_bin else "Chưa có báo cáo nào. Nhấn «Tạo mới…» để bắt đầu.")
        self._update_buttons()

    def selected_id(self) -> int | None:
        items = self.table.selectedItems()
        return items[0].data(Qt.UserRole) if items else None

    def _update_buttons(self) -> None:
        has = self.selected_id() is not None
        in_bin = self.bin.isChecked()
        self.b_new.setVisible(not in_bin)
        self.b_open.setVisible(not in_bin)
        self.b_dup.setVisible(not in_bin)
        self.b_del.setVisible(not in_bin)
        self.b_restore.setVisible(in_bin)
        for b in (self.b_open, self.b_dup, self.b_del, self.b_restore):
            b.setEnabled(has)

    def _bin_toggled(self, on: bool) -> None:
        self.bin.setText("Quay lại danh sách" if on else "Thùng rác")
        self.refresh()

    def _open(self) -> None:
        rid = self.selected_id()
        if rid is not None and not self.bin.isChecked():
            self.open_report.emit(rid)

    def _duplicate(self) -> None:
        rid = self.selected_id()
        if rid is None:
            return
        try:
            new = self.desk.duplicate_report(rid)
        except NQError as e:
            error(self, "Nhân bản", str(e))
            return
        self.refresh()
        self.select(new)

    def _delete(self) -> None:
        rid = self.selected_id()
        if rid is None:
            return
        if not ask(self, "Xóa báo cáo", "Chuyển báo cáo này vào Thùng rác?", "Có thể khôi phục lại từ Thùng rác."):
            return
        self.desk.delete_report(rid)
        self.refresh()

    def _restore(self) -> None:
        rid = self.selected_id()
        if rid is None:
            return
        self.desk.undelete_report(rid)
        self.refresh()

    def select(self, rid: int) -> None:
        for i in range(self.table.rowCount()):
            if self.table.item(i, 0).data(Qt.UserRole) == rid:
                self.table.selectRow(i)
                return
