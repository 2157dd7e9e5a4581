"""Rows of small inputs under a header line, with add and remove: the editors of the amount list and task progress.

Every cell is an ordinary form input (fields.line_input) bound to its path in the document, so typing, undo,
autosave, invalid-input findings and «Kiểm tra» marks work exactly as in the other editors.
"""

from __future__ import annotations

import copy

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QToolButton, QVBoxLayout, QWidget

from nq57desk.gui.editor.fields import line_input
from nq57desk.gui.formctx import FormContext, block_label
from nq57desk.gui.qtutil import icon

HEAD_STYLE = "color: #44515c; font-weight: bold;"
LIVE_STYLE = "color: #1a3d66; font-weight: bold;"


class RowGrid(QWidget):
    """Subclasses give COLUMNS: (name, header, input type, stretch) and where the rows live."""

    COLUMNS: tuple[tuple[str, str, str, int], ...] = ()
    add_text = "Thêm dòng"

    def __init__(self, ctx: FormContext, key: str, title: str):
        super().__init__()
        self.ctx, self.key = ctx, key
        self.lay = QVBoxLayout(self)
        self.lay.setContentsMargins(0, 0, 0, 0)
        self.lay.setSpacing(4)
        if title:
            self.lay.addWidget(block_label(title))

    # where the rows are: the document path of the list, and the finding key of row i (1-based) -------------
    def rows_path(self) -> tuple:
        raise NotImplementedError

    def row_key(self, i: int) -> str:
        raise NotImplementedError

    def rows(self) -> list:
        v = self.ctx.session.get(self.rows_path())
        return v if isinstance(v, list) else []

    def build_grid(self) -> None:
        grid = QGridLayout()
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(3)
        extra = self.extra_heads()
        for c, (_name, head, _t, stretch) in enumerate(self.COLUMNS):
            h = QLabel(head)
            h.setWordWrap(True)
            h.setStyleSheet(HEAD_STYLE)
            grid.addWidget(h, 0, c, Qt.AlignBottom)
            grid.setColumnStretch(c, stretch)
        for j, head in enumerate(extra):
            h = QLabel(head)
            h.setStyleSheet(HEAD_STYLE)
            grid.addWidget(h, 0, len(self.COLUMNS) + j, Qt.AlignBottom)
        rows = self.rows()
        first = None
        for i, _row in enumerate(rows):
            for c, (name, head, ftype, _s) in enumerate(self.COLUMNS):
                w = line_input(self.ctx, ftype, self.rows_path() + (i, name), f"{self.row_key(i + 1)}.{name}",
                               f"{self.title_of()}, dòng {i + 1}, {head.lower()}", None, nonneg=ftype != "text")
                if ftype != "text":
                    w.setMaximumWidth(150 if ftype in ("money",) else 90)
                first = first or w
                grid.addWidget(w, i + 1, c)
            for j, w in enumerate(self.extra_cells(i)):
                grid.addWidget(w, i + 1, len(self.COLUMNS) + j)
            rm = QToolButton()
            rm.setIcon(icon("delete"))
            rm.setToolTip(f"Xóa dòng {i + 1}")
            rm.setAutoRaise(True)
            rm.setFocusPolicy(Qt.NoFocus)
            rm.clicked.connect(lambda _=False, i=i: self.remove(i))
            grid.addWidget(rm, i + 1, len(self.COLUMNS) + len(extra))
        self.lay.addLayout(grid)
        add = QPushButton(icon("add"), self.add_text)
        add.clicked.connect(self.add)
        self.add_button = add
        row = QHBoxLayout()
        row.addWidget(add)
        row.addStretch(1)
        self.lay.addLayout(row)
        if first is None:
            self.ctx.register(self.key, add)
        else:
            self.ctx.register(self.key, focus=lambda _k, w=first: w.setFocus())

    def title_of(self) -> str:
        return ""

    def extra_heads(self) -> list[str]:
        return []

    def extra_cells(self, i: int) -> list[QWidget]:
        return []

    # structure changes: one undo step each, then the form is rebuilt ------------------------------------------
    def _commit(self, rows: list) -> None:
        self.ctx.session.clear_invalid_prefix(self.key)
        self.ctx.session.break_group()
        self.ctx.session.set(self.rows_path(), rows)
        self.ctx.rebuild()

    def add(self) -> None:
        self._commit(copy.deepcopy(self.rows()) + [{}])
        self.ctx.focus(f"{self.row_key(len(self.rows()))}.{self.COLUMNS[0][0]}")

    def remove(self, i: int) -> None:
        rows = copy.deepcopy(self.rows())
        del rows[i]
        self._commit(rows)
