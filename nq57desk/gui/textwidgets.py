"""Text inputs that are safe for Unikey/EVKey and speak Vietnamese.

- no input masks, no validators, no completers, Backspace never intercepted (Unikey sends fake Backspaces);
- our own Vietnamese context menu (Hoàn tác, Làm lại, Cắt, Sao chép, Dán, Xóa, Chọn tất cả);
- Ctrl+Z / Ctrl+Y go to the whole-report undo when the window offers one (`undo_target()`);
- paste keeps the text and drops formatting, and characters a DOCX or an Excel file cannot hold (control
  characters, U+FFFE/U+FFFF) are dropped as they come in, with a tooltip at the box saying so.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QComboBox, QLineEdit, QMenu, QPlainTextEdit, QSizePolicy, QToolTip, QWidget

from nq57desk.vn import XML_ILLEGAL, xml_clean

DROPPED = ("Đã bỏ {n} ký tự không phải chữ (ký tự điều khiển hoặc U+FFFE/U+FFFF) khỏi ô này: tệp Word, Excel "
           "không chứa được những ký tự đó.")


def _tell_dropped(w: QWidget, n: int) -> None:
    """Say at the box itself (the place) what was dropped; nothing else changes."""
    QToolTip.showText(w.mapToGlobal(w.rect().bottomLeft()), DROPPED.format(n=n), w)


def _undo_target(w: QWidget):
    fn = getattr(w.window(), "undo_target", None)
    return fn() if callable(fn) else None


def _is_undo_redo(ev) -> bool:
    return ev.matches(QKeySequence.Undo) or ev.matches(QKeySequence.Redo) or (
        ev.key() == Qt.Key_Y and ev.modifiers() == Qt.ControlModifier)


def route_undo_override(w: QWidget, ev) -> bool:
    """In event(): let a ShortcutOverride for undo/redo through to the window's report-wide actions."""
    if ev.type() == QEvent.ShortcutOverride and _is_undo_redo(ev) and _undo_target(w) is not None:
        ev.ignore()
        return True
    return False


def vi_menu(w: QWidget) -> QMenu:
    """The Vietnamese edit menu for a QLineEdit or QPlainTextEdit."""
    m = QMenu(w)
    target = _undo_target(w)
    line = isinstance(w, QLineEdit)
    ro = w.isReadOnly()
    has_sel = w.hasSelectedText() if line else w.textCursor().hasSelection()
    text = w.text() if line else w.toPlainText()
    clip = QGuiApplication.clipboard().text()
    if target is not None:
        a = m.addAction("Hoàn tác", target.undo)
        a.setEnabled(target.can_undo())
        a.setShortcut(QKeySequence.Undo)
        a = m.addAction("Làm lại", target.redo)
        a.setEnabled(target.can_redo())
        a.setShortcut(QKeySequence("Ctrl+Y"))
    else:
        a = m.addAction("Hoàn tác", w.undo)
        a.setEnabled(not ro and (w.isUndoAvailable() if line else w.document().isUndoAvailable()))
        a = m.addAction("Làm lại", w.redo)
        a.setEnabled(not ro and (w.isRedoAvailable() if line else w.document().isRedoAvailable()))
    m.addSeparator()
    a = m.addAction("Cắt", w.cut)
    a.setEnabled(has_sel and not ro)
    a = m.addAction("Sao chép", w.copy)
    a.setEnabled(has_sel)
    a = m.addAction("Dán", w.paste)
    a.setEnabled(bool(clip) and not ro)
    a = m.addAction("Xóa", (w.del_ if line else lambda: w.textCursor().removeSelectedText()))
    a.setEnabled(has_sel and not ro)
    m.addSeparator()
    a = m.addAction("Chọn tất cả", w.selectAll)
    a.setEnabled(bool(text))
    return m


def install_vi_menu(w: QWidget) -> None:
    """Give a widget made elsewhere (e.g. by QUiLoader) our Vietnamese context menu."""
    w.setContextMenuPolicy(Qt.CustomContextMenu)
    w.customContextMenuRequested.connect(lambda pos, w=w: vi_menu(w).exec(w.mapToGlobal(pos)))


def install_vi_menus(root: QWidget) -> None:
    for cls in (QLineEdit, QPlainTextEdit):
        for w in root.findChildren(cls):
            if not isinstance(w, (VLineEdit, VPlainTextEdit)):
                install_vi_menu(w)


class _ReportText:
    """Shared by the text boxes: Ctrl+Z/Ctrl+Y undo the whole report, and the context menu is Vietnamese."""

    def event(self, ev):
        if route_undo_override(self, ev):
            return True
        return super().event(ev)

    def keyPressEvent(self, ev):  # noqa: N802 - Qt API
        if _is_undo_redo(ev) and _undo_target(self) is not None:
            ev.ignore()
            return
        super().keyPressEvent(ev)

    def contextMenuEvent(self, ev):  # noqa: N802 - Qt API
        vi_menu(self).exec(ev.globalPos())


class VLineEdit(_ReportText, QLineEdit):
    """A one-line text box: no mask, no validator; Vietnamese menu; report-wide undo."""

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(xml_clean(text), parent)
        self.textEdited.connect(self._drop_unwritable)

    def _drop_unwritable(self, text: str) -> None:
        n = len(XML_ILLEGAL.findall(text))
        if n:
            pos = self.cursorPosition() - len(XML_ILLEGAL.findall(text[: self.cursorPosition()]))
            self.setText(xml_clean(text))
            self.setCursorPosition(pos)
            _tell_dropped(self, n)


class VPlainTextEdit(_ReportText, QPlainTextEdit):
    """Multi-line plain text: paste keeps text only. With `auto_height`, grows with its content inside a form."""

    def __init__(self, parent: QWidget | None = None, auto_height: bool = False, min_lines: int = 3, max_lines: int = 18):
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setLineWrapMode(QPlainTextEdit.WidgetWidth)
        self._auto, self._min, self._max = auto_height, min_lines, max_lines
        if auto_height:
            self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
            self.document().documentLayout().documentSizeChanged.connect(self._fit)
            self._fit()


    def insertFromMimeData(self, source):  # noqa: N802 - Qt API: text only, never formatting
        if source.hasText():
            text = source.text()
            n = len(XML_ILLEGAL.findall(text))
            self.insertPlainText(xml_clean(text) if n else text)
            if n:
                _tell_dropped(self, n)

    def _fit(self, *_):
        lines = max(self._min, min(self._max, int(self.document().documentLayout().documentSize().height()) + 1))
        fm = self.fontMetrics()
        m = self.contentsMargins()
        h = lines * fm.lineSpacing() + 2 * int(self.document().documentMargin()) + m.top() + m.bottom() + 4
        if self.height() != h:
            self.setFixedHeight(h)

    def resizeEvent(self, ev):  # noqa: N802 - Qt API
        super().resizeEvent(ev)
        if self._auto:
            self._fit()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        s = super().sizeHint()
        return QSize(min(s.width(), 400), s.height())


class _NoWheel(QObject):
    """A combo box that is not focused ignores the wheel, so scrolling a long form never changes a value."""

    def eventFilter(self, obj, ev):  # noqa: N802 - Qt API
        if ev.type() == QEvent.Wheel and isinstance(obj, QComboBox) and not obj.hasFocus():
            ev.ignore()
            return True
        return False


_NO_WHEEL = None


def combo(items: list[str] | tuple[str, ...] = (), editable: bool = False, parent: QWidget | None = None) -> QComboBox:
    """A combo box; when editable its line edit is ours and there is no completer popup (it breaks Unikey)."""
    global _NO_WHEEL
    c = QComboBox(parent)
    if editable:
        c.setEditable(True)
        c.setLineEdit(VLineEdit())
        c.setCompleter(None)
        c.setInsertPolicy(QComboBox.NoInsert)
    c.addItems(list(items))
    c.setFocusPolicy(Qt.StrongFocus)
    if _NO_WHEEL is None:
        _NO_WHEEL = _NoWheel()
    c.installEventFilter(_NO_WHEEL)
    c.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
    c.setMinimumContentsLength(8)
    return c

