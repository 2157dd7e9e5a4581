"""What a generated form shares: the session, the widgets by finding key, and what to refresh after an edit."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QLabel, QWidget

ERROR_COLOR = "#d32f2f"
LABEL_STYLE = "font-weight: bold; color: #1f3b57;"  # a block's own label over its widgets


def block_label(text: str, buddy: QWidget | None = None) -> QLabel:
    """A block's own label over its widgets, wrapped, as the template or the officer words it."""
    lab = QLabel(text)
    lab.setWordWrap(True)
    lab.setStyleSheet(LABEL_STYLE)
    if buddy is not None:
        lab.setBuddy(buddy)
    return lab
WARNING_COLOR = "#e67e00"


class FormContext:
    """Built once per displayed section; dropped when another section is shown."""

    def __init__(self, session, where: str, navigate: Callable[[str], None], rebuild: Callable[[], None]):
        self.session = session
        self.where = where
        self.navigate = navigate  # select another section by key
        self.rebuild = rebuild  # rebuild this form (after adding/removing records, rows …)
        from nq57desk.report.document import context_of

        self.text_ctx = context_of(session.doc)
        self.focusers: dict[str, Callable[[str], None]] = {}
        self.markers: dict[str, Callable[[str | None, list[str]], None]] = {}
        self.refreshers: list[Callable[[], None]] = []
        self.search_targets: dict[str, Callable[[str, int, int], None]] = {}
        self.widgets: dict[str, QWidget] = {}  # key → its input (tests and find use it)
        self.outline_actions = None  # the editor's outline actions (rename, hide, add …), when shown in the editor

    @property
    def tpl(self):
        return self.session.tpl

    def fill(self, text: str) -> str:
        from nq57desk.report.document import fill_placeholders

        return fill_placeholders(text or "", self.text_ctx)

    def register(self, key: str, widget: QWidget | None = None, *, focus: Callable[[str], None] | None = None,
                 mark: Callable[[list], None] | None = None,
                 select: Callable[[str, int, int], None] | None = None) -> None:
        """`key` is the finding key (field key, table.row.col, table[i].col, block key …).

        mark(findings) receives every finding that resolves to this key; by default the widget gets a
        red/orange border and the messages as tooltip.
        """
        if widget is not None:
            self.widgets[key] = widget
        if focus is None and widget is not None:
            focus = lambda _k, w=widget: w.setFocus()  # noqa: E731
        if mark is None and widget is not None:
            mark = lambda fs, w=widget: mark_widget(w, *summary(fs))  # noqa: E731
        if focus:
            self.focusers[key] = focus
        if mark:
            self.markers[key] = mark
        if select:
            self.search_targets[key] = select

    def resolve(self, key: str, table: dict) -> str | None:
        """The registered key for a finding key: itself, else its block (the part before '.' or '[')."""
        if key in table:
            return key
        for sep in ("[", "."):
            head = key.split(sep)[0]
            if head in table:
                return head
        return None

    def focus(self, key: str) -> bool:
        k = self.resolve(key, self.focusers)
        if k is None:
            return False
        self.focusers[k](key)
        return True

    def refresh(self) -> None:
        for fn in self.refreshers:
            fn()

    def mark(self, findings, acknowledged: set[str]) -> None:
        """Colour every widget with a finding: red for errors, orange for warnings not yet acknowledged."""
        per: dict[str, list] = {k: [] for k in self.markers}
        for f in findings:
            if f.severity == "warning" and ack_id(f) in acknowledged:
                continue
            k = self.resolve(f.key, self.markers)
            if k is not None:
                per[k].append(f)
        for k, fn in self.markers.items():
            fn(per[k])


def summary(findings) -> tuple[str | None, list[str]]:
    if not findings:
        return None, []
    sev = "error" if any(f.severity == "error" for f in findings) else "warning"
    return sev, [f.message for f in findings]


def ack_id(f) -> str:
    return f"{f.key}|{f.message}"


def mark_widget(w: QWidget, severity: str | None, messages: list[str]) -> None:
    """A 2-px red/orange border and the messages as tooltip; nothing when clean."""
    cur = w.property("finding") or ""
    want = severity or ""
    tip = "\n".join(messages)
    if cur == want and (w.property("finding_tip") or "") == tip:
        return
    w.setProperty("finding", want)
    w.setProperty("finding_tip", tip)
    base = w.property("base_tip")
    if base is None:
        base = w.toolTip()
        w.setProperty("base_tip", base)
    w.setToolTip("\n".join(x for x in (tip, base) if x))
    if not severity:
        w.setStyleSheet("")
        return
    color = ERROR_COLOR if severity == "error" else WARNING_COLOR
    cls = _style_class(w)
    w.setStyleSheet(f"{cls} {{ border: 2px solid {color}; border-radius: 3px; padding: 1px 2px; }}")


def _style_class(w: QWidget) -> str:
    """A selector for this widget only (never its children)."""
    from PySide6.QtWidgets import QAbstractScrollArea, QComboBox, QLineEdit, QPlainTextEdit

    if not w.objectName():
        w.setObjectName(f"w{id(w):x}")
    for cls in (QLineEdit, QPlainTextEdit, QComboBox, QAbstractScrollArea):
        if isinstance(w, cls):
            return f"{cls.__name__}#{w.objectName()}"
    return f"#{w.objectName()}"
