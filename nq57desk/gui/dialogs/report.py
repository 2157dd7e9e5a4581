"""Tạo báo cáo mới and Lịch sử các bản: fixed dialogs loaded from ui/*.ui."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
)

from nq57desk.errors import NQError
from nq57desk.gui.guide import help_key
from nq57desk.gui.qtutil import ask, child, error, load_ui, when
from nq57desk.gui.textwidgets import install_vi_menus
from nq57desk.report.document import PERIOD_VI, STATUS_VI, make_period, period_title
from nq57desk.templates import for_province
from nq57desk.units import province_of
from nq57desk.vn import fmt_date, nfc, parse_date, roman


def period_choices(kind: str) -> list[tuple[str, int]]:
    if kind == "month":
        return [(f"Tháng {n}", n) for n in range(1, 13)]
    if kind == "quarter":
        return [(f"Quý {roman(n)}", n) for n in range(1, 5)]
    if kind == "half":
        return [("6 tháng đầu năm", 1), ("6 tháng cuối năm", 2)]
    if kind == "months":
        return [(f"{n} tháng đầu năm", n) for n in range(1, 13)]
    return []


def default_number(kind: str, today: dt.date) -> int:
    return {"month": today.month, "quarter": (today.month - 1) // 3 + 1, "half": 1 if today.month <= 6 else 2,
            "months": today.month}.get(kind, 1)


class NewReportDialog(QDialog):
    LAST = "newreport/last"  # template id and period kind chosen last time, offered first next time

    def __init__(self, desk, parent=None, today: dt.date | None = None, settings=None):
        super().__init__(parent)
        load_ui("newreport", base=self)
        help_key(self, "bao-cao-moi")
        self.desk = desk
        self.settings = settings if settings is not None else getattr(parent, "settings", None)
        self.today = today or dt.date.today()
        self.rid: int | None = None
        self.templates = for_province(desk.templates(), province_of((desk.profile() or {}).get("commune_code")))
        self.tpl_combo: QComboBox = child(self, QComboBox, "templateCombo")
        self.desc: QLabel = child(self, QLabel, "templateDesc")
        self.kind: QComboBox = child(self, QComboBox, "kindCombo")
        self.year: QComboBox = child(self, QComboBox, "yearCombo")
        self.number: QComboBox = child(self, QComboBox, "numberCombo")
        self.start: QLineEdit = child(self, QLineEdit, "startEdit")
        self.end: QLineEdit = child(self, QLineEdit, "endEdit")
        self.label: QLineEdit = child(self, QLineEdit, "periodLabelEdit")
        self.cutoff: QDateEdit = child(self, QDateEdit, "cutoffDate")
        self.cutoff.setDate(QDate(self.today.year, self.today.month, self.today.day))
        self.inherit: QCheckBox = child(self, QCheckBox, "inheritCheck")
        self.preview: QLabel = child(self, QLabel, "periodPreview")
        install_vi_menus(self)
        for t in self.templates:
            self.tpl_combo.addItem(t.title, t.id)
        for y in range(self.today.year + 1, self.today.year - 6, -1):
            self.year.addItem(str(y), y)
        self.year.setCurrentIndex(1)
        self.tpl_combo.currentIndexChanged.connect(self._template_changed)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        for w in (self.year, self.number):
            w.currentIndexChanged.connect(self._update_preview)
        for w in (self.start, self.end, self.label):
            w.textChanged.connect(self._update_preview)
        self.cutoff.dateChanged.connect(self._update_preview)
        child(self, QPushButton, "okButton").clicked.connect(self.accept)
        child(self, QPushButton, "cancelButton").clicked.connect(self.reject)
        self._restore_last()
        self._template_changed()
        self._restore_last(kind=True)

    def _restore_last(self, kind: bool = False) -> None:
        last = self.settings.value(self.LAST) if self.settings is not None else None
        tid, _, k = str(last or "").partition("|")
        combo, value = (self.kind, k) if kind else (self.tpl_combo, tid)
        i = combo.findData(value) if value else -1
        if i >= 0:
            combo.setCurrentIndex(i)

    def _template_changed(self, *_):
        t = self.templates[self.tpl_combo.currentIndex()] if self.templates else None
        if t is None:
            return
        full = self.desk.template(t.id, t.version)
        self.desc.setText(full.description or "")
        self.kind.blockSignals(True)
        self.kind.clear()
        for k in t.period_kinds:
            self.kind.addItem(PERIOD_VI.get(k, k), k)
        self.kind.blockSignals(False)
        self._kind_changed()

    def _kind_changed(self, *_):
        kind = self.kind.currentData()
        choices = period_choices(kind)
        self.number.blockSignals(True)
        self.number.clear()
        for text, n in choices:
            self.number.addItem(text, n)
        if choices:
            self.number.setCurrentIndex(max(0, self.number.findData(default_number(kind, self.today))))
        self.number.blockSignals(False)
        custom, cutoff = kind == "custom", kind == "cutoff"
        for name, visible in (("numberLabel", bool(choices)), ("startLabel", custom or cutoff), ("endLabel", custom),
                              ("periodLabelLabel", custom), ("yearLabel", not (custom or cutoff)),
                              ("cutoffLabel", cutoff)):
            child(self, QLabel, name).setVisible(visible)
        self.number.setVisible(bool(choices))
        self.year.setVisible(not (custom or cutoff))
        self.cutoff.setVisible(cutoff)
        self.start.setVisible(custom or cutoff)
        self.start.setPlaceholderText("ngày/tháng/năm (để trống: từ 01/01)" if cutoff else "ngày/tháng/năm")
        for w in (self.end, self.label):
            w.setVisible(custom)
        self._update_preview()

    def _typed_date(self, edit: QLineEdit, what: str) -> dt.date | None:
        """A date typed as ngày/tháng/năm; None when left blank; a Vietnamese error naming the box otherwise."""
        text = nfc(edit.text()).strip()
        if not text:
            return None
        d = parse_date(text)
        if d is None or not 2000 <= d.year <= 2100:
            raise NQError(f"{what} «{text}» không phải ngày có thật; gõ dạng ngày/tháng/năm, ví dụ 01/7/2025.")
        return d

    def period(self) -> dict:
        """The period chosen, as make_period's arguments; NQError (Vietnamese) for a date that cannot be."""
        kind = self.kind.currentData()
        if kind == "cutoff":
            e = self.cutoff.date().toPython()
            s = self._typed_date(self.start, "Ngày bắt đầu")
            if s is not None and s > e:
                raise NQError(f"Ngày bắt đầu {fmt_date(s)} sau ngày tính đến {fmt_date(e)}.")
            return {"kind": kind, "start": s.isoformat() if s else None, "end": e.isoformat()}
        if kind == "custom":
            s = self._typed_date(self.start, "Ngày bắt đầu")
            e = self._typed_date(self.end, "Ngày kết thúc")
            if s is None:
                raise NQError("Hãy gõ ngày bắt đầu dạng ngày/tháng/năm (ngày kết thúc để trống: đến thời điểm báo cáo).")
            if e is not None and s > e:
                raise NQError(f"Ngày bắt đầu {fmt_date(s)} sau ngày kết thúc {fmt_date(e)}.")
            p = {"kind": kind, "start": s.isoformat(), "end": e.isoformat() if e else None}
            lab = nfc(self.label.text()).strip()
            if lab:
                p["label"] = lab
            return p
        if kind == "none":
            return {"kind": kind, "year": self.year.currentData()}
        return {"kind": kind, "year": self.year.currentData(), "number": self.number.currentData() if kind != "year" else None}

    def _update_preview(self, *_):
        try:
            p = make_period(**self.period())
        except (NQError, ValueError, TypeError):
            self.preview.setText("")
            return
        if p["kind"] == "none":
            self.preview.setText(f"Kỳ báo cáo: {period_title(p)}")
            return
        end = fmt_date(p["end"]) if p["end"] else "thời điểm báo cáo"
        self.preview.setText(f"Kỳ báo cáo: {period_title(p)} ({fmt_date(p['start'])} – {end})")

    def accept(self) -> None:
        t = self.templates[self.tpl_combo.currentIndex()] if self.templates else None
        if t is None:
            error(self, "Tạo báo cáo", "Chưa có mẫu báo cáo nào.")
            return
        try:
            self.rid = self.desk.create_report(t.id, self.period(), from_previous=self.inherit.isChecked())
        except NQError as e:
            error(self, "Tạo báo cáo", str(e))
            return
        if self.settings is not None:
            self.settings.setValue(self.LAST, f"{t.id}|{self.kind.currentData()}")
        super().accept()


class HistoryDialog(QDialog):
    COLUMNS = ["Bản", "Trạng thái", "Người sửa", "Tạo lúc", "Sửa lần cuối", "Nội dung thay đổi"]

    def __init__(self, session, parent=None):
        super().__init__(parent)
        load_ui("history", base=self)
        help_key(self, "sao-luu")
        self.session = session
        self.restored: int | None = None
        t = self.table = child(self, QTableWidget, "revisionsTable")
        t.setColumnCount(len(self.COLUMNS))
        t.setHorizontalHeaderLabels(self.COLUMNS)
        t.verticalHeader().setVisible(False)
        t.setSelectionBehavior(QAbstractItemView.SelectRows)
        t.setSelectionMode(QAbstractItemView.SingleSelection)
        t.setEditTriggers(QAbstractItemView.NoEditTriggers)
        t.horizontalHeader().setSectionResizeMode(5, QHeaderView.Stretch)
        t.horizontalHeader().sectionResized.connect(lambda *_: t.resizeRowsToContents())
        for i, w in enumerate((50, 130, 110, 125, 125)):
            t.setColumnWidth(i, w)
        self.restore_btn = child(self, QPushButton, "restoreButton")
        self.restore_btn.clicked.connect(self.restore)
        child(self, QPushButton, "closeButton").clicked.connect(self.accept)
        t.itemSelectionChanged.connect(self._update)
        self.refresh()

    def refresh(self) -> None:
        self.session.flush()
        revs = self.session.desk.revisions(self.session.rid)
        t = self.table
        t.setRowCount(len(revs))
        for i, r in enumerate(revs):
            st = STATUS_VI.get(r.status, r.status) + (" (đã khóa)" if r.frozen else "")
            cells = [str(r.number), st, r.author, when(r.created_at), when(r.updated_at), r.summary]
            for j, text in enumerate(cells):
                it = QTableWidgetItem(text)
                it.setData(Qt.UserRole, r.number)
                it.setToolTip(text)
                t.setItem(i, j, it)
        t.resizeRowsToContents()  # a long «Nội dung thay đổi» wraps instead of ending in «…»
        if revs:
            t.selectRow(0)
        self._update()

    def selected(self) -> int | None:
        items = self.table.selectedItems()
        return items[0].data(Qt.UserRole) if items else None

    def _update(self) -> None:
        n = self.selected()
        self.restore_btn.setEnabled(n is not None and n != self.session.doc.get("revision"))

    def restore(self, confirm: bool = True) -> None:
        n = self.selected()
        if n is None:
            return
        if confirm and not ask(self, "Khôi phục", f"Khôi phục nội dung bản {n}?",
                               "Nội dung hiện tại vẫn được giữ trong lịch sử; có thể hoàn tác bằng Ctrl+Z."):
            return
        try:
            self.session.restore_revision(n)
        except NQError as e:
            error(self, "Khôi phục", str(e))
            return
        self.restored = n
        self.refresh()
