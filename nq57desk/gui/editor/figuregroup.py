"""«Nhóm số liệu từ danh mục»: the officer picks indicators of the catalogue to enter as figures in a section.
A figure the report already holds (the same indicator) is shown again under its own key: typed once, one figure."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nq57desk.gui.qtutil import error


def catalogue_of(session):
    """The data folder's catalogue (a province may add indicators), else the shipped one."""
    from nq57desk.templates.catalogue import default_catalogue

    reg = getattr(getattr(session, "desk", None), "registry", None)
    own = reg.catalogue() if reg is not None and hasattr(reg, "catalogue") else None
    return own or default_catalogue()


class FigureGroupDialog(QDialog):
    def __init__(self, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Thêm nhóm số liệu từ danh mục chỉ tiêu")
        self.cat = catalogue_of(session)
        have = {f.indicator for f in session.tpl.fields().values() if f.indicator}
        lay = QVBoxLayout(self)
        t = QLabel("Đánh dấu các chỉ tiêu báo cáo nêu. Tỷ lệ được tính từ các số, không gõ tay; chỉ tiêu báo cáo đã có "
                   "ở mục khác dùng chung một số liệu (in đậm).")
        t.setWordWrap(True)
        lay.addWidget(t)
        self.tree = QTreeWidget()
        self.tree.setObjectName("indicatorTree")
        self.tree.setHeaderLabels(["Chỉ tiêu", "Đơn vị"])
        self.tree.setColumnWidth(0, 520)
        rates = {i.code for i in self.cat.rates}
        for name, codes in self.cat.groups:
            g = QTreeWidgetItem([name, ""])
            g.setFlags(g.flags() | Qt.ItemIsAutoTristate | Qt.ItemIsUserCheckable)
            g.setCheckState(0, Qt.Unchecked)
            for code in codes:
                if code in rates:
                    continue  # computed from the figures picked
                ind = self.cat.get(code)
                it = QTreeWidgetItem([ind.label, ind.shown_unit])
                it.setData(0, Qt.UserRole, code)
                it.setToolTip(0, f"{code} — DHIS2 {ind.dhis2}")
                it.setFlags(it.flags() | Qt.ItemIsUserCheckable)
                it.setCheckState(0, Qt.Unchecked)
                if code in have:
                    f = it.font(0)
                    f.setBold(True)
                    it.setFont(0, f)
                g.addChild(it)
            self.tree.addTopLevelItem(g)
        lay.addWidget(self.tree, 1)
        bb = QDialogButtonBox()
        bb.addButton("Thêm", QDialogButtonBox.AcceptRole).setObjectName("addFigures")
        bb.addButton("Hủy", QDialogButtonBox.RejectRole)
        bb.accepted.connect(self._accept)
        bb.rejected.connect(self.reject)
        lay.addWidget(bb)
        self.resize(760, 560)

    def checked(self) -> list[str]:
        out = []
        for i in range(self.tree.topLevelItemCount()):
            g = self.tree.topLevelItem(i)
            for j in range(g.childCount()):
                it = g.child(j)
                if it.checkState(0) == Qt.Checked:
                    out.append(it.data(0, Qt.UserRole))
        return out

    def label(self) -> str:
        """The group's label in the form: the catalogue group of the first figure picked."""
        codes = self.checked()
        for name, group in self.cat.groups:
            if codes and codes[0] in group:
                return name
        return "Số liệu"

    def _accept(self) -> None:
        if not self.checked():
            error(self, "Thêm nhóm số liệu", "Chưa chọn chỉ tiêu nào.")
            return
        self.accept()


def pick_figure_group(session, parent) -> dict | None:
    """The block spec for the chosen indicators, or None when cancelled."""
    d = FigureGroupDialog(session, parent)
    if not d.exec():
        return None
    return {"type": "fields", "label": d.label(), "indicators": d.checked()}
