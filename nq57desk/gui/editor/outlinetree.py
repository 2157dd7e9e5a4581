"""The navigation tree as the report's outline: the officer renames (F2), hides, adds, reorders (Alt+↑/↓ or drag)
and removes sections, and adds or moves blocks. Every change is one operation of nq57desk.report.outline applied
through the open report's DocSession, so it is undone, saved, checked and kept in the history like any edit."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QMenu,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nq57desk.errors import NQError, error_vi
from nq57desk.gui.qtutil import ask, ask_text, error
from nq57desk.report import outline as ops
from nq57desk.templates.model import MAX_DEPTH

HIDDEN_SUFFIX = " (ẩn — không in)"


class OutlineTree(QTreeWidget):
    """The tree of the editor; a drop moves a section in the report's outline instead of moving tree items."""

    reshape_requested = Signal(object, tuple)  # (operation, args)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setDragDropMode(QAbstractItemView.InternalMove)
        self.setDefaultDropAction(Qt.MoveAction)
        self.sections: set[str] = set()  # keys of the items that are sections of the outline
        self.appendices: set[str] = set()  # keys of the appendices (and "_appendices", the node above them)

    def dropEvent(self, ev) -> None:  # noqa: N802 - Qt's name
        src = self.currentItem()
        target = self.itemAt(ev.position().toPoint())
        ev.ignore()  # the tree is rebuilt from the outline; Qt must not move the items itself
        if src is None or target is None:
            return
        key, tkey = src.data(0, Qt.UserRole), target.data(0, Qt.UserRole)
        if key not in self.sections or tkey not in self.sections or key == tkey:
            return
        pos = self.dropIndicatorPosition()
        parent_item = target.parent()
        parent = parent_item.data(0, Qt.UserRole) if parent_item is not None else None
        if parent is not None and parent not in self.sections:
            parent = None
        if pos == QAbstractItemView.OnItem:
            self.reshape_requested.emit(ops.move_section_to, (key, tkey, None))
            return
        siblings = [parent_item.child(i) if parent_item else self.topLevelItem(i)
                    for i in range(parent_item.childCount() if parent_item else self.topLevelItemCount())]
        keys = [s.data(0, Qt.UserRole) for s in siblings if s.data(0, Qt.UserRole) in self.sections and s is not src]
        index = keys.index(tkey) + (1 if pos == QAbstractItemView.BelowItem else 0)
        self.reshape_requested.emit(ops.move_section_to, (key, parent, index))

    def dragMoveEvent(self, ev) -> None:  # noqa: N802
        target = self.itemAt(ev.position().toPoint())
        if target is None or target.data(0, Qt.UserRole) not in self.sections:
            ev.ignore()
            return
        super().dragMoveEvent(ev)


class OutlineActions:
    """The outline's menu, keys and the section toolbar's actions, for the editor's tree and current section."""

    def __init__(self, editor):
        self.editor = editor
        tree: OutlineTree = editor.tree
        tree.setContextMenuPolicy(Qt.CustomContextMenu)
        tree.customContextMenuRequested.connect(self._menu)
        tree.reshape_requested.connect(lambda op, args: self.apply(op, *args))
        tree.installEventFilter(_Keys(self, tree))

    # the session's template and document ---------------------------------------------------------------------
    @property
    def session(self):
        return self.editor.session

    def section(self, key: str):
        return next((s for _a, s in self.session.tpl.walk_sections() if s.key == key), None)

    def appendix(self, key: str):
        return self.session.tpl.appendix(key)

    def depth(self, key: str) -> int:
        return next((len(a) for a, s in self.session.tpl.walk_sections() if s.key == key), 0)

    def apply(self, op, *args):
        """Run an outline operation; a refusal is shown in Vietnamese, never raised into Qt."""
        if self.session is None:
            return None
        try:
            return self.session.reshape(op, *args)
        except NQError as e:
            error(self.editor, "Dàn ý báo cáo", error_vi(e))
        return None

    # actions -------------------------------------------------------------------------------------------------
    def rename(self, key: str) -> None:
        a = self.appendix(key)
        if a is not None:
            self.rename_appendix(key)
            return
        s = self.section(key)
        if s is None:
            return
        text = ask_text(self.editor, "Đổi tên đề mục", "Tên đề mục trong báo cáo này (số thứ tự do ứng dụng đánh):",
                        s.title)
        if text is not None and text.strip() and text.strip() != s.title:
            self.apply(ops.rename, key, text)

    def rename_appendix(self, key: str) -> None:
        a = self.appendix(key)
        title = ask_text(self.editor, "Đổi tiêu đề phụ lục", f"Tiêu đề của {a.label} (để trống nếu không có):", a.title)
        if title is not None and title.strip() != a.title:
            self.apply(ops.rename_appendix, key, None, title)

    def add_appendix(self) -> None:
        n = len(self.session.tpl.appendices) + 1
        from nq57desk.vn import roman

        title = ask_text(self.editor, "Thêm phụ lục", f"Tiêu đề của Phụ lục {roman(n)}:")
        if title is not None:
            new = self.apply(ops.add_appendix, f"Phụ lục {roman(n)}", title, "text")
            if new:
                self.editor.show_section(new, rebuild=True)

    def toggle_hidden(self, key: str) -> None:
        a = self.appendix(key)
        if a is not None:
            self.apply(ops.set_hidden, key, not a.hidden)
            return
        s = self.section(key)
        if s is not None:
            self.apply(ops.set_hidden, key, not s.hidden)

    def add_child(self, key: str | None) -> None:
        if key is not None and self.depth(key) + 1 >= MAX_DEPTH:
            error(self.editor, "Thêm mục", f"Dàn ý chỉ có tối đa {MAX_DEPTH} cấp đề mục; hãy thêm mục ở cấp trên.")
            return
        title = ask_text(self.editor, "Thêm mục con", "Tên đề mục mới:")
        if title and title.strip():
            new = self.apply(ops.add_section, key, title, None, "text")
            if new:
                self.editor.show_section(new, rebuild=True)

    def add_after(self, key: str) -> None:
        parent, index = self._place(key)
        title = ask_text(self.editor, "Thêm mục", "Tên đề mục mới (đặt ngay sau mục đang chọn):")
        if title and title.strip():
            new = self.apply(ops.add_section, parent, title, index + 1, "text")
            if new:
                self.editor.show_section(new, rebuild=True)

    def added_block(self, key: str) -> dict | None:
        """The description of a block the officer added to this report (None for a template's block)."""
        return ((self.session.doc.get("outline") or {}).get("blocks") or {}).get(key) if self.session else None

    def edit_table(self, key: str) -> None:
        from nq57desk.gui.editor.tabledialog import describe_table

        spec = describe_table(self.session, self.editor, self.added_block(key))
        if spec is not None:
            self.apply(ops.edit_block, key, spec)

    def remove_block(self, key: str) -> None:
        b = self.session.tpl.block(key) if self.session else None
        name = (getattr(b, "title", "") or getattr(b, "label", "") or "nội dung này") if b else "nội dung này"
        if ask(self.editor, "Xóa nội dung", f"Xóa «{name}» và những gì đã nhập trong đó?",
               "Có thể hoàn tác bằng Ctrl+Z.", yes="Xóa", no="Không xóa"):
            self.apply(ops.remove_block, key)

    def add_block(self, key: str, kind: str) -> None:
        if kind == "table":
            from nq57desk.gui.editor.tabledialog import describe_table

            spec = describe_table(self.session, self.editor)
            if spec is not None:
                self.apply(ops.add_block, key, spec)
            return
        if kind == "figures":
            from nq57desk.gui.editor.figuregroup import pick_figure_group

            spec = pick_figure_group(self.session, self.editor)
            if spec is not None:
                self.apply(ops.add_block, key, spec)
            return
        label = ops.ADDABLE_KINDS.get(kind, "Nội dung")
        spec = {"type": kind, "label": label}
        if kind == "list":
            spec["marker"] = "-"
        if kind == "assessment":
            spec["items"] = "causes"  # «Nguyên nhân khách quan», «Nguyên nhân chủ quan», as the reports write them
        self.apply(ops.add_block, key, spec)

    def move(self, key: str, delta: int) -> None:
        self.apply(ops.move_section, key, delta)
        self.editor.select(key)

    def remove(self, key: str) -> None:
        a = self.appendix(key)
        if a is not None:
            if a.added and ask(self.editor, "Xóa phụ lục", f"Xóa «{a.label}» và nội dung đã nhập trong phụ lục này?",
                               "Có thể hoàn tác bằng Ctrl+Z.", yes="Xóa", no="Không xóa"):
                self.apply(ops.remove_appendix, key)
                self.editor.show_section("_appendices", rebuild=True)
            return
        s = self.section(key)
        if s is None or not s.added:
            return
        if ask(self.editor, "Xóa mục", f"Xóa mục «{s.title}» và nội dung đã nhập trong mục này?",
               "Có thể hoàn tác bằng Ctrl+Z.", yes="Xóa", no="Không xóa"):
            parent, _i = self._place(key)
            self.apply(ops.remove_section, key)
            self.editor.show_section(parent or self.editor.first_section(), rebuild=True)

    def move_block(self, section: str) -> None:
        """Choose a block of this section and the section it goes to."""
        s = self.section(section)
        if s is None or not s.blocks:
            return
        d = QDialog(self.editor)
        d.setWindowTitle("Chuyển nội dung sang mục khác")
        lay = QVBoxLayout(d)
        form = QFormLayout()
        blocks, dest = QComboBox(), QComboBox()
        for b in s.blocks:
            blocks.addItem(b.label or b.key, b.key)
        for key, title in self.editor.section_titles():
            if key != section:
                dest.addItem(title, key)
        form.addRow("Nội dung:", blocks)
        form.addRow("Chuyển đến mục:", dest)
        lay.addLayout(form)
        bb = QDialogButtonBox()
        bb.addButton("Chuyển", QDialogButtonBox.AcceptRole)
        bb.addButton("Hủy", QDialogButtonBox.RejectRole)
        bb.accepted.connect(d.accept)
        bb.rejected.connect(d.reject)
        lay.addWidget(bb)
        d.resize(620, d.sizeHint().height())
        if d.exec() and dest.count():
            self.apply(ops.move_block, blocks.currentData(), dest.currentData())

    def _place(self, key: str) -> tuple[str | None, int]:
        for anc, s in self.session.tpl.walk_sections():
            if s.key == key:
                sibs = anc[-1].children if anc else self.session.tpl.sections
                return (anc[-1].key if anc else None), [x.key for x in sibs].index(key)
        return None, 0

    # the context menu ------------------------------------------------------------------------------------------
    def menu_for(self, key: str) -> QMenu:
        m = QMenu(self.editor)
        if key == "_appendices" or self.appendix(key) is not None:
            return self._appendix_menu(m, key)
        s = self.section(key)
        if s is None:
            return m
        m.addAction("Đổi tên đề mục…", lambda: self.rename(key)).setShortcut(QKeySequence(Qt.Key_F2))
        m.addAction("Hiện lại mục này" if s.hidden else "Ẩn mục này (không áp dụng, không in)",
                    lambda: self.toggle_hidden(key))
        m.addSeparator()
        m.addAction("Thêm mục ngay sau mục này…", lambda: self.add_after(key))
        m.addAction("Thêm mục con…", lambda: self.add_child(key))
        m.addMenu(self.add_menu(key, m))
        if s.blocks:
            m.addAction("Chuyển nội dung sang mục khác…", lambda: self.move_block(key))
        m.addSeparator()
        m.addAction("Chuyển lên", lambda: self.move(key, -1)).setShortcut(QKeySequence("Alt+Up"))
        m.addAction("Chuyển xuống", lambda: self.move(key, 1)).setShortcut(QKeySequence("Alt+Down"))
        if s.added:
            m.addSeparator()
            m.addAction("Xóa mục tự thêm…", lambda: self.remove(key))
        return m

    def _appendix_menu(self, m: QMenu, key: str) -> QMenu:
        a = self.appendix(key)
        if a is not None:
            m.addAction("Đổi tiêu đề phụ lục…", lambda: self.rename_appendix(key)).setShortcut(QKeySequence(Qt.Key_F2))
            m.addAction("Hiện lại phụ lục này" if a.hidden else "Ẩn phụ lục này (không in)",
                        lambda: self.toggle_hidden(key))
            m.addMenu(self.add_menu(key, m))
        m.addAction("Thêm phụ lục…", self.add_appendix)
        if a is not None and a.added:
            m.addSeparator()
            m.addAction("Xóa phụ lục tự thêm…", lambda: self.remove(key))
        return m

    def add_menu(self, key: str, parent: QWidget) -> QMenu:
        """«Thêm nội dung vào mục này»: every block kind an officer may add."""
        add = QMenu("Thêm nội dung vào mục này", parent)
        for kind, label in ops.ADDABLE_KINDS.items():
            add.addAction(label, lambda k=kind: self.add_block(key, k))
        return add

    def _menu(self, pos) -> None:
        it = self.editor.tree.itemAt(pos)
        key = it.data(0, Qt.UserRole) if it is not None else None
        if key not in self.editor.tree.sections and key not in self.editor.tree.appendices:
            if key is not None:
                return
            key = "_appendices"  # below the last item: the appendices' menu offers «Thêm phụ lục…»
        self.menu_for(key).exec(self.editor.tree.viewport().mapToGlobal(pos))


class _Keys(QWidget):
    """F2, Alt+↑/↓ and Delete on the tree (an event filter: the tree keeps its own arrow keys and type-ahead)."""

    def __init__(self, actions: OutlineActions, tree: QTreeWidget):
        super().__init__(tree)
        self.actions, self.tree = actions, tree
        self.hide()

    def eventFilter(self, obj, ev) -> bool:  # noqa: N802
        if ev.type() != ev.Type.KeyPress:
            return False
        it = self.tree.currentItem()
        key = it.data(0, Qt.UserRole) if it is not None else None
        if key not in self.tree.sections and key not in self.tree.appendices:
            return False
        if ev.key() == Qt.Key_F2:
            self.actions.rename(key)
            return True
        if ev.modifiers() & Qt.AltModifier and ev.key() in (Qt.Key_Up, Qt.Key_Down) and key in self.tree.sections:
            self.actions.move(key, -1 if ev.key() == Qt.Key_Up else 1)
            return True
        return False


def style_item(it: QTreeWidgetItem, hidden: bool, added: bool) -> None:
    """A hidden section reads greyed and says it is not printed; an added one is shown upright like the rest."""
    if hidden:
        f = QFont(it.font(0))
        f.setItalic(True)
        it.setFont(0, f)
        it.setForeground(0, Qt.gray)
        it.setText(0, it.text(0) + HIDDEN_SUFFIX)
        it.setToolTip(0, it.text(0))
    it.setData(0, Qt.UserRole + 1, "added" if added else "")
