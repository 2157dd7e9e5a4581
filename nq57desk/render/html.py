"""Document tree → HTML for the print preview and the PDF (Qt's rich-text subset; no Qt imported here)."""

from __future__ import annotations

from html import escape

from nq57desk.render.tree import Appendix, DocTree, Heading, Para, Table

BODY_PT = 14
FONT = "'Times New Roman', 'Liberation Serif', serif"
# Qt's rich text takes margins and indents in pixels of the paint device only; set by the caller (px per pt).
PX_PER_PT = {"v": 96 / 72}


def set_resolution(dpi: float) -> None:
    PX_PER_PT["v"] = dpi / 72


def _px(pt: float) -> str:
    return f"{pt * PX_PER_PT['v']:.0f}px"


def _p(text: str, *, align="justify", bold=False, italic=False, size=BODY_PT, indent=True, after=6, before=0) -> str:
    style = [f"font-size:{size}pt", f"margin-top:{_px(before)}", f"margin-bottom:{_px(after)}", f"text-align:{align}"]
    if indent:
        style.append(f"text-indent:{_px(36)}")  # 1.27 cm
    t = escape(text)
    if bold:
        t = f"<b>{t}</b>"
    if italic:
        t = f"<i>{t}</i>"
    return f'<p style="{";".join(style)}">{t}</p>'


def header_html(t: DocTree) -> str:
    left = "".join(_p(x, align="center", bold=True, size=13, indent=False, after=0) for x in t.issuer)
    left += _p("―――――", align="center", size=8, indent=False, after=2)
    left += _p(t.number_line, align="center", size=13, indent=False, after=0)
    right = _p(t.quoc_hieu, align="center", bold=True, size=12, indent=False, after=0)
    right += _p(t.tieu_ngu, align="center", bold=True, size=13, indent=False, after=0)
    right += _p("――――――――――――――", align="center", size=8, indent=False, after=2)
    right += _p(t.date_line, align="center", italic=True, size=14, indent=False, after=0)
    draft = _p("DỰ THẢO", align="right", bold=True, size=13, indent=False) if t.draft else ""
    return (f'{draft}<table width="100%" cellspacing="0" cellpadding="0"><tr>'
            f'<td width="38%" valign="top">{left}</td><td width="62%" valign="top">{right}</td></tr></table>')


def node_html(n) -> str:
    if isinstance(n, Heading):
        if n.style in ("part", "part_roman"):
            return _p(n.number, align="center", bold=True, indent=False, before=6) + _p(n.title, align="center", bold=True, indent=False)
        italic = n.style == "point"
        return _p(n.text, bold=True, italic=italic)
    if isinstance(n, Para):
        if n.style == "note":
            return _p(n.text, italic=True)
        if n.style in ("subtitle", "center_bold"):
            return _p(n.text, bold=True, align="center" if n.style == "center_bold" else "justify")
        return _p(n.text)
    if isinstance(n, Table):
        return table_html(n)
    return ""


def table_html(tb: Table) -> str:
    size = 11 if len(tb.widths) > 7 else 12
    total = sum(tb.widths) or 1
    out = []
    if tb.title:
        out.append(_p(tb.title, align="center", bold=True, indent=False))
    out.append(f'<table width="100%" border="1" cellspacing="0" cellpadding="3" style="border-collapse:collapse;'
               f'font-size:{size}pt">')
    rows: dict[int, list] = {}
    for c in tb.header:
        rows.setdefault(c.row, []).append(c)
    for r in range(tb.header_rows):
        cells = sorted(rows.get(r, []), key=lambda c: c.col)
        out.append("<tr>" + "".join(
            f'<th rowspan="{c.rowspan}" colspan="{c.colspan}" width="{100 * tb.widths[c.col] / total:.0f}%" '
            f'align="center" valign="middle"><b>{escape(c.text)}</b></th>' for c in cells) + "</tr>")
    for row in tb.rows:
        tds = []
        for i, text in enumerate(row.cells):
            align = "right" if tb.numeric[i] and row.kind != "group" else ("center" if i == 0 else "left")
            t = escape(text)
            if row.kind in ("group", "total"):
                t = f"<b>{t}</b>"
            tds.append(f'<td align="{align}" valign="top">{t}</td>')
        out.append("<tr>" + "".join(tds) + "</tr>")
    out.append("</table>")
    return "".join(out)


def closing_html(t: DocTree) -> str:
    left = _p("Nơi nhận:", align="left", bold=True, italic=True, size=12, indent=False, after=0)
    left += "".join(_p(f"- {x}", align="left", size=11, indent=False, after=0) for x in t.recipients)
    right = "".join(_p(x, align="center", bold=True, size=14, indent=False, after=0) for x in t.signature)
    right += "<br/><br/><br/><br/>" + _p(t.signer, align="center", bold=True, size=14, indent=False)
    return (f'<table width="100%" cellspacing="0" cellpadding="0" style="margin-top:12pt"><tr>'
            f'<td width="50%" valign="top">{left}</td><td width="50%" valign="top">{right}</td></tr></table>')


def body_html(t: DocTree) -> str:
    """Header, title, Kính gửi, body and closing: the portrait part of the report."""
    out = [f'<html><body style="font-family:{FONT}; font-size:{BODY_PT}pt">', header_html(t)]
    out.append(_p("BÁO CÁO", align="center", bold=True, indent=False, before=18, after=0))
    out.append(_p(t.subject, align="center", bold=True, indent=False, after=0))
    out.append(_p("――――――", align="center", size=8, indent=False, after=12))
    if t.kinh_gui is not None:
        if len(t.kinh_gui) == 1:
            out.append(_p(f"Kính gửi: {t.kinh_gui[0]}", align="center", indent=False))
        else:
            out.append(_p("Kính gửi:", align="left", indent=True, after=0))
            out += [_p(f"- {x}", align="left", indent=True, after=0) for x in t.kinh_gui]
    out += [node_html(n) for n in t.body]
    out.append(closing_html(t))
    out.append("</body></html>")
    return "".join(out)


def appendix_html(t: DocTree, a: Appendix, first: bool) -> str:
    out = [f'<html><body style="font-family:{FONT}; font-size:{BODY_PT}pt">']
    if first and t.appendix_heading:
        out.append(_p(t.appendix_heading, align="center", bold=True, indent=False, after=0))
        out.append(_p(t.appendix_note, align="center", italic=True, indent=False))
    out.append(_p(f"{a.label}. {a.title}" if a.title and t.appendix_heading else a.label, align="center", bold=True,
                  indent=False, after=0))
    if a.title and not t.appendix_heading:
        out.append(_p(a.title.upper(), align="center", bold=True, indent=False, after=0))
    if a.note:
        out.append(_p(a.note, align="center", italic=True, indent=False))
    out += [node_html(n) for n in a.body]
    out.append("</body></html>")
    return "".join(out)


def parts(t: DocTree) -> list[tuple[str, bool]]:
    """(html, landscape) per printed part: the report, then each appendix on its own pages."""
    out = [(body_html(t), False)]
    for i, a in enumerate(t.appendices):
        out.append((appendix_html(t, a, i == 0), a.landscape))
    return out
