"""The table editor: fixed or free rows, group rows, merged headers, Excel paste/copy, one undo step per action."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QStyledItemDelegate,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from nq57desk.gui.formctx import ERROR_COLOR, FormContext
from nq57desk.gui.qtutil import icon
from nq57desk.gui.tables.tablehead import GroupHeader
from nq57desk.gui.tables.tableops import TableOps
from nq57desk.gui.tables.tablespec import TableSpec, VRow, spec_of  # noqa: F401 - spec_of is used by blocks
from nq57desk.gui.textwidgets import VLineEdit, VPlainTextEdit, combo
from nq57desk.gui.values import NUMBER_TYPES, display, is_bad, parse_input
from nq57desk.report.derive import format_value
from nq57desk.templates.model import Column

GREY = QColor("#eceff1")
GROUP_BG = QColor("#dde3ea")
ERR_BG = QColor("#fbd5d5")
WARN_BG = QColor("#fde6c4")


class _Delegate(QStyledItemDelegate):
    """Cell editors that are safe for Unikey: our line edit, plain text for long cells, a completer-free combo."""

    def __init__(self, editor: TableEditor):
        super().__init__(editor)
        self.ed = editor

    def createEditor(self, parent, option, index):  # noqa: N802 - Qt API
        col = self.ed.spec.columns[index.column()]
        if col.type == "longtext":
            w = VPlainTextEdit(parent)
            w.setTabChangesFocus(True)
            w.installEventFilter(self)
            return w
        if col.choices or col.type == "yesno":
            items = [""] + (list(col.choices) if col.choices else ["Có", "Không"])
            w = combo(items, editable=col.allow_other and col.type != "yesno", parent=parent)
            return w
        return VLineEdit("", parent)

    def updateEditorGeometry(self, w, option, index):  # noqa: N802 - Qt API
        """An editor bigger than its cell when the text needs it: long text gets five lines, one-line text the width
        of what is typed (up to the table's width); kept inside the table."""
        super().updateEditorGeometry(w, option, index)
        r = w.geometry()
        vp = self.ed.table.viewport().rect()
        fm = w.fontMetrics()
        if isinstance(w, QPlainTextEdit):
            r.setHeight(max(r.height(), fm.lineSpacing() * 5 + 12))
            r.setWidth(max(r.width(), min(vp.width(), 320)))
        elif isinstance(w, VLineEdit):
            text = index.data(Qt.EditRole) or ""
            r.setWidth(max(r.width(), min(vp.width(), fm.horizontalAdvance(text) + 24)))
        if r.right() > vp.right():
            r.moveRight(vp.right())
        if r.bottom() > vp.bottom():
            r.moveBottom(max(vp.bottom(), r.height() - 1))
        r.moveLeft(max(0, r.left()))
        r.moveTop(max(0, r.top()))
        w.setGeometry(r)

    def setEditorData(self, w, index):  # noqa: N802 - Qt API
        text = index.data(Qt.EditRole) or ""
        if isinstance(w, QComboBox):
            w.setCurrentText(text)
        elif isinstance(w, QPlainTextEdit):
            w.setPlainText(text)
            # typing over a cell replaces it (as one-line cells and Excel do); F2 or a double-click edits it
            if self.ed.table.typed_over:
                w.selectAll()
            else:
                w.moveCursor(QTextCursor.End)
        else:
            w.setText(text)

    def eventFilter(self, obj, ev):  # noqa: N802 - Qt API
        """In a long-text cell Enter finishes the cell (as in Excel); Alt+Enter or Shift+Enter starts a new line."""
        if isinstance(obj, QPlainTextEdit) and ev.type() == QEvent.KeyPress and ev.key() in (Qt.Key_Return, Qt.Key_Enter):
            if ev.modifiers() & (Qt.AltModifier | Qt.ShiftModifier):
                obj.insertPlainText("\n")
            else:
                self.commitData.emit(obj)
                self.closeEditor.emit(obj, QAbstractItemDelegate.NoHint)
            return True
        return super().eventFilter(obj, ev)

    def setModelData(self, w, model, index):  # noqa: N802 - Qt API
        if isinstance(w, QComboBox):
            text = w.currentText()
        elif isinstance(w, QPlainTextEdit):
            text = w.toPlainText()
        else:
            text = w.text()
        model.setData(index, text, Qt.EditRole)


class _Grid(QTableWidget):
    def __init__(self, editor: TableEditor):
        super().__init__(editor)
        self.ed = editor
        self.typed_over = False  # editing started by typing a character over the cell (not F2, not a click)

    def resizeEvent(self, ev):  # noqa: N802 - Qt API
        super().resizeEvent(ev)
        if ev.oldSize().width() != ev.size().width():
            self.ed._set_widths()

    def keyPressEvent(self, ev):  # noqa: N802 - Qt API
        if self.state() != QAbstractItemView.EditingState:
            if ev.matches(QKeySequence.Copy):
                self.ed.copy()
                return
            if ev.matches(QKeySequence.Paste):
                self.ed.paste()
                return
            if ev.key() == Qt.Key_Delete and ev.modifiers() == Qt.NoModifier:
                self.ed.clear_selection()
                return
            self.typed_over = bool(ev.text()) and ev.text().isprintable()
        try:
            super().keyPressEvent(ev)
        finally:
            self.typed_over = False


class TableEditor(TableOps, QWidget):
    MAX_HEIGHT = 520

    def __init__(self, ctx: FormContext, spec: TableSpec, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.spec = ctx, spec
        self.path = ("values", spec.key)
        self.rows: list[VRow] = []
        self._loading = False
        self._findings: list = []
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(3)
        bar = QHBoxLayout()
        bar.setSpacing(4)
        if not spec.fixed:
            for name, text, fn in (("row-add", "Thêm dòng", self.add_row), ("row-insert", "Chèn dòng", self.insert_row),
                                   ("row-delete", "Xóa dòng", self.delete_rows), ("up", "Lên", lambda: self.move(-1)),
                                   ("down", "Xuống", lambda: self.move(1))):
                b = QToolButton()
                b.setIcon(icon(name))
                b.setText(text)
                b.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
                b.setAutoRaise(True)
                b.clicked.connect(fn)
                bar.addWidget(b)
        hint = QLabel("Dán từ Excel: chọn ô bắt đầu rồi nhấn Ctrl+V")
        hint.setStyleSheet("color: #607080;")
        bar.addStretch(1)
        bar.addWidget(hint)
        lay.addLayout(bar)
        t = self.table = _Grid(self)
        cols = spec.columns
        labels = [ctx.fill(c.label) + (f" ({c.unit})" if c.unit else "") for c in cols]
        self.header = GroupHeader(labels, [tuple(ctx.fill(g) for g in c.group) for c in cols], t)
        t.setColumnCount(len(cols))
        t.setHorizontalHeader(self.header)
        t.setHorizontalHeaderLabels(labels)
        t.verticalHeader().setVisible(False)
        t.setWordWrap(True)
        t.setItemDelegate(_Delegate(self))
        t.setEditTriggers(QAbstractItemView.DoubleClicked | QAbstractItemView.EditKeyPressed |
                          QAbstractItemView.AnyKeyPressed | QAbstractItemView.SelectedClicked)
        t.setSelectionMode(QAbstractItemView.ExtendedSelection)
        t.setHorizontalScrollMode(QAbstractItemView.ScrollPerPixel)
        t.setVerticalScrollMode(QAbstractItemView.ScrollPerPixel)
        t.itemChanged.connect(self._item_changed)
        lay.addWidget(t)
        self.populate()
        self._set_widths()
        key = spec.key
        ctx.register(key, t, focus=self.focus_key, mark=self.mark)
        ctx.refreshers.append(self.refresh_computed)

    # layout ------------------------------------------------------------------------------------------------
    def _set_widths(self) -> None:
        """Relative widths from the template; stretched to fill the form when the table is narrower."""
        fm = self.fontMetrics()
        unit = fm.averageCharWidth() * 9
        base = []
        for c in self.spec.columns:
            w = c.width or (0.6 if c.type == "stt" else 1.2 if c.type in NUMBER_TYPES + ("measure", "date") else
                            3.0 if c.type == "longtext" else 2.0)
            base.append(max(44, int(w * unit)))
        avail = self.table.viewport().width() - 2
        if 0 < sum(base) < avail:
            cols = self.spec.columns
            grow = [0 if c.type == "stt" else b if c.type not in NUMBER_TYPES else b // 4 for b, c in zip(base, cols, strict=False)]
            extra = avail - sum(base)
            base = [b + int(extra * g / max(1, sum(grow))) for b, g in zip(base, grow, strict=False)]
            base = [min(w, 200) if c.type in NUMBER_TYPES and any(x.type not in NUMBER_TYPES + ("stt",) for x in cols)
                    else w for w, c in zip(base, cols, strict=False)]
        elif sum(base) > avail > 0:
            f = avail / sum(base)  # slightly too wide: shrink when every column stays readable
            small = [int(b * f) for b in base]
            if all(w >= (40 if c.type == "stt" else 70 if c.type in NUMBER_TYPES else 100)
                   for w, c in zip(small, self.spec.columns, strict=False)):
                base = small
        if base != [self.table.columnWidth(i) for i in range(len(base))]:
            for i, w in enumerate(base):
                self.table.setColumnWidth(i, w)
            self.table.resizeRowsToContents()
            self._fit_height()

    def _values(self):
        v = self.ctx.session.get(self.path)
        if self.spec.fixed:
            return v if isinstance(v, dict) else {}
        return v if isinstance(v, list) else []

    def _layout(self, data: list | None = None) -> list[VRow]:
        out: list[VRow] = []
        if self.spec.fixed:
            for r in self.spec.rows:
                if r.kind == "group":
                    num, _, lab = r.label.partition("|") if "|" in r.label else ("", "", r.label)
                    out.append(VRow("group", r.key, label=lab, number=num))
                else:
                    out.append(VRow("data", r.key))
        else:
            data = self._values() if data is None else data
            gkeys = [g for g, _ in self.spec.groups]
            for i, x in enumerate(data):
                if not isinstance(x, dict) or x.get("_group") not in gkeys:
                    out.append(VRow("data", i))
            for g, glabel in self.spec.groups:
                num, _, lab = glabel.partition("|")
                out.append(VRow("group", None, group=g, label=lab, number=num))
                out += [VRow("data", i, group=g) for i, x in enumerate(data) if isinstance(x, dict) and x.get("_group") == g]
        if self.spec.total_label:
            out.append(VRow("total", label=self.spec.total_label))
        return out

    def cell_key(self, vr: VRow, col: Column) -> str:
        if self.spec.fixed:
            return f"{self.spec.key}.{vr.ref}.{col.key}"
        return f"{self.spec.key}[{vr.ref + 1}].{col.key}"

    def _cell(self, vr: VRow, col: Column, n: int) -> tuple[str, bool]:
        """(text, editable) of one data cell."""
        s = self.ctx.session
        if col.type == "stt":
            given = None
            if self.spec.fixed:
                given = next(r for r in self.spec.rows if r.key == vr.ref).cell(col.key)
            return (str(given) if given is not None else str(n)), False
        if self.spec.fixed:
            rd = next(r for r in self.spec.rows if r.key == vr.ref)
            fixed = rd.cell(col.key)
            if fixed is not None:
                return format_value(col, fixed) if col.type in NUMBER_TYPES else str(fixed), False
            ck = f"{self.spec.key}.{vr.ref}.{col.key}"
            if col.cumulative_of and ck in (s.doc.get("carried") or {}):
                tb = s.tpl.table(self.spec.key)
                return format_value(col, s.env().cell(tb, vr.ref, col.key)), False
            raw = (self._values().get(vr.ref) or {}).get(col.key)
        else:
            row = self._values()[vr.ref]
            raw = row.get(col.key) if isinstance(row, dict) else None
        key = self.cell_key(vr, col)
        if key in s.invalid and key in s.raw_text:
            return s.raw_text[key], True
        return display(col.type, raw, col.decimals), True

    def populate(self) -> None:
        t, cols = self.table, self.spec.columns
        self._loading = True
        t.clearSpans()
        self.rows = self._layout()
        t.setRowCount(len(self.rows))
        first_text = next((i for i, c in enumerate(cols) if c.type != "stt"), 0)
        stt = next((i for i, c in enumerate(cols) if c.type == "stt"), None)
        bold = QFont(t.font())
        bold.setBold(True)
        n = 0
        self._cells: dict[str, tuple[int, int]] = {}
        for r, vr in enumerate(self.rows):
            if vr.kind != "data":
                for c in range(len(cols)):
                    it = QTableWidgetItem("")
                    it.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable)
                    it.setBackground(QBrush(GROUP_BG))
                    it.setFont(bold)
                    t.setItem(r, c, it)
                if stt is not None and vr.number:
                    t.item(r, stt).setText(vr.number)
                t.item(r, first_text).setText(self.ctx.fill(vr.label))
                if vr.kind == "group":
                    if not self.spec.fixed:
                        n = 0
                    if len(cols) - first_text > 1:
                        t.setSpan(r, first_text, 1, len(cols) - first_text)
                continue
            n += 1
            for c, col in enumerate(cols):
                self._cells[self.cell_key(vr, col)] = (r, c)
                text, editable = self._cell(vr, col, n)
                it = QTableWidgetItem(text)
                if editable:
                    it.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable | Qt.ItemIsEditable)
                    it.setToolTip(text)  # the whole text of a long cell on hover
                else:
                    it.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable)
                    it.setBackground(QBrush(GREY))
                    it.setToolTip("Ô cố định hoặc tính tự động; không sửa được.")
                if col.type in NUMBER_TYPES or (col.type == "measure" and text[:1].isdigit()):
                    it.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                if col.type == "stt":
                    it.setTextAlignment(Qt.AlignCenter)
                t.setItem(r, c, it)
        self._fill_total()
        self._loading = False
        t.resizeRowsToContents()
        self._fit_height()
        self.mark(self._findings)

    def _fill_total(self) -> None:
        for r, vr in enumerate(self.rows):
            if vr.kind != "total":
                continue
            s = self.ctx.session
            for c, col in enumerate(self.spec.columns):
                if not col.total:
                    continue
                if self.spec.fixed:
                    v = s.env().cell(s.tpl.table(self.spec.key), "total", col.key)
                else:
                    vals = [x.get(col.key) for x in self._values() if isinstance(x, dict)]
                    nums = [v for v in vals if isinstance(v, (int, float)) and not isinstance(v, bool)]
                    v = sum(nums) if nums else None
                self.table.item(r, c).setText(format_value(col, v))
                self.table.item(r, c).setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)

    def _fit_height(self) -> None:
        t = self.table
        h = self.header.needed_height() + sum(t.rowHeight(r) for r in range(t.rowCount())) + 2 * t.frameWidth()
        if sum(t.columnWidth(c) for c in range(t.columnCount())) > t.viewport().width():
            h += t.horizontalScrollBar().sizeHint().height()
        t.setFixedHeight(max(60, min(self.max_height(), h + 4)))

    def max_height(self) -> int:
        """As tall as the page shows (a long table is not a strip with the page empty below it), MAX_HEIGHT when not
        on a page yet."""
        page = self._page()
        if page is None or page.widget() is None:
            return self.MAX_HEIGHT
        room = page.viewport().height()
        top = self.table.mapTo(page.widget(), self.table.rect().topLeft()).y()
        if top + self.MAX_HEIGHT // 2 <= room:  # near the top of the page (an appendix): down to the page's bottom
            return room - top - 12
        return max(self.MAX_HEIGHT // 2, room - self.table.y() - 12)  # lower down: one page when scrolled to

    def _page(self) -> QScrollArea | None:
        w = self.parentWidget()
        while w is not None and not isinstance(w, QScrollArea):
            w = w.parentWidget()
        return w

    def showEvent(self, ev):  # noqa: N802 - Qt API
        super().showEvent(ev)
        page = self._page()
        if page is not None and not getattr(self, "_watching", False):
            self._watching = True
            page.viewport().installEventFilter(self)
        self._fit_height()

    def eventFilter(self, obj, ev):  # noqa: N802 - Qt API
        if ev.type() == QEvent.Resize and ev.oldSize().height() != ev.size().height():
            self._fit_height()
        return False

    def refresh_computed(self) -> None:
        """After any edit: totals and carried cumulative cells."""
        self._loading = True
        self._fill_total()
        if self.spec.fixed:
            carried = self.ctx.session.doc.get("carried") or {}
            for r, vr in enumerate(self.rows):
                if vr.kind != "data":
                    continue
                for c, col in enumerate(self.spec.columns):
                    if col.cumulative_of and f"{self.spec.key}.{vr.ref}.{col.key}" in carried:
                        self.table.item(r, c).setText(self._cell(vr, col, 0)[0])
        self._loading = False

    def resizeEvent(self, ev):  # noqa: N802 - Qt API
        super().resizeEvent(ev)
        self.header.fit()

    # editing -----------------------------------------------------------------------------------------------
    def _path(self, vr: VRow, col: Column) -> tuple:
        return self.path + (vr.ref, col.key)

    def _item_changed(self, it: QTableWidgetItem) -> None:
        if self._loading:
            return
        vr = self.rows[it.row()]
        if vr.kind != "data":
            return
        col = self.spec.columns[it.column()]
        s = self.ctx.session
        if not self.spec.fixed and not isinstance(self._values(), list):
            s.set(self.path, [])
        v = self._store(vr, col, it.text(), group=self.cell_key(vr, col))
        self.ctx.session.break_group()
        if not is_bad(v):
            self._loading = True
            it.setText(display(col.type, v, col.decimals))
            it.setToolTip(it.text())
            self._loading = False
        self.table.resizeRowToContents(it.row())

    def _store(self, vr: VRow, col: Column, text: str, group=None, apply=True, target=None):
        """Parse typed text for one cell; invalid text is kept, reported, and stored as blank."""
        s = self.ctx.session
        key = self.cell_key(vr, col)
        v = parse_input(col.type, text, None)
        label = f"{self.ctx.fill(self.spec.title)}, cột «{self.ctx.fill(col.label)}»"
        if is_bad(v):
            s.raw_text[key] = text
            s.mark_invalid(key, self.ctx.where, label, str(v))
            stored = None
        else:
            s.raw_text.pop(key, None)
            s.clear_invalid(key)
            stored = v
        if target is not None:
            row = target.setdefault(vr.ref, {}) if self.spec.fixed else target[vr.ref]
            if stored is None:
                row.pop(col.key, None)
            else:
                row[col.key] = stored
        elif apply:
            s.set(self._path(vr, col), stored, group=group)
        return v

    def _editable(self, r: int, c: int) -> bool:
        it = self.table.item(r, c)
        return bool(it and it.flags() & Qt.ItemIsEditable)

    # findings and navigation -------------------------------------------------------------------------------
    def _find_cell(self, key: str) -> tuple[int, int] | None:
        return getattr(self, "_cells", {}).get(key)

    def focus_key(self, key: str) -> None:
        self.table.setFocus()
        rc = self._find_cell(key)
        if rc:
            self.table.setCurrentCell(*rc)
            self.reveal(*rc)

    def reveal(self, r: int, c: int) -> None:
        """Cell (r, c) on screen: scrolled to in the table, and the page scrolled to the table's row."""
        t = self.table
        it = t.item(r, c)
        if it is None:
            return
        t.scrollToItem(it, QAbstractItemView.EnsureVisible)
        rect = t.visualItemRect(it)
        page = self._page()
        if page is not None and page.widget() is not None:
            pos = t.viewport().mapTo(page.widget(), rect.center())
            page.ensureVisible(pos.x(), pos.y(), rect.width() // 2 + 20, rect.height() // 2 + 40)

    def select_text(self, key: str, _start: int, _len: int) -> None:
        self.focus_key(key)

    def mark(self, findings) -> None:
        self._findings = findings
        if self._loading:
            return
        self._loading = True
        by_cell: dict[tuple[int, int], str] = {}
        tips: dict[tuple[int, int], list[str]] = {}
        table_level = None
        for f in findings:
            rc = self._find_cell(f.key)
            if rc is None:
                table_level = "error" if f.severity == "error" or table_level == "error" else "warning"
                continue
            tips.setdefault(rc, []).append(f.message)
            if by_cell.get(rc) != "error":
                by_cell[rc] = f.severity
        for r, vr in enumerate(self.rows):
            if vr.kind != "data":
                continue
            for c in range(len(self.spec.columns)):
                it = self.table.item(r, c)
                if it is None:
                    continue
                sev = by_cell.get((r, c))
                if sev:
                    it.setBackground(QBrush(ERR_BG if sev == "error" else WARN_BG))
                    it.setToolTip("\n".join(tips[(r, c)]))
                elif it.flags() & Qt.ItemIsEditable:
                    it.setBackground(QBrush())
                    it.setToolTip(it.text())
        color = ERROR_COLOR if table_level == "error" else "#e67e00" if table_level else None
        self.table.setStyleSheet(f"QTableWidget {{ border: 2px solid {color}; }}" if color else "")
        self._loading = False
