"""One generic editor per block type; a section's form is these stacked in template order."""

from __future__ import annotations

import copy

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from nq57desk.gui.editor.fields import derived_output, field_input, line_input, text_area
from nq57desk.gui.formctx import FormContext, block_label
from nq57desk.gui.qtutil import icon
from nq57desk.gui.textwidgets import combo
from nq57desk.report.derive import block_lines, is_computed, render_line
from nq57desk.report.document import hint_text
from nq57desk.templates.fieldtypes import shown_unit
from nq57desk.templates.model import (
    AppendixRefBlock,
    AssessmentBlock,
    Block,
    DocumentsBlock,
    Field,
    FieldsBlock,
    FreeSectionsBlock,
    ListBlock,
    RecordsBlock,
    TableBlock,
    TextBlock,
)

HINT_STYLE = "color: #5f6b76;"
PREVIEW_STYLE = "color: #44515c; background: #f6f8fa; border: 1px solid #dde3e8; padding: 6px;"


def _table(ctx, b):
    """The table editor module (QTableWidget, its header view, delegates) is imported with the first table shown:
    the window can open on a page without one sooner."""
    from nq57desk.gui.tables.tables import TableEditor, spec_of

    return TableEditor(ctx, spec_of(b))


def block_editor(ctx: FormContext, b: Block) -> QWidget | None:
    """The block's editor; a block the officer added to this report carries its own «Sửa bảng…» / «Xóa…» row."""
    w = _editor(ctx, b)
    acts = getattr(ctx, "outline_actions", None)
    if w is None or acts is None or not acts.added_block(b.key):
        return w
    box = QWidget()
    lay = QVBoxLayout(box)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.setSpacing(2)
    lay.addWidget(w)
    lay.addLayout(added_block_row(acts, b))
    return box


def added_block_row(acts, b: Block) -> QHBoxLayout:
    row = QHBoxLayout()
    if isinstance(b, TableBlock) and (b.rows_indicator or any(c.indicator or c.counts for c in b.columns)):
        made = {f.indicator for f in b.figures}
        codes = [c.indicator for c in b.columns if c.indicator] + [code for c in b.columns for _t, code in c.counts]
        codes += [b.rows_indicator] if b.rows_indicator else []
        names = {f.indicator: f.label for f in b.figures}
        names.update({f.indicator: f.label for f in acts.session.tpl.fields().values() if f.indicator})
        given = [f"«{names.get(c, c)}»" for c in codes if c in made]
        checked = [f"«{names.get(c, c)}»" for c in codes if c not in made]
        parts = ([f"Bảng cho số liệu {', '.join(given)} (tính từ các dòng)"] if given else [])
        parts += ([f"đối chiếu với {', '.join(checked)} đã ghi ở mục khác"] if checked else [])
        said = "; ".join(parts)
        t = QLabel(said[:1].upper() + said[1:] + ".")
        t.setWordWrap(True)
        t.setStyleSheet(HINT_STYLE)
        row.addWidget(t, 1)
    else:
        row.addStretch(1)
    if isinstance(b, TableBlock):
        e = QPushButton("Sửa các cột…")
        e.setObjectName("editTable")
        e.setToolTip("Đổi tên, thêm, bớt cột; gắn cột với chỉ tiêu")
        e.clicked.connect(lambda: acts.edit_table(b.key))
        row.addWidget(e)
    r = QPushButton("Xóa…")
    r.setObjectName("removeBlock")
    r.setToolTip("Xóa nội dung tự thêm này (hoàn tác được bằng Ctrl+Z)")
    r.clicked.connect(lambda: acts.remove_block(b.key))
    row.addWidget(r)
    return row


def _editor(ctx: FormContext, b: Block) -> QWidget | None:
    make = EDITORS.get(b.kind, (None, None))[0]
    return make(ctx, b) if make is not None else None


def text_block(ctx: FormContext, b: TextBlock) -> QWidget:
    area = text_area(ctx, ("values", b.key), b.key, b.label or "Nội dung", blank="",
                     min_lines=1 if b.style in ("note", "subtitle") else 4)
    box = _titled(b.label, area)
    if b.hint:
        _hint_row(ctx, b, area, box.layout())
    return box


def documents_block(ctx: FormContext, b: DocumentsBlock) -> QWidget:
    return _titled(b.label or "Văn bản", _table(ctx, b), "Mỗi dòng một văn bản; ngày gõ dạng ngày/tháng/năm.")


def table_block(ctx: FormContext, b: TableBlock) -> QWidget:
    return _titled(ctx.fill(b.title or b.label), _table(ctx, b))


def amounts_block(ctx: FormContext, b) -> QWidget:
    """The kinds of report/kinds.py with an editor module each, imported with the first one shown."""
    from nq57desk.gui.editor.amounts import AmountsEditor

    return AmountsEditor(ctx, b)


def tasks_block(ctx: FormContext, b) -> QWidget:
    from nq57desk.gui.editor.tasks import TasksEditor

    return TasksEditor(ctx, b)


def _hint_row(ctx: FormContext, b, area, lay) -> None:
    """The template's example wording, greyed in the empty box: printed only once the officer writes it or takes it
    («Dùng gợi ý», then edits it to say what the commune did)."""
    text = hint_text(b, ctx.session.doc)
    area.setPlaceholderText("Gợi ý (không in nếu không dùng): " + text)
    use = QPushButton("Dùng gợi ý")
    use.setObjectName("useHint")
    use.setToolTip("Chép câu gợi ý vào ô để sửa lại cho đúng với đơn vị; gợi ý không tự in ra báo cáo.")

    def take():
        if area.toPlainText().strip():
            from nq57desk.gui.qtutil import ask

            if not ask(area, "Dùng gợi ý", "Ô này đã có nội dung. Thay bằng câu gợi ý?", yes="Thay", no="Giữ nguyên"):
                return
        area.setPlainText(text)
        area.setFocus()

    use.clicked.connect(take)
    button_row(lay, use)


def button_row(lay, *buttons) -> None:
    """Buttons on one line under a block, left-aligned."""
    row = QHBoxLayout()
    for b in buttons:
        row.addWidget(b)
    row.addStretch(1)
    lay.addLayout(row)


def _titled(title: str, body: QWidget, hint: str = "") -> QWidget:
    w = QWidget()
    lay = QVBoxLayout(w)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.setSpacing(3)
    if title:
        lay.addWidget(block_label(title, body))
    if hint:
        h = QLabel(hint)
        h.setWordWrap(True)
        h.setStyleSheet(HINT_STYLE)
        lay.addWidget(h)
    lay.addWidget(body)
    return w


# -- fields ----------------------------------------------------------------------------------------------------

def fields_grid(ctx: FormContext, fields: tuple[Field, ...], path_of, key_of) -> QGridLayout:
    grid = QGridLayout()
    grid.setHorizontalSpacing(8)
    grid.setVerticalSpacing(5)
    grid.setColumnStretch(0, 3)
    grid.setColumnStretch(1, 2)
    doc = ctx.session.doc
    for row, f in enumerate(fields):
        lab = QLabel(f.label + (" *" if f.required else ""))
        lab.setWordWrap(True)
        if f.help:
            lab.setToolTip(f.help)
        key = key_of(f)
        computed = bool(f.derived or is_computed(ctx.tpl, doc, key))
        if computed:
            w = derived_output(ctx, f, key)
        else:
            w = field_input(ctx, f, path_of(f), key)
            if f.help:
                w.setToolTip(f.help)
        lab.setBuddy(w)
        # a computed rate already reads "58,33%": a "%" beside it would say it twice
        unit = QLabel("" if computed and f.type == "percent" else shown_unit(f.type, f.unit))
        unit.setStyleSheet(HINT_STYLE)
        align = Qt.AlignTop if f.type == "longtext" else Qt.AlignVCenter
        grid.addWidget(lab, row, 0, align)
        grid.addWidget(w, row, 1)
        grid.addWidget(unit, row, 2, align)
    return grid


def _titled_box(label: str, spacing: int) -> tuple[QWidget, QVBoxLayout]:
    """A block's column: its own label (wrapped, as the template words it) over the widgets."""
    box = QWidget()
    lay = QVBoxLayout(box)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.setSpacing(spacing)
    if label:
        lay.addWidget(block_label(label))
    return box, lay



def fields_block(ctx: FormContext, b: FieldsBlock) -> QWidget:
    box, lay = _titled_box(b.label, 4)
    lay.addLayout(fields_grid(ctx, b.fields, lambda f: ("values", f.key), lambda f: f.key))
    edit = QPushButton("Sửa câu in…")
    edit.setObjectName("editLines")
    edit.setToolTip("Viết câu in số liệu theo cách của đơn vị (số liệu vẫn là số liệu, được kiểm tra)")

    def open_lines():
        from nq57desk.gui.editor.linesdialog import LinesDialog

        if LinesDialog(ctx.session, b, box).exec():
            ctx.rebuild()

    edit.clicked.connect(open_lines)
    button_row(lay, edit)
    if block_lines(b, ctx.session.doc):
        prev = QLabel()
        prev.setWordWrap(True)
        prev.setTextInteractionFlags(Qt.TextSelectableByMouse)
        prev.setStyleSheet(PREVIEW_STYLE)

        def refresh():
            s = ctx.session
            texts = [render_line(line, s.tpl, s.doc, s.env()) for line in block_lines(b, s.doc)]
            text = "\n".join(t for t in texts if t) or "(chưa có số liệu nào: câu không được in)"
            prev.setText("Câu in trong báo cáo:\n" + text)

        refresh()
        ctx.refreshers.append(refresh)
        lay.addWidget(prev)
    return box


# -- assessment ------------------------------------------------------------------------------------------------

def assessment_block(ctx: FormContext, b: AssessmentBlock) -> QWidget:
    box, lay = _titled_box(b.label, 3)
    first = None
    for ik, lab in b.items:
        ed = text_area(ctx, ("values", b.key, ik), f"{b.key}.{ik}", lab, blank="", min_lines=2)
        first = first or ed
        ql = QLabel(f"– {lab}:")
        ql.setBuddy(ed)
        lay.addWidget(ql)
        lay.addWidget(ed)
    if first is not None:
        ctx.register(b.key, first)
    return box


# -- repeated items: lists, records, free sections ---------------------------------------------------------------

class _Repeated(QWidget):
    """Items each in a frame with ↑ ↓ ✕ buttons and an add button; structure changes are one undo step."""

    add_text = "Thêm mục"

    def __init__(self, ctx: FormContext, key: str, title: str):
        super().__init__()
        self.ctx, self.key = ctx, key
        self.path = ("values", key)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        if title:
            lay.addWidget(block_label(title))
        items = self.items()
        for i, item in enumerate(items):
            lay.addWidget(self._frame(i, item, len(items)))
        add = QPushButton(icon("add"), self.add_text)
        add.clicked.connect(self.add)
        row = QHBoxLayout()
        row.addWidget(add)
        self.extra_buttons(row)
        row.addStretch(1)
        lay.addLayout(row)
        if not items:
            ctx.register(key, add)
        else:
            ctx.register(key, focus=lambda _k: ctx.focus(self.focus_key(0)))

    def extra_buttons(self, row: QHBoxLayout) -> None:
        """Buttons beside «Thêm …» (a list's «Dùng gợi ý»)."""

    def items(self) -> list:
        v = self.ctx.session.get(self.path)
        return v if isinstance(v, list) else []

    def new_item(self):
        return ""

    def head_text(self, i: int, item) -> str:
        return f"{i + 1}."

    def body(self, i: int, item, lay: QVBoxLayout) -> None:
        raise NotImplementedError

    def _frame(self, i: int, item, n: int) -> QFrame:
        fr = QFrame()
        fr.setFrameShape(QFrame.StyledPanel)
        v = QVBoxLayout(fr)
        v.setContentsMargins(6, 4, 6, 6)
        v.setSpacing(3)
        head = QHBoxLayout()
        lab = QLabel(self.head_text(i, item))
        lab.setStyleSheet("font-weight: bold;")
        lab.setWordWrap(True)
        head.addWidget(lab, 1)
        self._head_label(i, lab)
        for name, tip, fn, ok in (("up", "Chuyển lên", lambda: self.move(i, -1), i > 0),
                                  ("down", "Chuyển xuống", lambda: self.move(i, 1), i < n - 1),
                                  ("delete", "Xóa mục này", lambda: self.remove(i), True)):
            b = QToolButton()
            b.setIcon(icon(name))
            b.setToolTip(tip)
            b.setAutoRaise(True)
            b.setEnabled(ok)
            b.setFocusPolicy(Qt.NoFocus)
            b.clicked.connect(fn)
            head.addWidget(b)
        v.addLayout(head)
        self.body(i, item, v)
        return fr

    def _head_label(self, i: int, lab: QLabel) -> None:
        pass

    def _commit(self, items: list) -> None:
        self.ctx.session.clear_invalid_prefix(self.key)
        self.ctx.session.set(self.path, items)
        self.ctx.rebuild()

    def add(self) -> None:
        self._commit(copy.deepcopy(self.items()) + [self.new_item()])
        n = len(self.items())
        self.ctx.focus(self.focus_key(n - 1))

    def focus_key(self, i: int) -> str:
        return f"{self.key}[{i + 1}]"

    def remove(self, i: int) -> None:
        items = copy.deepcopy(self.items())
        del items[i]
        self._commit(items)

    def move(self, i: int, step: int) -> None:
        items = copy.deepcopy(self.items())
        j = i + step
        items[i], items[j] = items[j], items[i]
        self._commit(items)


class ListEditor(_Repeated):
    def __init__(self, ctx: FormContext, b: ListBlock):
        self.b = b
        super().__init__(ctx, b.key, b.label)

    def head_text(self, i, item):
        return f"{i + 1}." if self.b.marker == "arabic" else f"Dòng {i + 1} (in với dấu «{self.b.marker}»)"

    def body(self, i, item, lay):
        lay.addWidget(text_area(self.ctx, self.path + (i,), f"{self.key}[{i + 1}]", f"mục {i + 1}", blank="", min_lines=1))

    def extra_buttons(self, row) -> None:
        if not self.b.hint or self.items():
            return
        use = QPushButton("Dùng gợi ý")
        use.setObjectName("useHint")
        use.setToolTip("Gợi ý: " + "; ".join(hint_text(self.b, self.ctx.session.doc)) + " (không in nếu không dùng)")
        use.clicked.connect(lambda: (self.ctx.session.set(self.path, hint_text(self.b, self.ctx.session.doc)),
                                     self.ctx.rebuild()))
        row.addWidget(use)


class RecordsEditor(_Repeated):
    def __init__(self, ctx: FormContext, b: RecordsBlock):
        self.b = b
        self.add_text = f"Thêm {b.item_label}"
        super().__init__(ctx, b.key, b.label)

    def new_item(self):
        return {}

    def head_text(self, i, item):
        title = (item or {}).get(self.b.title_field) if isinstance(item, dict) else ""
        return f"{self.b.item_label.capitalize()} {i + 1}" + (f": {title}" if title else "")

    def _head_label(self, i, lab):
        def refresh():
            items = self.items()
            if i < len(items):
                txt = self.head_text(i, items[i])
                if lab.text() != txt:
                    lab.setText(txt)
        self.ctx.refreshers.append(refresh)

    def focus_key(self, i):
        first = self.b.fields[0].key if self.b.fields else ""
        return f"{self.key}[{i + 1}].{first}"

    def body(self, i, item, lay):
        lay.addLayout(fields_grid(self.ctx, self.b.fields, lambda f: self.path + (i, f.key),
                                  lambda f: f"{self.key}[{i + 1}].{f.key}"))


LEVELS = ["Mục cấp 1", "Mục cấp 2 (mục con)", "Mục cấp 3"]


class FreeSectionsEditor(_Repeated):
    add_text = "Thêm mục mới"

    def __init__(self, ctx: FormContext, b: FreeSectionsBlock):
        self.b = b
        super().__init__(ctx, b.key, b.label or "Các mục tự thêm")

    def new_item(self):
        return {"title": "", "text": "", "level": 0}

    def head_text(self, i, item):
        return f"Mục {i + 1}"

    def focus_key(self, i):
        return f"{self.key}[{i + 1}].title"

    def body(self, i, item, lay):
        row = QHBoxLayout()
        lab = QLabel("Tên mục:")
        title = line_input(self.ctx, "text", self.path + (i, "title"), f"{self.key}[{i + 1}].title", "Tên mục", blank="")
        lab.setBuddy(title)
        level = combo(LEVELS)
        level.setCurrentIndex(max(0, min(2, int((item or {}).get("level") or 0))))
        level.currentIndexChanged.connect(lambda k: self.ctx.session.set(self.path + (i, "level"), k))
        row.addWidget(lab)
        row.addWidget(title, 1)
        row.addWidget(level)
        lay.addLayout(row)
        lay.addWidget(text_area(self.ctx, self.path + (i, "text"), f"{self.key}[{i + 1}].text", "Nội dung", blank="",
                                min_lines=3))


# -- appendix reference ----------------------------------------------------------------------------------------

def appendix_ref(ctx: FormContext, b: AppendixRefBlock) -> QWidget:
    a = ctx.tpl.appendix(b.appendix)
    label = a.label if a else b.appendix
    w = QWidget()
    lay = QHBoxLayout(w)
    lay.setContentsMargins(0, 0, 0, 0)
    t = QLabel(b.text.replace("{label}", label))
    t.setStyleSheet("font-style: italic; color: #44515c;")
    lay.addWidget(t)
    if a is not None:
        go = QPushButton(f"Mở {label}")
        go.clicked.connect(lambda: ctx.navigate(a.key))
        lay.addWidget(go)
    lay.addStretch(1)
    return w


# -- the widget of each block kind -------------------------------------------------------------------------------
# kind (nq57desk/report/kinds.py) → (editor factory, the guide's topic for F1 in it, None: the section's)
EDITORS = {
    "text": (text_block, None),
    "fields": (fields_block, "so-lieu"),
    "list": (ListEditor, None),
    "documents": (documents_block, "bang"),
    "assessment": (assessment_block, None),
    "amounts": (amounts_block, "so-lieu"),
    "tasks": (tasks_block, "so-lieu"),
    "records": (RecordsEditor, "bang"),
    "table": (table_block, "bang"),
    "appendix_ref": (appendix_ref, None),
    "free_sections": (FreeSectionsEditor, None),
}
