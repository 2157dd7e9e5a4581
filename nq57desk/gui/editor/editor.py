"""The report editor: the outline on the left, the generated form of the selected place on the right."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSplitter,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nq57desk.gui.editor.forms import APPENDICES, HEAD, build_form, outline, place_of_finding
from nq57desk.gui.editor.outlinetree import OutlineActions, OutlineTree, style_item
from nq57desk.gui.formctx import FormContext, ack_id
from nq57desk.gui.qtutil import icon
from nq57desk.report.document import STATUS_VI, context_of, fill_placeholders, is_demo, period_title
from nq57desk.templates.model import TableBlock

MARK_ROLE = Qt.UserRole + 7  # the worst finding under a tree item: error | warning | ""

STATUS_COLOR = {"draft": "#5d6d7e", "done": "#2e7d32", "sent": "#1565c0"}


def path_key(tpl, path) -> tuple[str | None, str | None]:
    """(place, finding-style key) of a document path, to show where an edit (or an undo) happened."""
    if not path:
        return None, None
    if path[0] == "values":
        k = path[1]
        where = tpl.container_of(k)
        rest = path[2:]
        if not rest:
            return where, k
        b = tpl.block(k)
        if isinstance(b, TableBlock) and b.fixed and len(rest) >= 2:
            return where, f"{k}.{rest[0]}.{rest[1]}"
        if isinstance(rest[0], int):
            return where, f"{k}[{rest[0] + 1}]" + (f".{rest[1]}" if len(rest) > 1 else "")
        return where, f"{k}.{rest[0]}"
    if path[0] == "signature":
        return HEAD, "signature" if path[1:] == ("name",) else "signature.lines"
    if path[0] == "header":
        return HEAD, "header." + str(path[1]) if len(path) > 1 else "header.subject"
    return HEAD, str(path[0])


class ReportEditor(QWidget):
    message = Signal(str)

    def __init__(self, settings: QSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings
        self.session = None
        self.ctx: FormContext | None = None
        self.current: str | None = None
        self.acknowledged: set[str] = set()
        self.items: dict[str, QTreeWidgetItem] = {}
        self.marked: dict[str, str] = {}  # section key → the icon its tree item shows (error, warning, blank)
        self.titles: dict[str, str] = {}
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        bar = QFrame()
        bar.setObjectName("reportBar")
        bar.setStyleSheet("#reportBar { background: #eaf0f6; border-bottom: 1px solid #c9d4df; }")
        h = QHBoxLayout(bar)
        h.setContentsMargins(10, 5, 10, 5)
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: bold; color: #12324f;")
        self.title.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.status = QLabel()
        h.addWidget(self.title, 1)
        h.addWidget(self.status)
        lay.addWidget(bar)
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("background: #fff4d6; color: #6b4e00; padding: 4px 10px;")
        self.notice.hide()
        lay.addWidget(self.notice)
        self.splitter = QSplitter(Qt.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.tree = OutlineTree()
        self.tree.setHeaderHidden(True)
        self.tree.setMinimumWidth(200)
        self.tree.setTextElideMode(Qt.ElideRight)
        self.tree.setUniformRowHeights(True)
        self.tree.currentItemChanged.connect(self._tree_changed)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.NoFrame)
        self.scroll.setMinimumWidth(420)
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(self.scroll)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([330, 1000])
        lay.addWidget(self.splitter, 1)
        self.outline_actions = OutlineActions(self)

    # opening and closing -----------------------------------------------------------------------------------
    def open(self, session, section: str | None = None, acknowledged: set[str] | None = None) -> None:
        """`acknowledged`: the accepted warnings when the caller has read them already (else read here)."""
        self.session = session
        session.edited.connect(self._edited)
        session.reloaded.connect(self._reloaded)
        session.findings_changed.connect(self._findings)
        session.status_changed.connect(lambda _s: self._update_title())
        session.notice.connect(self.show_notice)
        session.outline_changed.connect(self._outline_changed)
        self.acknowledged = set(acknowledged) if acknowledged is not None else session.acknowledged_ids()
        self._build_tree()
        self._update_title()
        start = section or self.settings.value(f"report/{session.rid}/section") or HEAD
        self.show_section(start if start in self.items else HEAD)
        self._findings(session.findings)

    def close_session(self) -> None:
        s = self.session
        if s is None:
            return
        if self.current:
            self.settings.setValue(f"report/{s.rid}/section", self.current)
        try:
            s.close()
        finally:
            for sig in (s.edited, s.reloaded, s.findings_changed, s.status_changed, s.notice, s.outline_changed):
                try:
                    sig.disconnect()
                except (RuntimeError, TypeError):
                    pass
            self.session = None
            self.ctx = None
            self.current = None
            old = self.scroll.takeWidget()
            if old is not None:
                old.deleteLater()
            self.tree.clear()
            self.items.clear()
            self.marked.clear()

    def show_notice(self, text: str) -> None:
        """A yellow line above the form until the report's status changes again."""
        self.notice.setText(text)
        self.notice.show()

    def _update_title(self) -> None:
        s = self.session
        if s is None:
            return
        d = s.doc
        demo = is_demo(d)
        self.title.setText(("Báo cáo mẫu — " if demo else "")
                           + f"{d['commune']['name']} — {period_title(d['period'])} — {s.tpl.title}")
        self.title.setToolTip(self.title.text())
        st = d.get("status", "draft")
        self.status.setText(f"Trạng thái: {'Báo cáo mẫu · ' if demo else ''}{STATUS_VI.get(st, st)} · bản "
                            f"{d.get('revision', 1)}")
        self.status.setStyleSheet(f"font-weight: bold; color: {STATUS_COLOR.get(st, '#333')};")
        if demo:
            self.notice.setText("Đây là báo cáo mẫu để xem thử cách làm; không gửi cấp trên được. Xem xong, xóa bằng "
                                "«Báo cáo › Xóa báo cáo mẫu».")
            self.notice.show()
        elif st == "sent":
            self.notice.setText("Báo cáo này đã gửi. Nếu sửa, ứng dụng tạo bản thay thế (bản cũ đã gửi vẫn được giữ).")
            self.notice.show()
        else:
            self.notice.hide()

    def _build_tree(self) -> None:
        tpl = self.session.tpl
        ctx = context_of(self.session.doc)
        self.tree.clear()
        self.items.clear()
        self.marked.clear()
        self.titles.clear()
        parents: list[QTreeWidgetItem] = []
        sections = {s.key: s for _a, s in tpl.walk_sections()}
        self.tree.sections = set(sections)
        self.tree.appendices = {a.key for a in tpl.appendices} | {APPENDICES}
        for key, text, depth, _children in outline(tpl):
            text = fill_placeholders(text, ctx)
            self.titles[key] = text
            it = QTreeWidgetItem([text])
            it.setData(0, Qt.UserRole, key)
            it.setToolTip(0, text)
            flags = it.flags()
            it.setFlags(flags | Qt.ItemIsDragEnabled | Qt.ItemIsDropEnabled if key in sections
                        else flags & ~Qt.ItemIsDragEnabled & ~Qt.ItemIsDropEnabled)
            if key in sections:
                style_item(it, sections[key].hidden, sections[key].added)
            elif tpl.appendix(key) is not None:
                style_item(it, tpl.appendix(key).hidden, tpl.appendix(key).added)
            del parents[depth:]
            if parents:
                parents[-1].addChild(it)
            else:
                self.tree.addTopLevelItem(it)
            parents.append(it)
            self.items[key] = it
        self.tree.expandToDepth(0)
        if APPENDICES in self.items:
            self.items[APPENDICES].setExpanded(True)

    def _outline_changed(self, key) -> None:
        """The outline changed (an operation, undo/redo, a restored revision): the tree follows, the place stays."""
        expanded = {k for k, it in self.items.items() if it.isExpanded()}
        cur = self.current
        self._build_tree()
        for k in expanded:
            if k in self.items:
                self.items[k].setExpanded(True)
        self.current = None
        target = key if key in self.items else cur  # a new section is shown; a new block shows in its section
        self.show_section(target if target in self.items else HEAD)

    def select(self, key: str) -> None:
        if key in self.items:
            self.show_section(key)

    def first_section(self) -> str:
        return next(iter(self.tree.sections & set(self.items)), HEAD)

    def section_titles(self) -> list[tuple[str, str]]:
        """(key, title as the tree shows it) of every section, in outline order."""
        return [(k, t) for k, t in self.titles.items() if k in self.tree.sections]

    # navigation --------------------------------------------------------------------------------------------
    def _tree_changed(self, cur, _prev) -> None:
        if cur is not None:
            key = cur.data(0, Qt.UserRole)
            if key != self.current:
                self.show_section(key)

    def show_section(self, key: str, rebuild: bool = False) -> None:
        if self.session is None or key not in self.items:
            return
        if key == self.current and not rebuild and self.ctx is not None:
            return
        self.session.break_group()
        self.current = key
        it = self.items[key]
        if self.tree.currentItem() is not it:
            self.tree.blockSignals(True)
            self.tree.setCurrentItem(it)
            self.tree.blockSignals(False)
        self.tree.scrollToItem(it)
        self._build_form()

    def _build_form(self) -> None:
        keep = self.scroll.verticalScrollBar().value() if self.ctx is not None and self.ctx.where == self.current else 0
        self.ctx = FormContext(self.session, self.current, self.navigate, self.rebuild)
        self.ctx.outline_actions = self.outline_actions
        form = build_form(self.ctx, self.titles)
        old = self.scroll.takeWidget()
        self.scroll.setWidget(form)
        if old is not None:
            old.hide()
            old.deleteLater()
        self.ctx.mark(self.session.findings, self.acknowledged)
        self._tab_chain(form)
        if keep:
            QTimer.singleShot(0, lambda: self.scroll.verticalScrollBar().setValue(keep))

    def _tab_chain(self, form: QWidget) -> None:
        """Tab goes from the outline into the form and through its inputs in reading order."""
        prev = self.tree
        for w in form.findChildren(QWidget):
            if (w.focusPolicy() & Qt.TabFocus) == Qt.TabFocus and isinstance(w.parentWidget(), QWidget) \
                    and not isinstance(w.parentWidget(), QComboBox) and w.focusProxy() is None:
                QWidget.setTabOrder(prev, w)
                prev = w

    def navigate(self, key: str) -> None:
        self.show_section(key)

    def rebuild(self) -> None:
        """Rebuild the current form (after adding/removing items), keeping the scroll position."""
        QTimer.singleShot(0, lambda: self.show_section(self.current, rebuild=True) if self.session else None)

    def jump_to(self, where: str, key: str | None, start: int | None = None, length: int = 0) -> bool:
        """Show a place and put the cursor on a field (selecting the found text when given)."""
        if where not in self.items:
            return False
        self.show_section(where)
        ok = False
        if key and self.ctx is not None:
            k = self.ctx.resolve(key, self.ctx.search_targets) if start is not None else None
            if k is not None:
                self.ctx.search_targets[k](key, start, length)
                ok = True
            else:
                ok = self.ctx.focus(key)
        QTimer.singleShot(0, self._ensure_focus_visible)
        return ok

    def _ensure_focus_visible(self) -> None:
        w = QApplication.focusWidget()
        form = self.scroll.widget()
        if w is not None and form is not None and form.isAncestorOf(w):
            top = w.mapTo(form, QPoint(0, 0)).y()
            bar, view = self.scroll.verticalScrollBar(), self.scroll.viewport().height()
            if not bar.value() <= top <= bar.value() + view - w.height():
                bar.setValue(max(0, top - view // 3))  # a third down: the context above stays in view

    def jump_to_finding(self, f) -> None:
        self.jump_to(place_of_finding(f), f.key)

    # session signals ---------------------------------------------------------------------------------------
    def _edited(self, _path) -> None:
        if self.ctx is not None:
            self.ctx.refresh()

    def _reloaded(self, path) -> None:
        self._update_title()
        where, key = path_key(self.session.tpl, path)
        if where and where in self.items and where != self.current:
            self.current = None
            self.jump_to(where, key)
        else:
            self.show_section(self.current or HEAD, rebuild=True)
            if key and self.ctx is not None:
                self.ctx.focus(key)
                QTimer.singleShot(0, self._ensure_focus_visible)

    def _findings(self, findings) -> None:
        findings = self._explained_as_warnings(findings)
        if self.ctx is not None:
            self.ctx.mark(findings, self.acknowledged)
        worst: dict[str, str] = {}
        for f in findings:
            if f.severity == "warning" and ack_id(f) in self.acknowledged:
                continue
            place = place_of_finding(f)
            it = self.items.get(place)
            while it is not None:
                k = it.data(0, Qt.UserRole)
                if worst.get(k) != "error":
                    worst[k] = f.severity
                it = it.parent()
        for k, it in self.items.items():
            sev = worst.get(k)
            name = ("error" if sev == "error" else "warning") if sev else "blank"
            if self.marked.get(k) != name:  # a 200-section outline: only what changed, at each live check
                self.marked[k] = name
                it.setIcon(0, icon(name))
                it.setData(0, MARK_ROLE, sev or "")

    def _explained_as_warnings(self, findings) -> list:
        """An error the officer has explained is no longer a red mark in the tree or on its field: it shows as a
        warning, its giải trình in the tooltip («Kiểm tra» still lists it as an explained error)."""
        from dataclasses import replace

        from nq57desk.validation import explainable

        s = self.session
        if s is None or not s.doc.get("explanations"):
            return list(findings)
        out = []
        for f in findings:
            why = s.explanation(f) if f.severity == "error" and explainable(f) else ""
            out.append(replace(f, severity="warning", message=f"{f.message}\nĐã giải trình: {why}") if why else f)
        return out

    def set_acknowledged(self, ids: set[str]) -> None:
        self.acknowledged = set(ids)
        if self.session is not None:
            self._findings(self.session.findings)
