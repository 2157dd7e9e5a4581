"""Each seed (a real report's text) written as the Word file an officer makes, in one of three habits, for the
Word import tests: "bold" (headings typed with their number, bold), "styles" (headings in Word's Heading 1–6
styles, number typed) and "auto" (headings and bullets with Word's automatic numbering: the number is not in the
text). The header and national motto, and Nơi nhận beside the signature, are borderless tables; the tab-separated
lines of the appendices are Word tables with merged header cells."""

from __future__ import annotations

import re
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from .seedentry import Node, clean, parse

HABITS = ("bold", "styles", "auto")
_FMT = {"roman": ("upperRoman", "{}."), "upper": ("upperLetter", "{}."), "arabic": ("decimal", "{}."),
        "point": ("lowerLetter", "{})")}
_NUM_RE = re.compile(r"^(?:[IVX]+\.|[A-Z]\.|\d+(?:\.\d+)*\.?|[a-zđ]\))\s+")


def _borderless(table) -> None:
    tblpr = table._tbl.tblPr
    tblpr.append(parse_xml(f'<w:tblBorders {nsdecls("w")}>' + "".join(
        f'<w:{b} w:val="nil"/>' for b in ("top", "left", "bottom", "right", "insideH", "insideV")) + "</w:tblBorders>"))


def _cell_lines(cell, lines: list[str], bold=False) -> None:
    cell.paragraphs[0].text = ""
    first = True
    for line in lines:
        p = cell.paragraphs[0] if first else cell.add_paragraph()
        first = False
        p.add_run(line).bold = bold


def _numbering(d, levels: list[str]) -> str:
    """One multi-level list for the headings (its level formats from the seed's own levels) and one bullet list."""
    part = d.part.numbering_part
    lv = []
    for i, st in enumerate(levels):
        if st in ("decimal", "decimal3"):
            depth = 2 if st == "decimal" else 3
            fmt, text = "decimal", ".".join(f"%{k}" for k in range(i + 2 - depth, i + 2))
        else:
            fmt, pat = _FMT.get(st, ("decimal", "{}."))
            text = pat.format(f"%{i + 1}")
        lv.append(f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/>'
                  '<w:lvlJc w:val="left"/></w:lvl>')
    part.element.append(parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">{"".join(lv)}</w:abstractNum>'))
    part.element.append(parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="91">'
        '<w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/><w:lvlText w:val="-"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:numFmt w:val="bullet"/><w:lvlText w:val="+"/></w:lvl></w:abstractNum>'))
    part.element.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    part.element.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="91"><w:abstractNumId w:val="91"/></w:num>'))
    return "90"


def _num(p, num_id: str, ilvl: int) -> None:
    ppr = p._p.get_or_add_pPr()
    ppr.append(parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'))


def _table(d, lines: list[str]) -> None:
    rows: list[list[str]] = []
    for line in lines:
        if re.fullmatch(r"[-\s\t]*", line):
            continue
        cells = line.split("\t")
        if len(rows) >= 2 and not cells[0].strip() and not any(re.fullmatch(r"[\d.,]+", c.strip()) for c in cells):
            # a wrapped row (the extraction broke a tall row in two lines): the words join the row above's cells
            above = rows[-1] + [""] * (len(cells) - len(rows[-1]))
            rows[-1] = [(a + " " + c.strip()).strip() for a, c in zip(above, cells + [""] * (len(above) - len(cells)), strict=True)]
            continue
        rows.append(cells)
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    t = d.add_table(rows=len(rows), cols=width)
    t.style = d.styles["Table Grid"]
    for i, r in enumerate(rows):
        for j, text in enumerate(r):
            t.cell(i, j).text = text.strip()
    # a second header row (its first cell empty, no figure in it): row 0's cells above empty cells span down,
    # row 0's cells followed by empty ones span across
    if len(rows) > 1 and not rows[1][0].strip() and not any(re.fullmatch(r"\d[\d.,]*", c.strip()) for c in rows[1]):
        j = 0
        while j < width:
            if rows[0][j].strip() and not rows[1][j].strip():
                a, b = t.cell(0, j), t.cell(1, j)
                a.merge(b)
                a.paragraphs[-1]._p.getparent().remove(a.paragraphs[-1]._p) if len(a.paragraphs) > 1 else None
                j += 1
                continue
            k = j + 1
            while rows[0][j].strip() and k < width and not rows[0][k].strip() and rows[1][k].strip():
                k += 1
            if k > j + 1:
                a = t.cell(0, j).merge(t.cell(0, k - 1))
                while len(a.paragraphs) > 1 and not a.paragraphs[-1].text:
                    a.paragraphs[-1]._p.getparent().remove(a.paragraphs[-1]._p)
            j = k


def write_seed_docx(text: str, path: Path, habit: str) -> Path:
    """The seed's text as a .docx file in `habit`."""
    assert habit in HABITS
    seed = parse(text)
    lines = [clean(x) for x in text.splitlines()]
    lines = [x for x in lines if x]
    number = next((x for x in lines[:5] if x.startswith("Số:")), "Số: /BC-UBND")
    dateline = next((x for x in lines[:6] if ", ngày" in x), "")
    d = docx.Document()
    for k in range(1, 7):
        try:
            d.styles[f"Heading {k}"]
        except KeyError:
            d.styles.add_style(f"Heading {k}", WD_STYLE_TYPE.PARAGRAPH)
    head = d.add_table(rows=1, cols=2)
    _borderless(head)
    _cell_lines(head.cell(0, 0), [*(seed.issuer or [f"ỦY BAN NHÂN DÂN XÃ {seed.place.upper()}"]), number])
    _cell_lines(head.cell(0, 1), ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", dateline])
    d.add_paragraph().add_run("BÁO CÁO").bold = True
    d.add_paragraph().add_run(seed.subject).bold = True
    inline = next((x for x in lines if x.startswith("Kính gửi:") and x.partition(":")[2].strip()), None)
    if inline:
        d.add_paragraph(inline)
    elif seed.kinh_gui is not None:
        d.add_paragraph("Kính gửi:")
        for k in seed.kinh_gui:
            d.add_paragraph(f"- {k}")
    levels: list[str] = []

    def collect(nodes, depth):
        for n in nodes:
            while len(levels) <= depth:
                levels.append(n.style)
            collect(n.children, depth + 1)

    collect(seed.roots, 0)
    num_id = _numbering(d, levels) if habit == "auto" else None

    def body(line: str) -> None:
        if habit == "auto" and line.startswith(("- ", "+ ")):
            p = d.add_paragraph(line[2:])
            _num(p, "91", 0 if line[0] == "-" else 1)
        else:
            d.add_paragraph(line)

    for line in seed.intro:
        body(line)

    def heading(n: Node, depth: int) -> None:
        label = _heading_label(text, n)
        if n.style in ("part", "part_roman"):
            d.add_paragraph().add_run(label).bold = True
            d.add_paragraph().add_run(n.title).bold = True
            return
        if habit == "auto" and n.style == levels[min(depth, len(levels) - 1)]:
            p = d.add_paragraph()
            p.add_run(n.title).bold = True
            _num(p, num_id, depth)
        elif habit == "styles":
            d.add_paragraph(f"{label} {n.title}", style=f"Heading {min(depth + 1, 6)}")
        else:
            d.add_paragraph().add_run(f"{label} {n.title}").bold = True

    def walk(nodes, depth):
        for n in nodes:
            heading(n, depth)
            for para in n.paras:
                body(para)
            walk(n.children, depth + 1)

    walk(seed.roots, 0)
    for line in seed.closing:
        d.add_paragraph(line)
    sig = d.add_table(rows=1, cols=2)
    _borderless(sig)
    _cell_lines(sig.cell(0, 0), ["Nơi nhận:"] + [f"- {r}" for r in seed.recipients])
    _cell_lines(sig.cell(0, 1), seed.signature + [seed.signer], bold=True)
    i, after = 0, seed.after
    while i < len(after):
        if "\t" in after[i]:
            j = i
            while j < len(after) and "\t" in after[j]:
                j += 1
            _table(d, after[i:j])
            i = j
            continue
        d.add_paragraph(after[i])
        i += 1
    d.save(str(path))
    return path


def _heading_label(text: str, n: Node) -> str:
    """The heading's number as the seed writes it ("II.", "1.", "a)", "Phần 1")."""
    lines = [x for x in (clean(r) for r in text.splitlines()) if x]
    for i, line in enumerate(lines):
        if n.style in ("part", "part_roman") and line == n.title and i and re.fullmatch(r"Phần\s+(\d+|[IVX]+)", lines[i - 1]):
            return lines[i - 1]
        if n.title and line.endswith(n.title) and line != n.title:
            m = _NUM_RE.match(line)
            if m:
                return m.group(0).strip()
    return {"part": "Phần 1", "part_roman": "Phần I"}.get(n.style, "")


def write_outline_docx(tpl, path: Path) -> Path:
    """A province's outline document made from a template: its subject, then each section's heading with its printed
    number (bold, as typed) and the first line of its hints as the instruction under it."""
    from nq57desk.templates.numbering import number_sections

    nums = number_sections(tpl)
    d = docx.Document()
    d.add_paragraph().add_run("BÁO CÁO").bold = True
    d.add_paragraph().add_run(tpl.subject).bold = True

    def rec(secs):
        for sec in secs:
            if sec.show_title:
                label = nums.get(sec.key, ("",))[0]
                if label.startswith("Phần"):
                    d.add_paragraph().add_run(label).bold = True
                    d.add_paragraph().add_run(sec.title).bold = True
                else:
                    d.add_paragraph().add_run(f"{label} {sec.title}".strip()).bold = True
            for b in sec.blocks:
                hint = getattr(b, "hint", "") or ""
                if hint.strip():
                    d.add_paragraph(hint.strip().split("\n")[0])
            rec(sec.children)

    rec(tpl.sections)
    d.save(str(path))
    return path
