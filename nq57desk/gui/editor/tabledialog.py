"""«Bảng tự tạo»: the officer describes a table of the report (its columns, the header groups above them, which
column adds up or which rows count a catalogue figure) and fills its rows in the form like any appendix table.
The description is a block spec in the template syntax (docs/templates.md «Bảng»), kept in the report's outline."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nq57desk.gui.editor.figuregroup import catalogue_of
from nq57desk.gui.qtutil import error
from nq57desk.templates.catalogue import TABLE_FIGURE_TYPES
from nq57desk.templates.fieldtypes import TYPES

# the column kinds an officer picks (nq57desk/templates/fieldtypes.py names them)
KINDS = tuple((k, TYPES[k].label) for k in ("text", "integer", "decimal", "money", "percent", "date"))
NUMERIC = TABLE_FIGURE_TYPES  # the kinds whose column total can be a catalogue figure
NONE = "(không)"
MAX_COLUMNS = 30


class FreeTableDialog(QDialog):
    """Describe a new table, or describe again one the officer added (`spec`: its current description)."""

    def __init__(self, session, spec: dict | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Sửa bảng tự tạo" if spec else "Thêm bảng tự tạo")
        self.cat = catalogue_of(session)
        self.figures = [(i.code, f"{i.label} ({i.shown_unit})") for _g, codes in self.cat.groups for i in
                        map(self.cat.get, codes) if not i.rate]
        self.counts_of = [(c, lab) for c, lab in self.figures if self.cat.get(c).type == "integer"]
        spec = dict(spec or {})
        self.spec = None
        lay = QVBoxLayout(self)
        intro = QLabel("Mỗi dòng dưới đây là một cột của bảng, từ trái sang phải. «Nhóm cột» là tiêu đề chung in trên "
                       "nhiều cột liền nhau (ví dụ «Số hồ sơ trực tuyến» trên «Trong kỳ» và «Lũy kế»). Cột số có thể "
                       "gắn với một chỉ tiêu: tổng cột là số liệu đó của báo cáo, được kiểm tra với số đã ghi ở mục khác.")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        self.title = QLineEdit(spec.get("title", ""))
        self.title.setObjectName("tableTitle")
        self.title.setPlaceholderText("Ví dụ: Bảng số liệu hồ sơ thủ tục hành chính")
        form.addRow("Tên bảng:", self.title)
        cols = list(spec.get("columns") or [])
        self.stt = QCheckBox("Cột «STT» (số thứ tự) ở đầu bảng")
        self.stt.setObjectName("tableStt")
        self.stt.setChecked(not cols or any(c.get("type") == "stt" for c in cols))
        form.addRow("", self.stt)
        lay.addLayout(form)

        self.grid = QTableWidget(0, 4)
        self.grid.setObjectName("tableColumns")
        self.grid.setHorizontalHeaderLabels(["Tên cột", "Nhóm cột (nếu có)", "Kiểu", "Tổng cột là chỉ tiêu"])
        self.grid.horizontalHeaderItem(1).setToolTip("Tiêu đề chung in trên các cột liền nhau có cùng nhóm. Hai tầng "
                                                     "tiêu đề: viết «Tầng trên › Tầng dưới».")
        self.grid.horizontalHeaderItem(3).setToolTip("Cột số có tổng là một chỉ tiêu của danh mục: được kiểm tra với "
                                                     "số đã ghi ở mục khác, hoặc gửi lên cấp trên theo mã chỉ tiêu.")
        hh = self.grid.horizontalHeader()
        hh.setSectionResizeMode(0, QHeaderView.Stretch)
        hh.setSectionResizeMode(1, QHeaderView.Stretch)
        hh.setSectionResizeMode(3, QHeaderView.Stretch)
        lay.addWidget(self.grid, 1)
        row = QHBoxLayout()
        for text, name, fn in (("Thêm cột", "addColumn", lambda: self.add_column()),
                               ("Xóa cột", "removeColumn", self.remove_column),
                               ("Lên", "columnUp", lambda: self.move_column(-1)),
                               ("Xuống", "columnDown", lambda: self.move_column(1))):
            b = QPushButton(text)
            b.setObjectName(name)
            b.clicked.connect(fn)
            row.addWidget(b)
        row.addStretch(1)
        lay.addLayout(row)

        lay.addWidget(QLabel("Đếm dòng (ví dụ: số dòng ghi «Đã hoàn thành» ở cột «Kết quả» là số nhiệm vụ đã hoàn thành):"))
        self.counts = QTableWidget(0, 3)
        self.counts.setObjectName("tableCounts")
        self.counts.setHorizontalHeaderLabels(["Cột chữ", "Chữ trong ô", "Là chỉ tiêu"])
        self.counts.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.counts.setMaximumHeight(120)
        lay.addWidget(self.counts)
        crow = QHBoxLayout()
        b = QPushButton("Thêm cách đếm")
        b.setObjectName("addCount")
        b.clicked.connect(lambda: self.add_count())
        crow.addWidget(b)
        b = QPushButton("Xóa cách đếm")
        b.clicked.connect(lambda: self.counts.removeRow(self.counts.currentRow()) if self.counts.currentRow() >= 0
                          else None)
        crow.addWidget(b)
        crow.addStretch(1)
        lay.addLayout(crow)
        form2 = QFormLayout()
        self.rows_code = self._figure_box(self.counts_of, spec.get("rows_indicator"))
        self.rows_code.setObjectName("rowsIndicator")
        form2.addRow("Số dòng của bảng là chỉ tiêu:", self.rows_code)
        self.total = QCheckBox("Dòng «Tổng cộng» cộng các cột số")
        self.total.setObjectName("tableTotal")
        self.total.setChecked(bool(spec.get("total_label")))
        form2.addRow("", self.total)
        lay.addLayout(form2)

        self.keys: list[str | None] = []
        for c in cols:
            if c.get("type") != "stt":
                self.add_column(c)
        for c in cols:
            for text, code in (c.get("counts") or {}).items():
                self.add_count(c.get("key"), text, code)
        if not self.keys:
            for _ in range(3):
                self.add_column()
        bb = QDialogButtonBox()
        bb.addButton("Lưu bảng" if spec else "Thêm bảng", QDialogButtonBox.AcceptRole).setObjectName("tableOk")
        bb.addButton("Hủy", QDialogButtonBox.RejectRole)
        bb.accepted.connect(self._accept)
        bb.rejected.connect(self.reject)
        lay.addWidget(bb)
        self.resize(900, 620)

    # -- widgets --------------------------------------------------------------------------------------------------
    def _figure_box(self, items, current) -> QComboBox:
        box = QComboBox()
        box.addItem(NONE, None)
        for code, label in items:
            box.addItem(label, code)
        i = box.findData(current) if current else 0
        box.setCurrentIndex(max(0, i))
        return box

    def add_column(self, c: dict | None = None) -> None:
        if len(self.keys) >= MAX_COLUMNS:
            return
        c = c or {}
        r = self.grid.rowCount()
        self.grid.insertRow(r)
        self.keys.append(c.get("key"))
        self.grid.setItem(r, 0, QTableWidgetItem(c.get("label", "")))
        group = c.get("group") or ""
        self.grid.setItem(r, 1, QTableWidgetItem(" › ".join(group) if isinstance(group, list) else group))
        kind = QComboBox()
        for k, label in KINDS:
            kind.addItem(label, k)
        kind.setCurrentIndex(max(0, kind.findData(c.get("type", "text"))))
        self.grid.setCellWidget(r, 2, kind)
        fig = self._figure_box(self.figures, c.get("indicator"))
        self.grid.setCellWidget(r, 3, fig)

        def kind_changed(_i=0, kind=kind, fig=fig):
            numeric = kind.currentData() in NUMERIC
            fig.setEnabled(numeric)
            if not numeric:
                fig.setCurrentIndex(0)

        kind.currentIndexChanged.connect(kind_changed)
        kind_changed()
        self.grid.setCurrentCell(r, 0)

    def remove_column(self) -> None:
        r = self.grid.currentRow()
        if r >= 0:
            self.grid.removeRow(r)
            del self.keys[r]

    def move_column(self, delta: int) -> None:
        r = self.grid.currentRow()
        j = r + delta
        if r < 0 or not 0 <= j < self.grid.rowCount():
            return
        a, b = self._column(r), self._column(j)
        ka, kb = self.keys[r], self.keys[j]
        self._set_column(r, b)
        self._set_column(j, a)
        self.keys[r], self.keys[j] = kb, ka
        self.grid.setCurrentCell(j, 0)

    def _column(self, r: int) -> tuple:
        return (self.grid.item(r, 0).text(), self.grid.item(r, 1).text(), self.grid.cellWidget(r, 2).currentIndex(),
                self.grid.cellWidget(r, 3).currentIndex())

    def _set_column(self, r: int, v: tuple) -> None:
        self.grid.item(r, 0).setText(v[0])
        self.grid.item(r, 1).setText(v[1])
        self.grid.cellWidget(r, 2).setCurrentIndex(v[2])
        self.grid.cellWidget(r, 3).setCurrentIndex(v[3])

    def add_count(self, column: str | None = None, text: str = "", code: str | None = None) -> None:
        r = self.counts.rowCount()
        self.counts.insertRow(r)
        col = QComboBox()
        for i in range(self.grid.rowCount()):
            col.addItem(self.grid.item(i, 0).text() or f"Cột {i + 1}", i)
        if column in self.keys:
            col.setCurrentIndex(self.keys.index(column))
        self.counts.setCellWidget(r, 0, col)
        self.counts.setItem(r, 1, QTableWidgetItem(text))
        self.counts.setCellWidget(r, 2, self._figure_box(self.counts_of, code))

    # -- the description ----------------------------------------------------------------------------------------
    def _accept(self) -> None:
        problems, columns, used = [], [], {k for k in self.keys if k}
        if self.stt.isChecked():
            columns.append({"key": "stt", "label": "STT", "type": "stt"})
            used.add("stt")
        n = 0
        for r in range(self.grid.rowCount()):
            label = self.grid.item(r, 0).text().strip()
            if not label:
                problems.append(f"Cột {r + 1} chưa có tên.")
                continue
            key = self.keys[r]
            while not key:
                n += 1
                key = f"cot_{n}" if f"cot_{n}" not in used else None
            used.add(key)
            self.keys[r] = key
            c = {"key": key, "label": label, "type": self.grid.cellWidget(r, 2).currentData()}
            group = self.grid.item(r, 1).text().strip()
            if group:
                c["group"] = [g.strip() for g in group.split("›") if g.strip()]
            code = self.grid.cellWidget(r, 3).currentData()
            if code:
                c["indicator"] = code
            if self.total.isChecked() and c["type"] in NUMERIC:
                c["total"] = True
            columns.append(c)
        if not any(c["type"] != "stt" for c in columns):
            problems.append("Bảng cần ít nhất một cột.")
        by_row = {}
        for r in range(self.counts.rowCount()):
            text = (self.counts.item(r, 1).text() if self.counts.item(r, 1) else "").strip()
            code = self.counts.cellWidget(r, 2).currentData()
            i = self.counts.cellWidget(r, 0).currentData()
            if not text and not code:
                continue
            if not text or not code or i is None:
                problems.append(f"Cách đếm {r + 1}: cần chọn cột, gõ chữ trong ô và chọn chỉ tiêu.")
                continue
            if "'" in text:
                problems.append(f"Cách đếm {r + 1}: chữ trong ô không dùng dấu nháy đơn (').")
                continue
            by_row.setdefault(i, {})[text] = code
        for i, counts in by_row.items():
            col = next((c for c in columns if c["key"] == self.keys[i]), None)
            if col is None:
                continue
            if col["type"] != "text":
                problems.append(f"Cột «{col['label']}» phải là cột chữ mới đếm được dòng.")
            col["counts"] = counts
        if problems:
            error(self, "Chưa thêm được bảng", "\n".join(problems))
            return
        title = self.title.text().strip()
        spec = {"type": "table", "label": title or "Bảng", "title": title, "columns": columns}
        if self.total.isChecked():
            spec["total_label"] = "Tổng cộng"
        if self.rows_code.currentData():
            spec["rows_indicator"] = self.rows_code.currentData()
        self.spec = spec
        self.accept()


def describe_table(session, parent: QWidget, spec: dict | None = None) -> dict | None:
    d = FreeTableDialog(session, spec, parent)
    d.setAttribute(Qt.WA_DeleteOnClose, False)
    return d.spec if d.exec() else None
