"""One input widget per field type, bound to a path in the document through the session."""

from __future__ import annotations

from PySide6.QtCore import QDate, QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QCalendarWidget,
    QHBoxLayout,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from nq57desk.gui.formctx import FormContext, mark_widget, summary
from nq57desk.gui.qtutil import dmy, icon
from nq57desk.gui.textwidgets import VLineEdit, VPlainTextEdit, combo
from nq57desk.gui.values import NUMBER_TYPES, Bad, display, is_bad, parse_input
from nq57desk.report.derive import format_value
from nq57desk.templates.model import Field
from nq57desk.vn import nfc, parse_date

READONLY_STYLE = "QLineEdit { background: #eef1f4; color: #1a3d66; font-weight: bold; }"


class _Binding:
    """Typed text → session, with invalid input reported as a finding (never a blocked key)."""

    def __init__(self, ctx: FormContext, ftype: str, path: tuple, key: str, label: str, blank=None, nonneg=False):
        self.ctx, self.ftype, self.path, self.key, self.label, self.blank = ctx, ftype, path, key, label, blank
        self.nonneg = nonneg  # counts and amounts the document check refuses when negative: never stored

    def push(self, text: str) -> None:
        s = self.ctx.session
        v = parse_input(self.ftype, text, self.blank)
        if self.nonneg and isinstance(v, (int, float)) and not isinstance(v, bool) and v < 0:
            v = Bad(f"«{text.strip()}»: số ở đây không được âm.")
        if is_bad(v):
            s.raw_text[self.key] = text
            s.mark_invalid(self.key, self.ctx.where, self.label, str(v))
            s.set(self.path, self.blank, group=self.key)
        else:
            s.raw_text.pop(self.key, None)
            s.clear_invalid(self.key)
            s.set(self.path, v, group=self.key)

    def shown(self, decimals=None) -> str:
        s = self.ctx.session
        if self.key in s.invalid and self.key in s.raw_text:
            return s.raw_text[self.key]
        return display(self.ftype, s.get(self.path), decimals)


def on_screen(anchor: QWidget, size) -> QPoint:
    """Below the field, or above it when there is no room (a date low in the form at 125 %), never off screen."""
    below = anchor.mapToGlobal(anchor.rect().bottomLeft())
    screen = anchor.screen().availableGeometry() if anchor.screen() is not None else None
    if screen is None:
        return below
    x, y = below.x(), below.y()
    if y + size.height() > screen.bottom():
        y = anchor.mapToGlobal(anchor.rect().topLeft()).y() - size.height()
    x = min(max(screen.left(), x), screen.right() - size.width())
    y = min(max(screen.top(), y), screen.bottom() - size.height())
    return QPoint(x, y)


def line_input(ctx: FormContext, ftype: str, path: tuple, key: str, label: str, blank=None,
               decimals: int | None = None, nonneg: bool = False) -> VLineEdit:
    """Numbers, one-line text, measures: a plain QLineEdit. Numbers are re-shown as 14.722 when you leave."""
    b = _Binding(ctx, ftype, path, key, label, blank, nonneg)
    w = VLineEdit(b.shown(decimals))
    w.setProperty("path", path)
    if ftype in NUMBER_TYPES:
        w.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
        w.setMaximumWidth(190)
        w.setPlaceholderText("")

    def finished():
        ctx.session.break_group()
        if key not in ctx.session.invalid:
            txt = b.shown(decimals)
            if txt != w.text():
                w.setText(txt)
        elif ftype not in NUMBER_TYPES and nfc(w.text()) != w.text():
            w.setText(nfc(w.text()))

    w.textEdited.connect(b.push)
    w.editingFinished.connect(finished)
    ctx.register(key, w, select=_select_line(w))
    return w


def _select_line(w: QLineEdit):
    def sel(_key, start, length):
        w.setFocus()
        w.setSelection(start, length)
    return sel


def text_area(ctx: FormContext, path: tuple, key: str, label: str, blank="", min_lines=3) -> VPlainTextEdit:
    """Narrative: multi-line plain text that grows with its content."""
    w = VPlainTextEdit(auto_height=True, min_lines=min_lines)
    w.setPlainText(ctx.session.get(path) or "")
    w.setProperty("path", path)

    def changed():
        txt = nfc(w.toPlainText())
        ctx.session.set(path, txt if txt.strip() else blank, group=key)

    w.textChanged.connect(changed)
    w.installEventFilter(_FocusOut(ctx, w))
    ctx.register(key, w, select=_select_plain(w))
    return w


def _select_plain(w: VPlainTextEdit):
    def sel(_key, start, length):
        w.setFocus()
        cur = w.textCursor()
        cur.setPosition(start)
        cur.setPosition(start + length, QTextCursor.KeepAnchor)
        w.setTextCursor(cur)
        w.ensureCursorVisible()
    return sel


def lines_area(ctx: FormContext, path: tuple, key: str, label: str, strip_dash=False, min_lines=2) -> VPlainTextEdit:
    """A list of lines (issuer, Nơi nhận, Kính gửi, signature lines): one line each."""
    w = VPlainTextEdit(auto_height=True, min_lines=min_lines)
    w.setPlainText("\n".join(ctx.session.get(path) or []))

    def changed():
        out = []
        for line in nfc(w.toPlainText()).split("\n"):
            t = line.strip()
            if strip_dash and t[:2] in ("- ", "+ "):
                t = t[2:].strip()
            if t:
                out.append(t)
        ctx.session.set(path, out, group=key)

    w.textChanged.connect(changed)
    w.installEventFilter(_FocusOut(ctx, w))
    ctx.register(key, w, select=_select_plain(w))
    return w


class _FocusOut(QObject):
    """Leaving a text area ends its undo step."""

    def __init__(self, ctx, w):
        super().__init__(w)
        self.ctx = ctx

    def eventFilter(self, obj, ev):  # noqa: N802 - Qt API
        if ev.type() == QEvent.FocusOut:
            self.ctx.session.break_group()
        return False


def date_input(ctx: FormContext, path: tuple, key: str, label: str, blank=None, ftype: str = "date") -> QWidget:
    """dd/mm/yyyy typed freely, or picked from a calendar; "reportdate" also takes mm/yyyy (the day left blank)."""
    box = QWidget()
    lay = QHBoxLayout(box)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.setSpacing(2)
    ed = line_input(ctx, ftype, path, key, label, blank)
    ed.setPlaceholderText("ngày/tháng/năm")
    ed.setMaximumWidth(130)
    btn = QToolButton()
    btn.setIcon(icon("calendar"))
    btn.setToolTip("Chọn ngày trên lịch")
    btn.setFocusPolicy(Qt.NoFocus)
    btn.clicked.connect(lambda: pick_date(ed, btn))
    lay.addWidget(ed)
    lay.addWidget(btn)
    lay.addStretch(1)
    ctx.register(key, ed, select=_select_line(ed))
    return box


def pick_date(ed: QLineEdit, anchor: QWidget) -> None:
    popup = QWidget(anchor, Qt.Popup)
    lay = QVBoxLayout(popup)
    lay.setContentsMargins(2, 2, 2, 2)
    cal = QCalendarWidget()
    cal.setGridVisible(True)
    cal.setFirstDayOfWeek(Qt.Monday)
    cal.setVerticalHeaderFormat(QCalendarWidget.NoVerticalHeader)
    d = parse_date(ed.text())
    if d:
        cal.setSelectedDate(QDate(d.year, d.month, d.day))

    def chosen(qd: QDate):
        txt = dmy(f"{qd.year():04d}-{qd.month():02d}-{qd.day():02d}")
        ed.setText(txt)
        ed.textEdited.emit(txt)
        ed.editingFinished.emit()
        popup.close()
        ed.setFocus()

    cal.clicked.connect(chosen)
    cal.activated.connect(chosen)
    lay.addWidget(cal)
    popup.adjustSize()
    popup.move(on_screen(anchor, popup.size()))
    popup.show()
    cal.setFocus()


def choice_input(ctx: FormContext, path: tuple, key: str, label: str, choices, editable: bool) -> QWidget:
    cur = ctx.session.get(path)
    items = [""] + list(choices)
    if cur and cur not in items:
        items.append(str(cur))
    c = combo(items, editable=editable)
    c.setCurrentText(str(cur or ""))
    c.setMaximumWidth(420)

    def changed(text):
        t = nfc(text).strip()
        ctx.session.set(path, t or None, group=key)

    c.currentTextChanged.connect(changed)
    ctx.register(key, c)
    return c


def yesno_input(ctx: FormContext, path: tuple, key: str, label: str) -> QWidget:
    c = combo(["", "Có", "Không"])
    cur = ctx.session.get(path)
    c.setCurrentIndex(0 if cur is None else 1 if cur else 2)
    c.setMaximumWidth(120)
    c.currentIndexChanged.connect(lambda i: ctx.session.set(path, None if i == 0 else i == 1, group=None))
    ctx.register(key, c)
    return c


def derived_output(ctx: FormContext, f: Field, key: str) -> VLineEdit:
    """A computed value: read-only, updated after every edit, never typed."""
    w = VLineEdit()
    w.setReadOnly(True)
    w.setFocusPolicy(Qt.ClickFocus)
    w.setStyleSheet(READONLY_STYLE)
    w.setMaximumWidth(190)
    w.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
    w.setToolTip("Tính tự động" + (f" theo công thức {f.formula}" if f.formula else " (lũy kế = kỳ trước + kỳ này)")
                 + "; không nhập tay.")
    w.setProperty("base_tip", w.toolTip())

    def refresh():
        v = ctx.session.derived().get(key)
        txt = format_value(f, v) if v is not None else ""
        if w.text() != txt:
            w.setText(txt)

    refresh()
    ctx.refreshers.append(refresh)

    def mark(findings):
        sev, msgs = summary(findings)
        mark_widget(w, sev, msgs)
        if not sev and w.styleSheet() != READONLY_STYLE:  # setting a style sheet costs ~1 ms: only when it changes
            w.setStyleSheet(READONLY_STYLE)

    ctx.register(key, w, mark=mark)
    return w


def field_input(ctx: FormContext, f: Field, path: tuple, key: str) -> QWidget:
    """The input for one template field."""
    label = f.label
    if f.type == "date":
        return date_input(ctx, path, key, label)
    if f.type == "choice":
        return choice_input(ctx, path, key, label, f.choices, editable=False)
    if f.type == "yesno":
        return yesno_input(ctx, path, key, label)
    if f.type == "longtext":
        return text_area(ctx, path, key, label, blank=None, min_lines=2)
    return line_input(ctx, f.type, path, key, label, None, f.decimals)
