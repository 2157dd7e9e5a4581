"""Document tree → flows of Qt rich text for the print preview, printing and the PDF (no Qt imported here).

The layout follows the DOCX renderer rule by rule (fonts, sizes, spacing, indents, alignment, table grids from
docx_table.plan, keep-with-next, landscape sections), so the paper looks like the DOCX. Qt's rich text cannot
keep paragraphs together or refuse to split a table row, so the page breaking is not left to it: each paragraph
and each table is a Flow that gui/printlayout.py measures and places on the pages itself.

Lengths in Qt rich text are 1/96-inch pixels (Qt scales them to the paint device); sizes here are in points.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from nq57desk.render import docx_xml as X
from nq57desk.render.docx_table import CELL_LR, plan
from nq57desk.render.tree import Appendix, DocTree, Heading, Para, Table, orientations
from nq57desk.templates.numbering import HEADING_LOOK

FONT = "'Times New Roman'"
BODY_PT = 14
BODY_AFTER = X.BODY_AFTER / 20  # pt after a body paragraph (6 pt)
BODY_LINE = X.BODY_LINE / 240  # the DOCX's line="276" auto: 1.15
# Word's single line for Times New Roman: (winAscent 1825 + winDescent 443 + lineGap 87) / 2048 em. Lines get this
# fixed height (Qt's own is ~7 % taller), so pages break where Word and LibreOffice break them.
TNR_LINE = 2355 / 2048
INDENT_PT = X.FIRST_LINE / 20  # first-line indent 1.27 cm
TEXT_WIDTH_MM = {land: X.text_width_mm(land) for land in (False, True)}  # 165 / 252 mm
CLOSING_LEFT_MM = float(X.CLOSING_LEFT_MM)
HEADER_RIGHT_MM = float(X.HEADER_RIGHT_MM)  # as the DOCX header table


def px(pt: float) -> str:
    """Points → Qt rich-text pixels (1/96 inch)."""
    return f"{pt * 96 / 72:.2f}px"


def mm_px(mm: float) -> float:
    return mm * 96 / 25.4


@dataclass
class Flow:
    """One unit the paginator places: a paragraph (`split`: may break between its lines), an unbreakable block
    (header, closing), or a table (`rows`: the header rows repeat on every page, a row never splits)."""
    html: str = ""
    before: float = 0.0  # pt above; dropped at the top of a page
    after: float = 0.0  # pt below
    keep_next: bool = False  # on the same page as the start of the next flow
    split: bool = False
    new_page: bool = False
    table_open: str = ""
    head: str = ""
    head_rows: int = 0
    rows: list[str] = field(default_factory=list)
    mark: str = ""  # what the flow is (tests and the keep-together checks read it): closing, heading, …
    rules: bool = False  # has rules for the painter to draw (paragraphs with a user state)

    @property
    def is_table(self) -> bool:
        return bool(self.table_open)

    def chunk(self, start: int, end: int) -> str:
        """The table's header and rows start..end-1 as one table (the part of the table that goes on one page)."""
        return f"{self.table_open}{self.head}{''.join(self.rows[start:end])}</table>"


@dataclass
class Part:
    """A run of pages of one orientation; each part starts on a new page (a DOCX section break)."""
    landscape: bool
    flows: list[Flow] = field(default_factory=list)


def _p(text: str, *, align="justify", bold=False, italic=False, size=BODY_PT, indent=True, line=BODY_LINE,
       before=0.0, after=0.0, raw=False, state=0) -> str:
    """One paragraph; `before`/`after` only for paragraphs inside a table cell (flows carry their own spacing).

    `line` is Word's line spacing (1 = single); `state` (the block's user state) marks a rule to draw."""
    style = [f"margin-top:{px(before)}", f"margin-bottom:{px(after)}", "margin-left:0px", "margin-right:0px",
             f"font-size:{size}pt", f"text-indent:{px(INDENT_PT) if indent else '0px'}",
             f"line-height:{px(size * TNR_LINE * (line or 1.0))}", "-qt-line-height-type:fixed"]
    if state:
        style.append(f"-qt-user-state:{state}")
    t = text if raw else escape(X.clean(text))
    if bold:
        t = f"<b>{t}</b>"
    if italic:
        t = f"<i>{t}</i>"
    # Qt honours align="justify" but not the CSS text-align: justify
    return f'<p align="{align}" style="{";".join(style)}">{t}</p>'


def _body(html: str) -> str:
    return f'<html><body style="font-family:{FONT}; font-size:{BODY_PT}pt">{html}</body></html>'


RULE_BELOW_PT = 1.0  # the DOCX rule is the bottom border of an empty 2 pt paragraph, 1 pt below it
RULE_PT = 0.75  # its width (w:sz="6", eighths of a point)


def _rule(length_mm: float, width_mm: float, before: float = 0.0, after: float = 0.0) -> str:
    """A solid rule `length_mm` long centred in `width_mm`, as the DOCX's empty paragraph with a bottom border.

    Qt draws <hr> grey and one device pixel thin, so the paragraph only carries the length (in 0.1 mm, as its
    user state) and the painter draws the rule under it."""
    length = max(1.0, min(length_mm, width_mm))
    return _p("&nbsp;", align="center", size=2, indent=False, line=1.0, before=before, after=after + RULE_BELOW_PT,
              raw=True, state=round(length * 10))


def _tw_mm(tw: float) -> float:
    return tw / X.TWIPS_PER_MM


# -- the report ----------------------------------------------------------------------------------------------------

def header_html(t: DocTree, width_mm: float) -> str:
    """Borderless 2×2 table as in the DOCX: issuer | Quốc hiệu, Tiêu ngữ; then Số | date on one row."""
    right = min(HEADER_RIGHT_MM, width_mm - 50)
    left = width_mm - right
    issuer = [X.clean(x).upper() for x in t.issuer if str(x).strip()] or ["ỦY BAN NHÂN DÂN"]
    cell_l = "".join(_p(x, align="center", bold=True, size=13, indent=False, line=1.0) for x in issuer)
    longest = _tw_mm(max(X.text_twips(x, 13, True) for x in issuer))
    cell_l += _rule(max(15.0, min(longest * 0.4, left / 2)), left, before=1)
    tn_len = min(_tw_mm(X.text_twips(t.tieu_ngu, 13, True)), right)
    cell_r = (_p(t.quoc_hieu, align="center", bold=True, size=12, indent=False, line=1.0)
              + _p(t.tieu_ngu, align="center", bold=True, size=13, indent=False, line=1.0)
              + _rule(tn_len, right, before=1))
    num = _p(t.number_line, align="center", size=13, indent=False, line=1.0)
    date = _p(t.date_line, align="center", italic=True, size=14, indent=False, line=1.0)
    lw, rw = mm_px(left), mm_px(right)
    row2 = f'valign="top" style="padding-top:{px(6)}"'  # Qt drops the top margin of a cell's first paragraph
    return _body(f'<table width="{lw + rw:.2f}" cellspacing="0" cellpadding="0" border="0">'
                 f'<tr><td width="{lw:.2f}" valign="top">{cell_l}</td><td width="{rw:.2f}" valign="top">{cell_r}</td></tr>'
                 f'<tr><td width="{lw:.2f}" {row2}>{num}</td><td width="{rw:.2f}" {row2}>{date}</td></tr>'
                 "</table>")


def _centre(text: str, *, bold=True, italic=False, size=BODY_PT, before=0.0, after=0.0, keep=True, mark="") -> Flow:
    """An ND30Giua paragraph: centred, single-spaced, no indent."""
    return Flow(_body(_p(text, align="center", bold=bold, italic=italic, size=size, indent=False, line=1.0)),
                before=before, after=after, keep_next=keep, mark=mark)


def _text(text: str, *, bold=False, italic=False, keep=False, split=True, mark="") -> Flow:
    """An ND30NoiDung paragraph: justified, first-line indent 1.27 cm, 1.15 lines, 6 pt after."""
    return Flow(_body(_p(text, bold=bold, italic=italic)), after=BODY_AFTER, keep_next=keep, split=split, mark=mark)


def title_flows(t: DocTree, width_mm: float) -> list[Flow]:
    subject = X.clean(t.subject)
    out = [_centre("BÁO CÁO", before=18, mark="title"), _centre(subject, mark="subject")]
    est = min(_tw_mm(X.text_twips(subject, 14, True)), width_mm)
    rule = max(25.0, min(est / 3, 60.0))
    out.append(Flow(_body(_rule(rule, width_mm)), before=2, after=12 if t.kinh_gui is None else 6, mark="rule",
                    rules=True))
    return out


def kinh_gui_flows(t: DocTree, width_mm: float) -> list[Flow]:
    if t.kinh_gui is None:
        return []
    kg = [X.clean(x).strip() for x in t.kinh_gui if str(x).strip()]
    lead = "Kính gửi:"
    if len(kg) <= 1:
        return [_centre(f"{lead} {kg[0]}" if kg else lead, bold=False, after=12, keep=False, mark="kinh_gui")]
    gap = _tw_mm(X.text_twips(lead + "  ", 14)) + 2
    widest = max(_tw_mm(X.text_twips(f"- {x}", 14)) for x in kg)
    left = max(0.0, min((width_mm - gap - widest) / 2, 40.0))
    items = "".join(_p(f"- {x}", align="left", indent=False, line=1.0) for x in kg)
    cells = (f'<td width="{mm_px(left):.2f}"></td><td width="{mm_px(gap):.2f}" valign="top">'
             f'{_p(lead, align="left", indent=False, line=1.0)}</td>'
             f'<td width="{mm_px(width_mm - left - gap):.2f}" valign="top">{items}</td>')
    return [Flow(_body(f'<table width="{mm_px(width_mm):.2f}" cellspacing="0" cellpadding="0" border="0"><tr>{cells}'
                       "</tr></table>"), after=12, mark="kinh_gui")]


def node_flows(n, width_mm: float, keep: bool = False) -> list[Flow]:
    if isinstance(n, Heading):
        title = X.clean(n.title)
        bold, italic, upper, centred = HEADING_LOOK.get(n.style, HEADING_LOOK["none"])
        if centred:
            return [Flow(_body(_p(n.number, align="center", bold=True, indent=False)), before=6, keep_next=True,
                         mark="heading"),
                    Flow(_body(_p(title, align="center", bold=True, indent=False)), after=BODY_AFTER, keep_next=True,
                         mark="heading")]
        if upper:
            title = title.upper()
        text = f"{n.number} {title}".strip()
        return [_text(text, bold=bold, italic=italic, keep=True, split=False, mark="heading")]
    if isinstance(n, Para):
        if n.style == "center_bold":
            return [_centre(n.text, after=BODY_AFTER)]
        bold = n.style == "subtitle"
        return [_text(n.text, bold=bold, italic=n.style == "note", keep=keep or bold,
                      mark="last" if keep else "")]
    if isinstance(n, Table):
        return table_flows(n, width_mm)
    return []


def table_flows(tb: Table, width_mm: float) -> list[Flow]:
    """The table title, then the table itself laid out on the DOCX's column grid (docx_table.plan)."""
    out = []
    if tb.title:
        out.append(_centre(tb.title, size=13, before=6, after=6))
    width_tw = X.tw(width_mm)
    p = plan(tb, width_tw)
    grid_px = [g / 15 for g in p.grid]  # twips → 1/96 inch

    def cell(c, header: bool) -> str:
        w = sum(grid_px[c.start:c.start + c.span])
        text = _p(c.text, align=c.jc, bold=c.bold, size=p.size, indent=False, line=1.0, raw=not c.text)
        tag = "th" if header else "td"
        # ND30Bang: 1 pt before and after, as cell padding (Qt drops the top margin of a cell's first paragraph)
        return (f'<{tag} colspan="{c.span}" rowspan="{c.rowspan}" width="{w:.2f}" style="vertical-align:middle; '
                f'padding-left:{px(CELL_LR / 20)}; padding-right:{px(CELL_LR / 20)}; padding-top:{px(1)}; '
                f'padding-bottom:{px(1)}">{text}</{tag}>')

    head = "".join("<tr>" + "".join(cell(c, True) for c in cells if not c.cont) + "</tr>" for cells in p.header)
    rows = ["<tr>" + "".join(cell(c, False) for c in cells) + "</tr>" for cells in p.rows]
    table_open = (f'<html><body style="font-family:{FONT}; font-size:{p.size}pt">'
                  f'<table width="{sum(grid_px):.2f}" align="center" cellspacing="0" cellpadding="0" border="1" '
                  'style="border-collapse:collapse; border-style:solid; border-color:#000000">')
    out.append(Flow(table_open=table_open, head=head, head_rows=len(p.header), rows=rows, after=7, mark="table"))
    return out


def closing_html(t: DocTree, width_mm: float) -> str:
    """Nơi nhận | signature block in one borderless row (never split across pages)."""
    left = "".join([_p("Nơi nhận:", align="left", bold=True, italic=True, size=12, indent=False, line=1.0)]
                   + [_p(x if x.startswith("-") else f"- {x}", align="left", size=11, indent=False, line=1.0)
                      for x in (X.clean(r).strip() for r in t.recipients) if x])
    sig = [s for s in t.signature if str(s).strip()]
    right = "".join(_p(X.clean(x).upper(), align="center", bold=True, indent=False, line=1.0) for x in sig)
    right += _p("&nbsp;", align="center", indent=False, line=1.0, raw=True) * 4
    right += _p(t.signer, align="center", bold=True, indent=False, line=1.0) if t.signer else ""
    lw = mm_px(CLOSING_LEFT_MM)
    rw = mm_px(width_mm) - lw
    cell = f'valign="top" style="padding-top:{px(12)}"'  # "Nơi nhận:" and "TM. …" 12 pt below the last paragraph
    return _body(f'<table width="{lw + rw:.2f}" cellspacing="0" cellpadding="0" border="0"><tr>'
                 f'<td width="{lw:.2f}" {cell}>{left}</td><td width="{rw:.2f}" {cell}>{right}</td>'
                 "</tr></table>")


def appendix_flows(t: DocTree, a: Appendix, first: bool, width_mm: float) -> list[Flow]:
    """As the DOCX: the shared heading and note once, then "Phụ lục I" bold, the title bold uppercase, the note."""
    out = []
    if first and t.appendix_heading:
        out.append(_centre(t.appendix_heading, mark="appendix_heading"))
        if t.appendix_note:
            out.append(_centre(t.appendix_note, bold=False, italic=True, after=12, mark="appendix_note"))
    out.append(_centre(a.label, mark="appendix_label"))
    if a.title:
        out.append(_centre(X.clean(a.title).upper(), mark="appendix_title"))
    if a.note:
        out.append(_centre(a.note, bold=False, italic=True, mark="appendix_note"))
    out.append(Flow(_body(_rule(30, width_mm)), before=1, after=12, keep_next=True, mark="rule", rules=True))
    return out


class _Builder:
    def __init__(self, widths: dict[bool, float]):
        self.widths = widths
        self.parts: list[Part] = [Part(False)]
        self.break_next = False

    @property
    def land(self) -> bool:
        return self.parts[-1].landscape

    @property
    def width(self) -> float:
        return self.widths[self.land]

    def add(self, flows: list[Flow]) -> None:
        for f in flows:
            if self.break_next and self.parts[-1].flows:
                f.new_page = True
            self.break_next = False
            self.parts[-1].flows.append(f)

    def orient(self, landscape: bool) -> None:
        if landscape != self.land:
            if self.parts[-1].flows:
                self.parts.append(Part(landscape))
            else:
                self.parts[-1].landscape = landscape
            self.break_next = False

    def new_page(self) -> None:
        self.break_next = True

    def nodes(self, nodes: list, landscape: bool, keep_last: bool = False) -> None:
        last = len(nodes) - 1
        for i, (n, land) in enumerate(zip(nodes, orientations(nodes, landscape), strict=True)):
            self.orient(land)
            self.add(node_flows(n, self.width, keep=keep_last and i == last))


def parts(t: DocTree, widths: dict[bool, float] | None = None) -> list[Part]:
    """The report as parts of flows, in the DOCX's order and sections: header, title, body, closing, appendices."""
    b = _Builder(widths or TEXT_WIDTH_MM)
    b.add([Flow(header_html(t, b.width), mark="header", rules=True)])
    b.add(title_flows(t, b.width))
    b.add(kinh_gui_flows(t, b.width))
    b.nodes(t.body, False, keep_last=True)
    b.orient(False)
    b.add([Flow(closing_html(t, b.width), mark="closing")])
    for i, a in enumerate(t.appendices):
        b.orient(a.landscape)
        b.new_page()
        b.add(appendix_flows(t, a, i == 0, b.width))
        b.nodes(a.body, a.landscape)
    return b.parts
