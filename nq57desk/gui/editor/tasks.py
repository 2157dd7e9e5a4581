"""The task-progress editor: one row per plan or phase, the six counts, a note, and the done rate as you type."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from nq57desk.gui.editor.rowgrid import LIVE_STYLE, RowGrid
from nq57desk.gui.formctx import FormContext
from nq57desk.report.blockkinds import tasks


class TasksEditor(RowGrid):
    COLUMNS = (("name", "Kế hoạch, giai đoạn", "text", 4),) + tuple(
        (k, tasks.LABELS[k], "integer", 1) for k in tasks.COUNTS) + (("note", "Ghi chú", "text", 2),)
    add_text = "Thêm kế hoạch, giai đoạn"

    def __init__(self, ctx: FormContext, b):
        self.b = b
        self.rates: list[QLabel] = []
        super().__init__(ctx, b.key, b.label or b.title or "Tiến độ thực hiện nhiệm vụ")
        self.build_grid()
        self.total = QLabel()
        self.total.setStyleSheet(LIVE_STYLE)
        self.total.setWordWrap(True)
        self.lay.addWidget(self.total)
        self.refresh()
        ctx.refreshers.append(self.refresh)

    def rows_path(self) -> tuple:
        return ("values", self.b.key)

    def row_key(self, i: int) -> str:
        return f"{self.b.key}[{i}]"

    def title_of(self) -> str:
        return self.b.label or "Tiến độ nhiệm vụ"

    def extra_heads(self) -> list[str]:
        return ["Tỷ lệ hoàn thành"]

    def extra_cells(self, i: int) -> list:
        lab = QLabel()
        lab.setStyleSheet(LIVE_STYLE)
        lab.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
        lab.setToolTip("Tính tự động: đã hoàn thành / được giao; không nhập tay.")
        self.rates.append(lab)
        return [lab]

    def refresh(self) -> None:
        rows = self.rows()
        for i, lab in enumerate(self.rates):
            r = rows[i] if i < len(rows) and isinstance(rows[i], dict) else {}
            rate = tasks.rate(tasks.n(r, "done"), tasks.n(r, "assigned"))
            txt = tasks.fmt_rate(rate)
            if lab.text() != txt:
                lab.setText(txt)
        t = tasks.totals(rows)
        txt = ""
        if t["assigned"] is not None or t["done"] is not None:
            txt = tasks.sentence("Cộng các dòng", {k: t[k] for k in tasks.COUNTS if t[k] is not None})
        if self.total.text() != txt:
            self.total.setText(txt)
