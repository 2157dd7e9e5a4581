"""Report → layout-neutral document tree, built once; DOCX, print preview and text render this tree."""

from __future__ import annotations

from dataclasses import dataclass, field

from nq57desk.report.derive import ReportEnv
from nq57desk.report.document import context_of, fill_placeholders
from nq57desk.report.kinds import function, value
from nq57desk.report.shaping import shape
from nq57desk.templates.model import Block, Section, Template
from nq57desk.templates.numbering import label, next_chain, style_at
from nq57desk.vn import GAP, date_line, doc_number, fmt_date, month_only, month_str

QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"


@dataclass
class Para:
    text: str
    style: str = "body"  # body | bullet | note | subtitle | center_bold | plain
    where: str = ""  # section/appendix key it came from (for jumping from the preview)


@dataclass
class Heading:
    number: str
    title: str
    level: int  # depth in the outline, 0 = top
    style: str  # part | part_roman | roman | arabic | decimal | point | none
    where: str = ""

    @property
    def text(self) -> str:
        return f"{self.number} {self.title}".strip()


@dataclass
class HeaderCell:
    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1


@dataclass
class Row:
    cells: list[str]
    kind: str = "data"  # data | group | total


@dataclass
class Table:
    header: list[HeaderCell]
    header_rows: int
    rows: list[Row]
    widths: list[float]  # relative
    numeric: list[bool]  # right-align these columns
    title: str = ""
    kinds: list[str] = field(default_factory=list)  # the template's column types (stt, measure, …)
    landscape: bool = False
    where: str = ""
    block_kind: str = "table"  # the block it renders: a table block, or a kind of report/kinds.py


@dataclass
class Appendix:
    label: str
    title: str
    note: str
    landscape: bool
    body: list = field(default_factory=list)
    key: str = ""


@dataclass(frozen=True)
class RenderContext:
    """What a block kind's nodes() may need besides its value (nq57desk/report/kinds.py): the report, its figures,
    the placeholder names, the appendices printed, and where the block stands in the outline: the depth below the
    top and the numbering chain, for the kinds that print headings of their own (records, free sections)."""

    tpl: Template
    doc: dict
    env: ReportEnv
    names: dict  # report/document.context_of
    printed: set  # the keys of the appendices that print
    depth: int = 0
    chain: tuple[int, ...] = ()


@dataclass
class DocTree:
    issuer: list[str]
    number_line: str
    date_line: str
    subject: str
    kinh_gui: list[str] | None
    body: list
    recipients: list[str]
    signature: list[str]
    signer: str
    appendix_heading: str
    appendix_note: str
    appendices: list[Appendix]
    draft: bool
    quoc_hieu: str = QUOC_HIEU
    tieu_ngu: str = TIEU_NGU


def build(tpl: Template, doc: dict) -> DocTree:
    """The whole report as a tree of plain nodes, numbers generated, figures in Vietnamese format."""
    tpl = shape(tpl, doc).visible()
    b = _Builder(tpl, doc)
    h = doc["header"]
    year = doc["period"]["year"]
    symbol = h.get("symbol") or tpl.doc_symbol
    note = appendix_note(doc, symbol)
    appendices = []
    printed = [a for a in tpl.appendices if b.has_content(a.blocks)]  # an appendix nobody filled is not printed
    b.printed_appendices = {a.key for a in printed}
    for i, a in enumerate(printed, start=1):
        body = b.blocks(a.blocks, a.key, depth=0, chain=())
        lab = f"{i}. {a.label}" if tpl.appendix_heading else a.label
        appendices.append(Appendix(label=lab, title=fill_placeholders(a.title, b.ctx), note="" if tpl.appendix_heading else note,
                                   landscape=a.landscape or any(isinstance(n, Table) and n.landscape for n in body),
                                   body=body, key=a.key))
    return DocTree(
        issuer=list(h.get("issuer") or []),
        number_line=doc_number(h.get("number"), symbol),
        date_line=date_line(h.get("place", ""), h.get("date"), year),
        subject=h.get("subject", ""),
        kinh_gui=list(h["kinh_gui"]) if h.get("kinh_gui") is not None else None,
        body=b.blocks(tpl.intro, "_intro", 0, ()) + b.sections(tpl.sections, 0, ()) + b.blocks(tpl.closing, "_closing", 0, ()),
        recipients=list(doc.get("recipients") or []),
        signature=list((doc.get("signature") or {}).get("lines") or []),
        signer=(doc.get("signature") or {}).get("name", ""),
        appendix_heading=tpl.appendix_heading,
        appendix_note=note if tpl.appendix_heading else "",
        appendices=appendices,
        draft=doc.get("status", "draft") == "draft",
    )


def appendix_note(doc: dict, symbol: str | None = None) -> str:
    """"(Kèm theo Báo cáo số 05/BC-UBND ngày 24/4/2026 của UBND xã Phú Thịnh)"; blanks in a draft.

    The number is written exactly as in the header's "Số:" line (leading zero below 10), never the raw value.
    """
    h = doc["header"]
    number = doc_number(h.get("number"), symbol or h.get("symbol") or "BC-UBND").removeprefix("Số:").lstrip(" ")
    ym = month_only(h.get("date"))
    if ym:  # the day is written when signing
        date = f"{GAP}/{month_str(ym[1])}/{ym[0]}"
    elif h.get("date"):
        date = fmt_date(h["date"])
    else:  # the period's last month; a report without one (no period, «đến thời điểm báo cáo») leaves it blank
        p = doc["period"]
        month = month_str(int(p["end"][5:7])) if p.get("end") and p["kind"] != "none" else GAP
        date = f"{GAP}/{month}/{p['year']}"
    commune = context_of(doc)["commune"]
    return f"(Kèm theo Báo cáo số {number} ngày {date} của UBND {commune})"


class _Builder:
    def __init__(self, tpl: Template, doc: dict):
        self.tpl, self.doc = tpl, doc
        self.values = doc.get("values") or {}
        self.env = ReportEnv(tpl, doc)
        self.ctx = context_of(doc)
        self.printed_appendices = {a.key for a in tpl.appendices}

    def has_content(self, blocks) -> bool:
        """Whether any block holds something the officer typed (a fixed table's row labels are the template's)."""
        for b in blocks:
            own = function(b, "given")  # a kind whose words are figures (fields) says itself
            if own(b, self.env) if own is not None else is_given(self.values.get(b.key)):
                return True
        return False

    def sections(self, secs: tuple[Section, ...], depth: int, chain: tuple[int, ...]) -> list:
        out, n = [], 0
        for s in secs:
            # numbered among the siblings that print: a heading over nothing is a word the commune did not write,
            # and the numbers of the rest never jump
            style = s.style or style_at(self.tpl, depth)
            numbered = s.numbered and style != "none"
            num = label(style, n + 1, chain) if numbered else ""
            child_chain = next_chain(style, n + 1, chain) if numbered else chain
            body = self.blocks(s.blocks, s.key, depth + 1, child_chain) + self.sections(s.children, depth + 1, child_chain)
            if not body:
                continue
            n += numbered
            if s.show_title:
                out.append(Heading(num, fill_placeholders(s.title, self.ctx), depth, style if num else "none", s.key))
            out += body
        return out

    def blocks(self, blocks: tuple[Block, ...], where: str, depth: int, chain: tuple[int, ...]) -> list:
        out = []
        for b in blocks:
            out += self.block(b, where, depth, chain)
        return out

    # one block -------------------------------------------------------------------------------------------
    def block(self, b: Block, where: str, depth: int, chain) -> list:
        nodes = function(b, "nodes")
        if nodes is None:
            return []
        rc = RenderContext(self.tpl, self.doc, self.env, self.ctx, self.printed_appendices, depth, chain)
        return nodes(b, value(b, self.values), where, rc)


def orientations(nodes: list, landscape: bool) -> list[bool]:
    """Landscape or not, node by node: a wide table turns its page; the headings and the lead-in line ("…:")
    just before a table go with it, so they are never left alone at the foot of the previous section."""
    out = [landscape] * len(nodes)
    chain = None
    for i in range(len(nodes) - 1, -1, -1):
        n = nodes[i]
        if isinstance(n, Table):
            out[i] = chain = landscape or n.landscape
        elif chain is not None and (isinstance(n, Heading) or (isinstance(n, Para) and n.text.rstrip().endswith(":"))):
            out[i] = chain
        else:
            chain = None
    return out


def document_text(d: dict) -> str:
    """"Kế hoạch số 23/KH-UBND ngày 28/01/2026 của UBND xã … về …" from an issued-document record."""
    kind = (d.get("kind") or "").strip()
    number = (d.get("number") or "").strip()
    parts = [kind]
    if number:
        parts.append(f"số {number}")
    if d.get("date"):
        parts.append(f"ngày {fmt_date(d['date'])}")
    if (d.get("issuer") or "").strip():
        parts.append(f"của {d['issuer'].strip()}")
    subj = (d.get("subject") or "").strip()
    if subj:
        parts.append(subj if subj.lower().startswith(("về", "v/v")) else f"về {subj}")
    return " ".join(p for p in parts if p)


def is_given(v) -> bool:
    """Anything typed: a non-blank string, a number, or a container holding one."""
    if isinstance(v, dict):
        return any(is_given(x) for k, x in v.items() if k != "_group")
    if isinstance(v, list):
        return any(is_given(x) for x in v)
    if isinstance(v, str):
        return bool(v.strip())
    return v is not None


def grouped_documents(items: list) -> list[str]:
    """Documents grouped by kind in the order first seen: "Các Quyết định: (1) Quyết định số …; (2) …"; a kind
    with one document is that document's own words."""
    groups: dict[str, list[str]] = {}
    for d in items:
        groups.setdefault((d.get("kind") or "").strip(), []).append(document_text(d).rstrip(";. "))
    out = []
    for kind, texts in groups.items():
        if len(texts) == 1:
            out.append(texts[0])
        else:
            head = f"Các {kind}" if kind else "Các văn bản khác"
            out.append(f"{head}: " + "; ".join(f"({i}) {t}" for i, t in enumerate(texts, start=1)))
    return out


def text_lines(v) -> list[str]:
    """A typed text's non-blank lines, stripped."""
    if not v:
        return []
    return [x.strip() for x in str(v).split("\n") if x.strip()]


def line_style(line: str) -> str:
    """A line the officer starts with «- » or «+ » prints as a bullet."""
    return "bullet" if line[:2] in ("- ", "+ ") else "body"


# -- plain text ---------------------------------------------------------------------------------------------

def to_text(t: DocTree) -> str:
    """The tree as plain text, in reading order; used for search, diffs and content-fidelity checks."""
    out = [*t.issuer, t.number_line, t.quoc_hieu, t.tieu_ngu, t.date_line, "", "BÁO CÁO", t.subject, ""]
    if t.kinh_gui is not None:
        out.append("Kính gửi:")
        out += [f"- {x}" for x in t.kinh_gui]
        out.append("")
    out += [_node_text(n) for n in t.body]
    out += ["", "Nơi nhận:"] + [f"- {x}" for x in t.recipients]
    out += [""] + t.signature + ["", t.signer]
    if t.appendix_heading:
        out += ["", t.appendix_heading, t.appendix_note]
    for a in t.appendices:
        out += ["", f"{a.label}. {a.title}" if a.title else a.label]
        if a.note:
            out.append(a.note)
        out += [_node_text(n) for n in a.body]
    return "\n".join(out) + "\n"


def _node_text(n) -> str:
    if isinstance(n, Heading):
        if n.style in ("part", "part_roman"):
            return f"{n.number}\n{n.title}"
        return n.text
    if isinstance(n, Para):
        return n.text
    if isinstance(n, Table):
        grid: dict[int, list[str]] = {}
        for c in sorted(n.header, key=lambda c: (c.row, c.col)):
            grid.setdefault(c.row, []).append(c.text)
        lines = ([n.title] if n.title else []) + ["\t".join(cells) for _r, cells in sorted(grid.items())]
        lines += ["\t".join(r.cells) for r in n.rows]
        return "\n".join(lines)
    return ""
