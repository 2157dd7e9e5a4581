"""What a table editor edits: a table block (or a documents list seen as a table), and its rows as shown."""

from __future__ import annotations

from dataclasses import dataclass

from nq57desk.templates.model import Column, DocumentsBlock, RowDef, TableBlock

DOC_KINDS = ("Kế hoạch", "Quyết định", "Công văn", "Chỉ thị", "Nghị quyết", "Thông báo", "Chương trình",
             "Hướng dẫn", "Báo cáo", "Kết luận")


@dataclass
class TableSpec:
    key: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[RowDef, ...] | None
    groups: tuple[tuple[str, str], ...] = ()
    total_label: str = ""

    @property
    def fixed(self) -> bool:
        return self.rows is not None


def spec_of(b) -> TableSpec:
    if isinstance(b, TableBlock):
        return TableSpec(b.key, b.title or b.label, b.columns, b.rows, b.groups, b.total_label)
    if isinstance(b, DocumentsBlock):
        cols = (Column("kind", "Loại văn bản", "choice", choices=DOC_KINDS, width=1.4),
                Column("number", "Số, ký hiệu", "text", width=1.3),
                Column("date", "Ngày ban hành", "date", width=1.2),
                Column("issuer", "Cơ quan ban hành (nếu khác)", "text", width=1.6),
                Column("subject", "Trích yếu (về việc …)", "longtext", width=4))
        return TableSpec(b.key, b.label, cols, None, (), "")
    raise TypeError(b)


@dataclass
class VRow:
    kind: str  # data | group | total
    ref: object = None  # fixed: row key; free: index in the stored list
    group: str | None = None
    label: str = ""
    number: str = ""
