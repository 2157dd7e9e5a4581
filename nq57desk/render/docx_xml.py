"""WordprocessingML snippets for the DOCX renderer: runs, paragraphs, tables, section properties, styles.

The renderer writes the body as one XML string and parses it once: far faster than building it node by node
through python-docx, and every element comes out in the order the schema demands (Word repairs files
whose pPr/rPr/tcPr children are out of order).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

TNR = "Times New Roman"
TWIPS_PER_MM = 1440 / 25.4
FIRST_LINE = 720  # 1.27 cm
BODY_AFTER = 120  # 6 pt
BODY_LINE = 276  # 1.15 lines
BORDER = '<w:{side} w:val="single" w:sz="{sz}" w:space="{space}" w:color="000000"/>'

_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_ESC = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


def tw(mm: float) -> int:
    """Millimetres → twips (twentieths of a point), the unit of most WordprocessingML lengths."""
    return round(mm * TWIPS_PER_MM)


def clean(text) -> str:
    """NFC, without the control characters XML 1.0 cannot hold."""
    return _BAD.sub("", unicodedata.normalize("NFC", str(text)))


def esc(text: str) -> str:
    return text.translate(_ESC)


# -- runs -----------------------------------------------------------------------------------------------------

_FONTS = f'<w:rFonts w:ascii="{TNR}" w:hAnsi="{TNR}" w:eastAsia="{TNR}" w:cs="{TNR}"/>'


@lru_cache(maxsize=64)
def rpr(size: float, bold: bool = False, italic: bool = False, boxed: bool = False) -> str:
    """Run properties, explicit on every run: Times New Roman in all four slots, black, the size in half-points."""
    hs = round(size * 2)
    return ("<w:rPr>" + _FONTS + ("<w:b/><w:bCs/>" if bold else "") + ("<w:i/><w:iCs/>" if italic else "")
            + f'<w:color w:val="000000"/><w:sz w:val="{hs}"/><w:szCs w:val="{hs}"/>'
            + ('<w:bdr w:val="single" w:sz="8" w:space="2" w:color="000000"/>' if boxed else "")
            + "</w:rPr>")


def run(text: str, size: float, bold: bool = False, italic: bool = False, boxed: bool = False) -> str:
    """One run; tabs and line breaks inside the text become <w:tab/> and <w:br/>."""
    text = clean(text)
    props = rpr(size, bold, italic, boxed)
    if "\t" not in text and "\n" not in text:
        return f'<w:r>{props}<w:t xml:space="preserve">{esc(text)}</w:t></w:r>'
    parts = []
    for i, line in enumerate(text.split("\n")):
        if i:
            parts.append("<w:br/>")
        for j, chunk in enumerate(line.split("\t")):
            if j:
                parts.append("<w:tab/>")
            if chunk:
                parts.append(f'<w:t xml:space="preserve">{esc(chunk)}</w:t>')
    return f"<w:r>{props}{''.join(parts)}</w:r>"


def page_field(size: float) -> str:
    """A PAGE field (complex field, so Word and LibreOffice both update it)."""
    p = rpr(size)
    return (f'<w:r>{p}<w:fldChar w:fldCharType="begin"/></w:r><w:r>{p}<w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
            f'<w:r>{p}<w:fldChar w:fldCharType="separate"/></w:r><w:r>{p}<w:t>2</w:t></w:r>'
            f'<w:r>{p}<w:fldChar w:fldCharType="end"/></w:r>')


# -- paragraphs -----------------------------------------------------------------------------------------------

def para(runs: str = "", *, style: str | None = None, jc: str | None = None, left: int | None = None,
         right: int | None = None, first: int | None = None, hanging: int | None = None,
         before: int | None = None, after: int | None = None, line: int | None = None,
         keep_next: bool = False, keep_lines: bool = False, page_break: bool = False, rule: int = 0,
         tabs: tuple[tuple[str, int], ...] = (), outline: int | None = None, mark: str = "",
         sect: str = "") -> str:
    """A paragraph; pPr children in schema order. `rule` > 0 draws a bottom border of that width (eighths of a pt);
    `mark` is the rPr of the paragraph mark (sets the height of an empty paragraph); `sect` ends a section."""
    p = []
    if style:
        p.append(f'<w:pStyle w:val="{style}"/>')
    if keep_next:
        p.append("<w:keepNext/>")
    if keep_lines:
        p.append("<w:keepLines/>")
    if page_break:
        p.append("<w:pageBreakBefore/>")
    if rule:
        p.append("<w:pBdr>" + BORDER.format(side="bottom", sz=rule, space=1) + "</w:pBdr>")
    if tabs:
        p.append("<w:tabs>" + "".join(f'<w:tab w:val="{k}" w:pos="{pos}"/>' for k, pos in tabs) + "</w:tabs>")
    if before is not None or after is not None or line is not None:
        sp = "<w:spacing"
        if before is not None:
            sp += f' w:before="{before}"'
        if after is not None:
            sp += f' w:after="{after}"'
        if line is not None:
            sp += f' w:line="{line}" w:lineRule="auto"'
        p.append(sp + "/>")
    if left is not None or right is not None or first is not None or hanging is not None:
        ind = "<w:ind"
        if left is not None:
            ind += f' w:left="{left}"'
        if right is not None:
            ind += f' w:right="{right}"'
        if hanging is not None:
            ind += f' w:hanging="{hanging}"'
        elif first is not None:
            ind += f' w:firstLine="{first}"'
        p.append(ind + "/>")
    if jc:
        p.append(f'<w:jc w:val="{jc}"/>')
    if outline is not None:
        p.append(f'<w:outlineLvl w:val="{min(outline, 8)}"/>')
    if mark:
        p.append(mark)
    if sect:
        p.append(sect)
    ppr = f"<w:pPr>{''.join(p)}</w:pPr>" if p else ""
    return f"<w:p>{ppr}{runs}</w:p>"


def rule_para(length_tw: int, width_tw: int, *, before: int = 0, after: int = 0, sz: int = 6) -> str:
    """A solid rule `length_tw` long, centred in `width_tw`: an empty paragraph with a bottom border and indents."""
    side = max(0, (width_tw - length_tw) // 2)
    return para(left=side, right=side, before=before, after=after, line=240, rule=sz, mark=rpr(2))


# -- tables ---------------------------------------------------------------------------------------------------

def tbl_pr(width: int, *, borders: bool, jc: str = "center", cell_lr: int = 57, cell_tb: int = 0) -> str:
    if borders:
        b = "".join(BORDER.format(side=s, sz=4, space=0) for s in ("top", "left", "bottom", "right", "insideH", "insideV"))
    else:
        b = "".join(f'<w:{s} w:val="nil"/>' for s in ("top", "left", "bottom", "right", "insideH", "insideV"))
    return (f'<w:tblPr><w:tblW w:w="{width}" w:type="dxa"/><w:jc w:val="{jc}"/><w:tblBorders>{b}</w:tblBorders>'
            f'<w:tblLayout w:type="fixed"/><w:tblCellMar><w:top w:w="{cell_tb}" w:type="dxa"/><w:left w:w="{cell_lr}" w:type="dxa"/>'
            f'<w:bottom w:w="{cell_tb}" w:type="dxa"/><w:right w:w="{cell_lr}" w:type="dxa"/></w:tblCellMar>'
            f'<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="1" w:noVBand="1"/></w:tblPr>')


def table(grid: list[int], rows: str, *, borders: bool = True, cell_lr: int = 57, cell_tb: int = 0) -> str:
    cols = "".join(f'<w:gridCol w:w="{w}"/>' for w in grid)
    return f"<w:tbl>{tbl_pr(sum(grid), borders=borders, cell_lr=cell_lr, cell_tb=cell_tb)}<w:tblGrid>{cols}</w:tblGrid>{rows}</w:tbl>"


def tr(cells: str, *, header: bool = False, cant_split: bool = True) -> str:
    pr = ("<w:cantSplit/>" if cant_split else "") + ("<w:tblHeader/>" if header else "")
    return f"<w:tr>{'<w:trPr>' + pr + '</w:trPr>' if pr else ''}{cells}</w:tr>"


def tc(content: str, width: int | None, *, span: int = 1, vmerge: str | None = None, valign: str | None = None) -> str:
    """A cell; `width` None leaves the width to the table grid (used for cells spanning several columns)."""
    pr = f'<w:tcW w:w="{width}" w:type="dxa"/>' if width is not None else ""
    if span > 1:
        pr += f'<w:gridSpan w:val="{span}"/>'
    if vmerge == "restart":
        pr += '<w:vMerge w:val="restart"/>'
    elif vmerge:
        pr += "<w:vMerge/>"
    if valign:
        pr += f'<w:vAlign w:val="{valign}"/>'
    return f"<w:tc><w:tcPr>{pr}</w:tcPr>{content or '<w:p/>'}</w:tc>"


# -- sections -------------------------------------------------------------------------------------------------

A4 = (210.0, 297.0)
MARGINS_MM = (20, 20, 30, 15)  # top, bottom, left, right: Decree 30's, the same on landscape sections
HEADER_RIGHT_MM = 100  # Quốc hiệu in 13 pt bold is ~96 mm wide (DOMAIN §2); the header's left column takes the rest
CLOSING_LEFT_MM = 75  # Nơi nhận's column; the signature block takes the rest
DRAFT_MARK = "DỰ THẢO"


def header_mm(top_mm: float) -> float:
    """How far the page header (number, DỰ THẢO) sits from the top edge for a top margin: 8–12 mm."""
    return max(8.0, min(12.0, top_mm - 10.0))


def text_width_mm(landscape: bool, margins_mm=MARGINS_MM) -> float:
    return page_size(landscape)[0] - margins_mm[2] - margins_mm[3]


def page_size(landscape: bool) -> tuple[float, float]:
    return (A4[1], A4[0]) if landscape else A4


def sect_pr(landscape: bool, margins_mm: tuple[float, float, float, float], *, title_pg: bool = False) -> str:
    """Section properties (A4, the given margins top/bottom/left/right); headers are added later by python-docx."""
    w, h = page_size(landscape)
    top, bottom, left, right = (tw(x) for x in margins_mm)
    orient = ' w:orient="landscape"' if landscape else ""
    head = tw(header_mm(margins_mm[0]))
    return (f'<w:sectPr><w:type w:val="nextPage"/><w:pgSz w:w="{tw(w)}" w:h="{tw(h)}"{orient}/>'
            f'<w:pgMar w:top="{top}" w:right="{right}" w:bottom="{bottom}" w:left="{left}" w:header="{head}" '
            f'w:footer="{tw(10)}" w:gutter="0"/><w:cols w:space="720"/>{"<w:titlePg/>" if title_pg else ""}'
            f'<w:docGrid w:linePitch="360"/></w:sectPr>')


def text_width(landscape: bool, margins_mm) -> int:
    """Twips between the left and right margins."""
    return tw(page_size(landscape)[0] - margins_mm[2] - margins_mm[3])


# -- styles ---------------------------------------------------------------------------------------------------

def _pstyle(sid: str, name: str, ppr: str, rpr_: str = "", next_: str = "") -> str:
    nxt = f'<w:next w:val="{next_}"/>' if next_ else ""
    return (f'<w:style w:type="paragraph" w:customStyle="1" w:styleId="{sid}"><w:name w:val="{name}"/>'
            f'<w:basedOn w:val="Normal"/>{nxt}<w:qFormat/><w:pPr>{ppr}</w:pPr><w:rPr>{rpr_}</w:rPr></w:style>')


BODY_PPR = (f'<w:spacing w:before="0" w:after="{BODY_AFTER}" w:line="{BODY_LINE}" w:lineRule="auto"/>'
            f'<w:ind w:firstLine="{FIRST_LINE}"/><w:jc w:val="both"/>')

CUSTOM_STYLES = {
    "ND30NoiDung": _pstyle("ND30NoiDung", "ND30 Nội dung", BODY_PPR),
    "ND30Muc": _pstyle("ND30Muc", "ND30 Đề mục", "<w:keepNext/><w:keepLines/>" + BODY_PPR, "<w:b/><w:bCs/>", "ND30NoiDung"),
    "ND30Giua": _pstyle("ND30Giua", "ND30 Căn giữa", '<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/><w:jc w:val="center"/>'),
    "ND30Bang": _pstyle("ND30Bang", "ND30 Bảng", '<w:spacing w:before="20" w:after="20" w:line="240" w:lineRule="auto"/>'),
}


# -- text width (Times New Roman advance widths, 1/1000 em, for the ASCII letters) ----------------------------

_REG = (250, 333, 408, 500, 500, 833, 778, 180, 333, 333, 500, 564, 250, 333, 250, 278, 500, 500, 500, 500, 500, 500, 500,
        500, 500, 500, 278, 278, 564, 564, 564, 444, 921, 722, 667, 667, 722, 611, 556, 722, 722, 333, 389, 722, 611, 889,
        722, 722, 556, 722, 667, 556, 611, 722, 722, 944, 722, 722, 611, 333, 278, 333, 469, 500, 333, 444, 500, 444, 500,
        444, 333, 500, 500, 278, 278, 500, 278, 778, 500, 500, 500, 500, 333, 389, 278, 500, 500, 722, 500, 500, 444, 480,
        200, 480, 541)
_BOLD = (250, 333, 555, 500, 500, 1000, 833, 278, 333, 333, 500, 570, 250, 333, 250, 278, 500, 500, 500, 500, 500, 500, 500,
         500, 500, 500, 333, 333, 570, 570, 570, 500, 930, 722, 667, 722, 722, 667, 611, 778, 778, 389, 500, 778, 667, 944,
         722, 778, 611, 778, 722, 556, 667, 722, 722, 1000, 722, 722, 667, 333, 278, 333, 581, 500, 333, 500, 556, 444, 556,
         444, 333, 500, 556, 278, 333, 556, 278, 833, 556, 500, 556, 556, 444, 389, 333, 556, 500, 722, 500, 500, 444, 394,
         220, 394, 520)


@lru_cache(maxsize=4096)
def text_twips(text: str, size: float, bold: bool = False) -> int:
    """Estimated printed width of one line of text: Vietnamese letters measure as their base letter (ơ, ư a bit wider)."""
    table = _BOLD if bold else _REG
    units = 0
    for ch in unicodedata.normalize("NFC", text):
        if ch in "đĐ":
            units += 722 if ch == "Đ" else 500
            continue
        base = unicodedata.normalize("NFD", ch)[0]
        o = ord(base)
        units += table[o - 32] if 32 <= o < 127 else 500
        if base != ch and ch.lower() in "ơướờởỡợừứửữự":
            units += 60
    return round(units * size * 20 / 1000)
