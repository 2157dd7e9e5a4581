"""The template model: a report kind described as plain, immutable data."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from nq57desk.templates.fieldtypes import COLUMN_TYPES, FIELD_TYPES, NUMERIC_TYPES  # noqa: F401 - read from here too

NUMBER_STYLES = ("part", "part_roman", "upper", "roman", "arabic", "decimal", "point", "dash", "plus", "none")
# The Decree-30 order of heading levels the reports use (Phần / A. / I. / 1. / 1.1. / a) / - / +): past the levels
# a template or a report declares, numbering goes on down this ladder, so no two levels print alike.
NUMBER_LADDER = ("part", "upper", "roman", "arabic", "decimal", "point", "dash", "plus")
MAX_DEPTH = 6  # heading levels an outline may have
KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")  # keys of sections, blocks and fields, in templates and added by reports
PERIOD_KINDS = ("month", "quarter", "half", "year", "months", "custom", "cutoff", "none")
SEVERITIES = ("error", "warning")
RULE_KINDS = ("le", "lt", "eq", "sum", "range", "in_period", "table_count", "check")

DEFAULT_ASSESSMENT = (
    ("uu_diem", "Ưu điểm"),
    ("ton_tai", "Tồn tại, hạn chế"),
    ("kho_khan", "Khó khăn, vướng mắc"),
    ("nguyen_nhan", "Nguyên nhân"),
    ("giai_phap", "Giải pháp"),
    ("trach_nhiem", "Trách nhiệm"),
)
# `items: causes`: the same headings with the causes split as real reports write them
CAUSES_ASSESSMENT = (
    ("uu_diem", "Ưu điểm"),
    ("ton_tai", "Tồn tại, hạn chế"),
    ("kho_khan", "Khó khăn, vướng mắc"),
    ("nguyen_nhan_khach_quan", "Nguyên nhân khách quan"),
    ("nguyen_nhan_chu_quan", "Nguyên nhân chủ quan"),
    ("giai_phap", "Giải pháp"),
    ("trach_nhiem", "Trách nhiệm"),
)
DOCUMENT_LAYOUTS = ("lines", "paragraph", "grouped")


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    type: str = "integer"
    unit: str = ""
    required: bool = False
    min: float | None = None
    max: float | None = None
    decimals: int | None = None
    choices: tuple[str, ...] = ()
    formula: str | None = None  # derived: computed, never typed
    cumulative_of: str | None = None  # "lũy kế" of this-period field; carried from the previous report
    default: object = None
    help: str = ""
    print_label: bool = True  # records: print "Label: value" (False prints the value alone)
    stated_of: str | None = None  # a rate as the report states it (typed), checked against this computed field
    indicator: str | None = None  # the catalogue code this figure is (nq57desk/templates/catalogue.py)

    @property
    def derived(self) -> bool:
        return self.formula is not None

    @property
    def numeric(self) -> bool:
        return self.type in NUMERIC_TYPES


@dataclass(frozen=True)
class Block:
    kind: str
    key: str
    label: str = ""


@dataclass(frozen=True)
class TextBlock(Block):
    hint: str = ""  # an example shown greyed in the empty field; never printed or stored unless accepted
    style: str = "body"  # body | note (italic line such as "(Phụ lục I kèm theo)") | subtitle (bold line)
    required: bool = False


@dataclass(frozen=True)
class FieldsBlock(Block):
    fields: tuple[Field, ...] = ()
    lines: tuple[str, ...] = ()  # sentence templates: "Tổng số TTHC: {tthc_total}; …"


@dataclass(frozen=True)
class ListBlock(Block):
    marker: str = "arabic"  # arabic: "1. …" generated numbers; "-" or "+": bullet lines
    hint: tuple[str, ...] = ()  # example items, shown greyed; never printed unless accepted


@dataclass(frozen=True)
class DocumentsBlock(Block):
    bullet: str = "-"  # "-" or "+", or "" for no mark
    layout: str = "lines"  # lines: one paragraph each; paragraph: one sentence after `lead`; grouped: by kind
    lead: str = ""
    default_issuer: str = ""


@dataclass(frozen=True)
class AssessmentBlock(Block):
    items: tuple[tuple[str, str], ...] = DEFAULT_ASSESSMENT


@dataclass(frozen=True)
class AmountsBlock(Block):
    """A budget as a total and its parts in đồng (nq57desk/report/blockkinds/amounts.py holds the kind's logic)."""

    lead: str = ""  # the default lead-in sentence ("Tổng kinh phí thực hiện …, gồm:")
    title: str = ""  # the bundle sheet's title


@dataclass(frozen=True)
class TasksBlock(Block):
    """Tasks by plan or phase: assigned, done, on time … (nq57desk/report/blockkinds/tasks.py holds the kind's logic)."""

    layout: str = "sentences"  # sentences: one per row; table: a table
    title: str = ""  # the table's and the bundle sheet's title


@dataclass(frozen=True)
class RecordsBlock(Block):
    fields: tuple[Field, ...] = ()
    title_field: str = "title"
    item_label: str = "mục"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    type: str = "text"
    group: tuple[str, ...] = ()  # outer header labels, outermost first: multi-level headers
    width: float | None = None  # relative width
    unit: str = ""
    choices: tuple[str, ...] = ()
    allow_other: bool = True  # a choice column may also hold free text
    min: float | None = None
    max: float | None = None
    decimals: int | None = None
    cumulative_of: str | None = None
    total: bool = False  # summed in the total row
    indicator: str | None = None  # numeric column: its total is this catalogue figure of the report
    counts: tuple[tuple[str, str], ...] = ()  # text column: (cell text, code): the rows holding it count that figure


@dataclass(frozen=True)
class RowDef:
    key: str
    kind: str = "row"  # row | group
    label: str = ""  # group label
    cells: tuple[tuple[str, object], ...] = ()  # fixed cells given by the template

    def cell(self, key: str, default=None):
        return dict(self.cells).get(key, default)


@dataclass(frozen=True)
class TableBlock(Block):
    title: str = ""
    columns: tuple[Column, ...] = ()
    rows: tuple[RowDef, ...] | None = None  # None: free rows the officer adds
    groups: tuple[tuple[str, str], ...] = ()  # free rows grouped under fixed group headings (key, "I|label")
    total_label: str = ""  # non-empty: a total row summing the `total` columns
    landscape: bool = False
    rows_indicator: str | None = None  # the number of rows is this catalogue figure («12 nhiệm vụ được giao»)
    figures: tuple[Field, ...] = ()  # computed figures the table gives the report (catalogue.table_figures)

    @property
    def fixed(self) -> bool:
        return self.rows is not None

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)

    def data_rows(self) -> Iterator[RowDef]:
        for r in self.rows or ():
            if r.kind == "row":
                yield r


def fields_of(b: Block) -> tuple[Field, ...]:
    """The figures a block gives the report: a fields block's fields, the figures a table's rows count or add up."""
    if isinstance(b, FieldsBlock):
        return b.fields
    if isinstance(b, TableBlock):
        return b.figures
    return ()


@dataclass(frozen=True)
class AppendixRefBlock(Block):
    appendix: str = ""
    text: str = ""  # rendered line; "{label}" is replaced by the appendix label


@dataclass(frozen=True)
class FreeSectionsBlock(Block):
    pass


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    numbered: bool = True
    style: str | None = None  # overrides the template's style for this depth
    show_title: bool = True  # False: the heading is only in the navigation tree, not printed
    blocks: tuple[Block, ...] = ()
    children: tuple[Section, ...] = ()
    hidden: bool = False  # the report leaves this section out (not printed, its figures «không báo cáo»)
    added: bool = False  # the officer added it to this report (it is not in the template)


@dataclass(frozen=True)
class Appendix:
    key: str
    label: str  # "Phụ lục I"
    title: str
    blocks: tuple[Block, ...] = ()
    landscape: bool = False
    hidden: bool = False  # the report leaves it out
    added: bool = False  # the officer added it to this report


@dataclass(frozen=True)
class Rule:
    kind: str
    severity: str
    args: dict
    message: str = ""
    where: str = ""  # section or appendix key the finding points at
    line: int | None = None


@dataclass(frozen=True)
class Template:
    id: str
    version: int
    title: str
    period_kinds: tuple[str, ...]
    subject: str
    doc_symbol: str = "BC-UBND"
    description: str = ""
    kinh_gui: tuple[str, ...] | None = None  # None: the report is not addressed; () addressed, officer fills
    provinces: tuple[str, ...] = ()  # a province's outline: chosen by itself (Word import) only for its communes
    numbering: tuple[str, ...] = ("roman", "arabic", "point")
    intro: tuple[Block, ...] = ()
    sections: tuple[Section, ...] = ()
    closing: tuple[Block, ...] = ()
    appendices: tuple[Appendix, ...] = ()
    appendix_heading: str = ""  # one heading above all appendices ("CÁC PHỤ LỤC CHI TIẾT"); empty: none
    rules: tuple[Rule, ...] = ()
    source: str = ""
    catalogue: str = ""  # stamp of the data folder's catalogue it was read with ("": the shipped one)

    def visible(self) -> Template:
        """This template without the sections a report hides: what is printed, checked and sent upward."""
        v = self.__dict__.get("_visible")
        if v is None:
            def keep(secs):
                return tuple(replace(s, children=keep(s.children)) for s in secs if not s.hidden)

            hidden = any(s.hidden for _a, s in self.walk_sections()) or any(a.hidden for a in self.appendices)
            v = replace(self, sections=keep(self.sections),
                        appendices=tuple(a for a in self.appendices if not a.hidden)) if hidden else self
            if hidden:  # shaping a visible view starts again from the template it came from
                object.__setattr__(v, "_base", self.__dict__.get("_base", self))
            object.__setattr__(self, "_visible", v)
        return v

    # -- navigation -------------------------------------------------------------------------------------
    def walk_sections(self) -> Iterator[tuple[tuple[Section, ...], Section]]:
        """Depth-first (ancestors, section) pairs in document order."""

        def rec(secs, anc):
            for s in secs:
                yield anc, s
                yield from rec(s.children, anc + (s,))

        yield from rec(self.sections, ())

    def containers(self) -> Iterator[tuple[str, str, tuple[Block, ...]]]:
        """Every place that holds blocks: (key, title, blocks), in document order."""
        yield "_intro", "Phần mở đầu", self.intro
        for _anc, s in self.walk_sections():
            yield s.key, s.title, s.blocks
        yield "_closing", "Phần kết", self.closing
        for a in self.appendices:
            yield a.key, f"{a.label}. {a.title}" if a.title else a.label, a.blocks

    def blocks(self) -> Iterator[tuple[str, Block]]:
        """(container key, block) in document order; listed once (each live check walks them several times)."""
        return iter(self.memo("_blocks", lambda: tuple((key, b) for key, _t, blocks in self.containers() for b in blocks)))

    def block(self, key: str) -> Block | None:
        return self._index()["blocks"].get(key)

    def field(self, key: str) -> Field | None:
        return self._index()["fields"].get(key)

    def fields(self) -> dict[str, Field]:
        return self._index()["fields"]

    def table(self, key: str) -> TableBlock | None:
        b = self._index()["blocks"].get(key)
        return b if isinstance(b, TableBlock) else None

    def container_of(self, key: str) -> str:
        """The section/appendix key holding a block or field key."""
        return self._index()["where"].get(key, "")

    def appendix(self, key: str) -> Appendix | None:
        return next((a for a in self.appendices if a.key == key), None)

    def memo(self, name: str, make):
        """`make()`, computed once and kept with this template: a template (shaped by a report's outline too) is
        never changed, so what is derived from its shape alone holds as long as it does."""
        v = self.__dict__.get(name)
        if v is None:
            v = make()
            object.__setattr__(self, name, v)
        return v

    def memo_in(self, name: str, ctx: dict, make):
        """Like memo, for what depends on a report's context too (context_of: its commune, period, …); a few
        contexts are kept (one template serves many communes' reports at the upper level)."""
        by_ctx = self.memo(name, dict)
        key = tuple(sorted(ctx.items()))
        v = by_ctx.get(key)
        if v is None:
            if len(by_ctx) > 16:
                by_ctx.clear()
            v = by_ctx[key] = make()
        return v

    def _index(self) -> dict:
        idx = self.__dict__.get("_idx")
        if idx is None:
            blocks, fields, where = {}, {}, {}
            for ckey, b in self.blocks():
                blocks[b.key] = b
                where[b.key] = ckey
                for f in fields_of(b):
                    fields[f.key] = f
                    where[f.key] = ckey
            idx = {"blocks": blocks, "fields": fields, "where": where}
            object.__setattr__(self, "_idx", idx)
        return idx
