"""DocTree → DOCX in the layout of Decree 30/2020/NĐ-CP, Phụ lục I (see docs and DOMAIN §2).

`render_docx(tree, path_or_stream)` writes one report; `export_docx(tpl, doc, path)` builds the tree first.
A path is written atomically (temp file in the same folder → flush → fsync → os.replace), so a crash or a
full USB stick never leaves half a file under the final name.
"""

from __future__ import annotations

import datetime as dt
import errno
import io
import os
import tempfile
import threading
from pathlib import Path

from nq57desk.errors import FileError
from nq57desk.render import docx_xml as X
from nq57desk.render.docx_table import table_xml
from nq57desk.render.tree import DocTree, Heading, Para, Table, build
from nq57desk.render.tree import orientations as _orientations
from nq57desk.templates.numbering import HEADING_LOOK

DRAFT_MARK = X.DRAFT_MARK
MARGINS_MM = X.MARGINS_MM  # top, bottom, left, right


def render_docx(tree: DocTree, path_or_stream, *, margins_mm=MARGINS_MM) -> None:
    """Write the report tree as a DOCX to a path (atomically) or to a binary stream."""
    document = _Writer(tree, tuple(float(m) for m in margins_mm)).document()
    if hasattr(path_or_stream, "write"):
        document.save(path_or_stream)
        return
    buf = io.BytesIO()
    document.save(buf)
    write_atomic(path_or_stream, buf.getvalue())


def export_docx(tpl, doc: dict, path) -> None:
    """Build the tree of a report document and write it as DOCX."""
    render_docx(build(tpl, doc), path)


def write_atomic(path, data: bytes) -> None:
    """Temp file in the same folder → flush → fsync → os.replace; the temp file is removed on any failure.

    A fault (disk full, read-only folder, the file open in Word) raises FileError, in Vietnamese.
    """
    path = Path(path)
    tmp = None
    try:
        if path.is_dir():
            raise IsADirectoryError(errno.EISDIR, "is a directory", str(path))
        fd, tmp = tempfile.mkstemp(prefix=".nq57-", suffix=".tmp", dir=path.parent)
        _default_mode(fd)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as e:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        if isinstance(e, OSError):
            raise FileError("Không ghi được tệp", path, e) from e
        raise
    if os.name == "posix":  # make the rename itself durable
        try:
            dfd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)
        except OSError:
            pass


_UMASK_LOCK = threading.Lock()
HEADER_RIGHT_MM = X.HEADER_RIGHT_MM


def _umask() -> int:
    """The process umask without a window in which it is changed (/proc on Linux), else read under a lock."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    with _UMASK_LOCK:
        old = os.umask(0o022)
        os.umask(old)
    return old


def _default_mode(fd: int) -> None:
    """mkstemp creates 0600; the exported file gets the mode any new file of the user gets (0666 less umask)."""
    if os.name == "posix":
        try:
            os.fchmod(fd, 0o666 & ~_umask())
        except OSError:
            pass


class _Writer:
    """Lays the tree out as body XML, section by section (a landscape table or appendix opens a new section)."""

    def __init__(self, tree: DocTree, margins: tuple[float, float, float, float]):
        self.t, self.m = tree, margins
        self.out: list[str] = []
        self.land = False  # orientation of the section being written
        self.sections: list[bool] = []  # orientation of each finished section
        self.fresh = True  # at the top of a new page
        self.break_next = False  # the next paragraph starts a new page

    # -- flow -------------------------------------------------------------------------------------------------
    @property
    def width(self) -> int:
        return X.text_width(self.land, self.m)

    def p(self, runs: str, **kw) -> None:
        if self.break_next:
            kw["page_break"] = True
            self.break_next = False
        self.out.append(X.para(runs, **kw))
        self.fresh = False

    def orient(self, landscape: bool) -> None:
        """Close the current section when the orientation changes; the next section starts on a new page."""
        if landscape == self.land:
            return
        sect = X.sect_pr(self.land, self.m, title_pg=not self.sections)
        self.out.append(X.para(line=240, before=0, after=0, mark=X.rpr(1), sect=sect))
        self.sections.append(self.land)
        self.land, self.fresh, self.break_next = landscape, True, False

    def new_page(self) -> None:
        if not self.fresh:
            self.break_next = True

    # -- the document -----------------------------------------------------------------------------------------
    def document(self):
        from docx import Document
        from docx.oxml import parse_xml
        from docx.oxml.ns import nsdecls

        self.header()
        self.title()
        self.kinh_gui()
        self.nodes(self.t.body, False, keep_last=True)
        self.orient(False)
        self.bottom()
        self.appendices()
        final = X.sect_pr(self.land, self.m, title_pg=not self.sections)
        self.sections.append(self.land)

        doc = Document()
        _prepare(doc, self.t)
        # swap in the whole new body at once: moving its children one by one between lxml documents is
        # quadratic in the size of a table (3000 rows: minutes instead of a fraction of a second)
        body = doc.element.body
        body.getparent().replace(body, parse_xml(f"<w:body {nsdecls('w')}>{''.join(self.out)}{final}</w:body>"))
        self.page_headers(doc)
        return doc

    def header(self) -> None:
        """Borderless 2×2 table: issuer | Quốc hiệu, Tiêu ngữ; then Số | date on one row."""
        t = self.t
        right = X.tw(HEADER_RIGHT_MM)
        left = self.width - right  # the whole table spans the text width, no more
        issuer = [X.clean(x).upper() for x in t.issuer if str(x).strip()] or ["ỦY BAN NHÂN DÂN"]
        cell = "".join(X.para(X.run(x, 13, True), jc="center", line=240, after=0) for x in issuer)
        longest = max(X.text_twips(x, 13, True) for x in issuer)
        cell += X.rule_para(max(X.tw(15), min(int(longest * 0.4), left // 2)), left, before=20)
        tn_len = min(X.text_twips(t.tieu_ngu, 13, True), right)
        cell_r = (X.para(X.run(t.quoc_hieu, 12, True), jc="center", line=240, after=0)
                  + X.para(X.run(t.tieu_ngu, 13, True), jc="center", line=240, after=0)
                  + X.rule_para(tn_len, right, before=20))
        row1 = X.tr(X.tc(cell, left) + X.tc(cell_r, right))
        num = X.para(X.run(t.number_line, 13), jc="center", before=120, after=0, line=240)
        date = X.para(X.run(t.date_line, 14, italic=True), jc="center", before=120, after=0, line=240)
        row2 = X.tr(X.tc(num, left) + X.tc(date, right))
        self.out.append(X.table([left, right], row1 + row2, borders=False, cell_lr=0))
        self.fresh = False

    def title(self) -> None:
        self.p(X.run("BÁO CÁO", 14, True), style="ND30Giua", jc="center", before=360, after=0, keep_next=True)
        subject = X.clean(self.t.subject)
        self.p(X.run(subject, 14, True), style="ND30Giua", jc="center", keep_next=True)
        est = min(X.text_twips(subject, 14, True), self.width)
        rule = max(X.tw(25), min(est // 3, X.tw(60)))
        self.out.append(X.rule_para(rule, self.width, before=40, after=240 if self.t.kinh_gui is None else 120))

    def kinh_gui(self) -> None:
        kg = [X.clean(x).strip() for x in (self.t.kinh_gui or []) if str(x).strip()]
        if self.t.kinh_gui is None:
            return
        lead = "Kính gửi:"
        if len(kg) <= 1:
            text = f"{lead} {kg[0]}" if kg else lead
            self.p(X.run(text, 14), style="ND30Giua", jc="center", after=240)
            return
        gap = X.text_twips(lead + "  ", 14) + X.tw(2)
        widest = max(X.text_twips(f"- {x}", 14) for x in kg)
        left = max(0, min((self.width - gap - widest) // 2, X.tw(40)))
        for i, x in enumerate(kg):
            last = i == len(kg) - 1
            if i == 0:
                self.p(X.run(f"{lead}\t- {x}", 14), left=left + gap, hanging=gap, tabs=(("left", left + gap),),
                       after=240 if last else 0, line=240, keep_next=True)
            else:
                self.p(X.run(f"- {x}", 14), left=left + gap, first=0, after=240 if last else 0, line=240,
                       keep_next=not last)

    # -- body nodes -------------------------------------------------------------------------------------------
    def nodes(self, nodes: list, landscape: bool, keep_last: bool = False) -> None:
        last = len(nodes) - 1
        for i, (n, land) in enumerate(zip(nodes, _orientations(nodes, landscape), strict=True)):
            self.orient(land)
            if isinstance(n, Table):
                self.table(n)
                continue
            keep = keep_last and i == last
            if isinstance(n, Heading):
                self.heading(n)
            elif isinstance(n, Para):
                self.para(n, keep)

    def heading(self, h: Heading) -> None:
        title = X.clean(h.title)
        bold, italic, upper, centred = HEADING_LOOK.get(h.style, HEADING_LOOK["none"])
        if centred:
            self.p(X.run(h.number, 14, True), style="ND30Muc", jc="center", first=0, before=120, after=0,
                   outline=h.level)
            self.p(X.run(title, 14, True), style="ND30Muc", jc="center", first=0)
            return
        if upper:
            title = title.upper()
        text = f"{h.number} {title}".strip()
        self.p(X.run(text, 14, bold, italic), style="ND30Muc", outline=min(h.level, 8))

    def para(self, n: Para, keep: bool) -> None:
        if n.style == "center_bold":
            self.p(X.run(n.text, 14, True), style="ND30Giua", jc="center", after=X.BODY_AFTER, keep_next=True)
            return
        bold, italic = n.style == "subtitle", n.style == "note"
        self.p(X.run(n.text, 14, bold, italic), style="ND30NoiDung", keep_next=keep or bold)

    def table(self, t: Table) -> None:
        if t.title:
            self.p(X.run(t.title, 13, True), style="ND30Giua", jc="center", before=120, after=120, keep_next=True)
        self.out.append(table_xml(t, self.width))
        self.out.append(X.para(line=240, after=0, mark=X.rpr(6)))
        self.fresh = False

    # -- bottom: Nơi nhận and signature ------------------------------------------------------------------------
    def bottom(self) -> None:
        t = self.t
        left, right = X.tw(X.CLOSING_LEFT_MM), self.width - X.tw(X.CLOSING_LEFT_MM)
        lcell = X.para(X.run("Nơi nhận:", 12, True, True), before=240, after=0, line=240)
        for x in t.recipients:
            x = X.clean(x).strip()
            if x:
                lcell += X.para(X.run(x if x.startswith("-") else f"- {x}", 11), after=0, line=240)
        rcell = ""
        for i, x in enumerate(s for s in t.signature if str(s).strip()):
            rcell += X.para(X.run(X.clean(x).upper(), 14, True), jc="center", before=240 if i == 0 else 0, after=0, line=240)
        rcell += X.para(mark=X.rpr(14), after=0, line=240) * 4
        rcell += X.para(X.run(t.signer, 14, True) if t.signer else "", jc="center", after=0, line=240)
        self.out.append(X.table([left, right], X.tr(X.tc(lcell, left) + X.tc(rcell, right)), borders=False, cell_lr=0))
        self.fresh = False

    # -- appendices -------------------------------------------------------------------------------------------
    def appendices(self) -> None:
        t = self.t
        for i, a in enumerate(t.appendices):
            self.orient(a.landscape)
            self.new_page()
            if i == 0 and t.appendix_heading:
                self.p(X.run(t.appendix_heading, 14, True), style="ND30Giua", jc="center", keep_next=True)
                if t.appendix_note:
                    self.p(X.run(t.appendix_note, 14, italic=True), style="ND30Giua", jc="center", after=240,
                           keep_next=True)
            self.p(X.run(a.label, 14, True), style="ND30Giua", jc="center", keep_next=True, outline=0)
            if a.title:
                self.p(X.run(X.clean(a.title).upper(), 14, True), style="ND30Giua", jc="center", keep_next=True)
            if a.note:
                self.p(X.run(a.note, 14, italic=True), style="ND30Giua", jc="center", keep_next=True)
            self.out.append(X.rule_para(X.tw(30), self.width, before=20, after=240))
            self.nodes(a.body, a.landscape)

    # -- page headers -----------------------------------------------------------------------------------------
    def page_headers(self, doc) -> None:
        """Page number top centre from page 2 (titlePg); a draft shows "DỰ THẢO" at the top right of every page."""
        draft = self.t.draft
        for i, (sec, land) in enumerate(zip(doc.sections, self.sections, strict=True)):
            w = X.text_width(land, self.m)
            if draft:
                runs = X.run("\t", 14) + X.page_field(14) + X.run("\t", 14) + X.run(DRAFT_MARK, 13, True, boxed=True)
                head = X.para(runs, tabs=(("center", w // 2), ("right", w)), after=0, line=240)
            else:
                head = X.para(X.page_field(14), jc="center", after=0, line=240)
            hdr = sec.header
            hdr.is_linked_to_previous = False
            _fill(hdr._element, head)
            if i == 0:
                first = sec.first_page_header
                first.is_linked_to_previous = False
                mark = X.run(DRAFT_MARK, 13, True, boxed=True) if draft else ""
                _fill(first._element, X.para(mark, jc="right", after=0, line=240))


def _fill(element, xml: str) -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    for child in list(element):
        element.remove(child)
    element.extend(list(parse_xml(f"<w:hdr {nsdecls('w')}>{xml}</w:hdr>")))


_THEME_ATTRS = ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme")
_COLOR_ATTRS = ("themeColor", "themeShade", "themeTint", "themeFill", "themeFillShade", "themeFillTint")


def _prepare(doc, tree: DocTree) -> None:
    """Styles, settings and package parts of the default template made fit for a Decree 30 document."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn

    styles = doc.styles.element
    # docDefaults: Times New Roman in all four slots, 14 pt, Vietnamese; no spacing after paragraphs
    dd = styles.find(qn("w:docDefaults"))
    if dd is not None:
        styles.remove(dd)
    fonts = f'w:ascii="{X.TNR}" w:hAnsi="{X.TNR}" w:eastAsia="{X.TNR}" w:cs="{X.TNR}"'
    styles.insert(0, parse_xml(
        f'<w:docDefaults {nsdecls("w")}><w:rPrDefault><w:rPr><w:rFonts {fonts}/><w:sz w:val="28"/><w:szCs w:val="28"/>'
        f'<w:lang w:val="vi-VN" w:eastAsia="vi-VN" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>'
        f'<w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>'))
    # every style: explicit Times New Roman, no theme fonts or colours, Vietnamese language
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    theme_fonts = tuple(f"{w}{a}" for a in _THEME_ATTRS)
    theme_colours = tuple(f"{w}{a}" for a in _COLOR_ATTRS)
    rfonts, lang, color = f"{w}rFonts", f"{w}lang", f"{w}color"
    for el in styles.iter():
        tag, attrib = el.tag, el.attrib
        if tag == rfonts:
            for a in theme_fonts:
                attrib.pop(a, None)
            for a in ("ascii", "hAnsi", "eastAsia", "cs"):
                el.set(f"{w}{a}", X.TNR)
        elif tag == lang:
            el.set(f"{w}val", "vi-VN")
            el.set(f"{w}eastAsia", "vi-VN")
        elif attrib and any(a in attrib for a in theme_colours):  # colours and borders: plain black
            for a in theme_colours:
                attrib.pop(a, None)
            if tag == color:
                el.set(f"{w}val", "000000")
            elif attrib.get(color) not in (None, "auto"):
                el.set(color, "000000")
    normal = doc.styles["Normal"].element
    for tag in ("w:pPr", "w:rPr"):
        old = normal.find(qn(tag))
        if old is not None:
            normal.remove(old)
    normal.append(parse_xml(f'<w:pPr {nsdecls("w")}><w:widowControl/><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'))
    normal.append(parse_xml(f'<w:rPr {nsdecls("w")}><w:rFonts {fonts}/><w:color w:val="000000"/><w:sz w:val="28"/><w:szCs w:val="28"/>'
                            f'<w:lang w:val="vi-VN" w:eastAsia="vi-VN" w:bidi="ar-SA"/></w:rPr>'))
    for xml in X.CUSTOM_STYLES.values():
        styles.append(parse_xml(xml.replace("<w:style ", f"<w:style {nsdecls('w')} ", 1)))

    settings = doc.settings.element
    tfl = settings.find(qn("w:themeFontLang"))
    if tfl is not None:
        tfl.set(qn("w:val"), "vi-VN")
        tfl.attrib.pop(qn("w:eastAsia"), None)
    for cs in settings.iter(qn("w:compatSetting")):
        if cs.get(qn("w:name")) == "compatibilityMode":
            cs.set(qn("w:val"), "15")

    # parts a report has no use for: Word 2010 styles with theme effects, a thumbnail of a blank page, customXml
    for rels, kinds in ((doc.part.rels, ("stylesWithEffects", "customXml")), (doc.part.package.rels, ("thumbnail",))):
        for rid, rel in list(rels.items()):
            if rel.reltype.rsplit("/", 1)[-1] in kinds:
                del rels[rid]

    cp = doc.core_properties
    cp.title = X.clean(tree.subject)[:250]
    cp.subject = "Báo cáo"
    cp.author = X.clean(" ".join(tree.issuer))[:250] or "nq57desk"
    cp.comments = ""
    cp.keywords = "Nghị quyết 57-NQ/TW"
    cp.language = "vi-VN"
    cp.last_modified_by = ""
    cp.revision = 1
    now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    cp.created = now
    cp.modified = now
