"""The amount list's editor: the lead-in, one row per item, the stated total and the items' sum as you type."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel

from nq57desk.gui.editor.fields import line_input, text_area
from nq57desk.gui.editor.rowgrid import LIVE_STYLE, RowGrid
from nq57desk.gui.formctx import FormContext
from nq57desk.report.blockkinds import amounts


class AmountsEditor(RowGrid):
    COLUMNS = (("name", "Nội dung (khoản chi, thiết bị)", "text", 5), ("quantity", "Số lượng", "decimal", 1),
               ("unit", "Đơn vị tính", "text", 1), ("amount", "Thành tiền (đồng)", "money", 2))
    add_text = "Thêm khoản"

    def __init__(self, ctx: FormContext, b):
        self.b = b
        super().__init__(ctx, b.key, b.label or "Kinh phí")
        self.lay.addWidget(QLabel("Câu dẫn (ví dụ: «Tổng kinh phí thực hiện …, gồm:»):"))
        lead = text_area(ctx, ("values", b.key, "lead"), f"{b.key}.lead", "Câu dẫn", blank="", min_lines=1)
        if b.lead:
            from nq57desk.report.amounts import lead_hint

            lead.setPlaceholderText("Gợi ý (không in nếu không dùng): " + lead_hint(b, ctx.text_ctx))
        self.lay.addWidget(lead)
        self.build_grid()
        row = QHBoxLayout()
        lab = QLabel("Tổng cộng (đồng, nếu báo cáo ghi):")
        total = line_input(ctx, "money", ("values", b.key, "total"), f"{b.key}.total", "Tổng cộng", None, nonneg=True)
        lab.setBuddy(total)
        self.sum_label = QLabel()
        self.sum_label.setStyleSheet(LIVE_STYLE)
        row.addWidget(lab)
        row.addWidget(total)
        row.addSpacing(12)
        row.addWidget(self.sum_label, 1)
        self.lay.addLayout(row)
        self.refresh()
        ctx.refreshers.append(self.refresh)

    def rows_path(self) -> tuple:
        return ("values", self.b.key, "items")

    def row_key(self, i: int) -> str:
        return f"{self.b.key}.items[{i}]"

    def title_of(self) -> str:
        return self.b.label or "Kinh phí"

    def refresh(self) -> None:
        v = self.ctx.session.get(("values", self.b.key))
        known = amounts.known_sum(v)
        blanks = sum(a is None for a in amounts.amounts(v))
        txt = f"Cộng các mục: {amounts.money(known)}" if known is not None else "Cộng các mục: chưa có số tiền"
        if known is not None and blanks:
            txt += f" ({blanks} mục chưa ghi số tiền)"
        if self.sum_label.text() != txt:
            self.sum_label.setText(txt)
