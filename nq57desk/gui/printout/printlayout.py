"""A report's pages for a printer or a PDF: the flows of render/html.py measured with Qt's rich text, placed on
A4 pages here as Word places the DOCX, then painted with the page number and the draft mark.

Qt's own pagination splits table rows and cannot keep a paragraph with the next one, so it is not used: every
flow is laid out on its own (unpaged) and this module decides the page breaks: space before is dropped at the top
of a page; keep-with-next chains (headings, table titles, the last paragraph with Nơi nhận and the signature) stay
together; a paragraph breaks between lines with at least two lines on each page; a table breaks between rows and
repeats its header rows; the closing block never splits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPageLayout,
    QPageSize,
    QPainter,
    QPen,
    QTextCursor,
    QTextDocument,
)

from nq57desk.render import docx_xml as X
from nq57desk.render.html import RULE_BELOW_PT, RULE_PT, TEXT_WIDTH_MM, Flow, Part

# left, top, right, bottom in mm (Qt's order): the DOCX's margins, the same on landscape pages
MARGINS_MM = tuple(float(X.MARGINS_MM[i]) for i in (2, 0, 3, 1))
HEADER_MM = X.header_mm(X.MARGINS_MM[0])  # the page header (number, DỰ THẢO) as the DOCX's w:header
DRAFT_MARK = X.DRAFT_MARK
EPS = 0.5


def page_layout(landscape: bool) -> QPageLayout:
    left, top, right, bottom = MARGINS_MM
    return QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                       QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait,
                       QMarginsF(left, top, right, bottom), QPageLayout.Unit.Millimeter)


def text_widths_mm() -> dict[bool, float]:
    return dict(TEXT_WIDTH_MM)


@dataclass
class Piece:
    """A slice top..bottom (document pixels) of one laid-out flow, drawn at `y` below the top of the text area."""
    doc: QTextDocument
    y: float
    top: float
    bottom: float
    flow: Flow


@dataclass
class Page:
    landscape: bool
    pieces: list[Piece] = field(default_factory=list)

    def text(self) -> str:
        """The plain text on this page (for tests and checks), piece by piece."""
        out = []
        for p in self.pieces:
            lay = p.doc.documentLayout()
            b = p.doc.begin()
            while b.isValid():
                r = lay.blockBoundingRect(b)
                if b.text() and r.bottom() > p.top + EPS and r.top() < p.bottom - EPS:
                    out.append(b.text())
                b = b.next()
        return "\n".join(out)


def new_doc(html: str, device, width: float) -> QTextDocument:
    d = QTextDocument()
    d.documentLayout().setPaintDevice(device)
    d.setDefaultFont(QFont("Times New Roman", 14))
    d.setDocumentMargin(0)
    d.setHtml(html)
    _scale_indents(d, device.logicalDpiX() / 96)
    d.setTextWidth(width)
    return d


def _scale_indents(d: QTextDocument, scale: float) -> None:
    """Qt scales rich-text margins and paddings from 1/96 inch to the device, but not text-indent: do it here."""
    b = d.begin()
    while b.isValid():
        fmt = b.blockFormat()
        if fmt.textIndent():
            fmt.setTextIndent(fmt.textIndent() * scale)
            QTextCursor(b).setBlockFormat(fmt)
        b = b.next()


def height(d: QTextDocument) -> float:
    return d.documentLayout().documentSize().height()


class Measured:
    """A flow laid out at the text width: its height, line breaks (paragraphs) or row boundaries (tables)."""

    def __init__(self, flow: Flow, device, width: float):
        self.flow, self.device, self.width = flow, device, width
        html = flow.chunk(0, len(flow.rows)) if flow.is_table else flow.html
        self.doc = new_doc(html, device, width)
        self.height = height(self.doc)
        self.breaks = self._lines() if flow.split else [0.0, self.height]
        self.bounds = self._rows() if flow.is_table else []

    def _lines(self) -> list[float]:
        """Where each line's box begins, then the bottom of the paragraph: the places a page may break it.

        With a fixed line height Qt draws the text a little below the top of the line's box; the box starts
        that much above the text's own top."""
        tops = []
        b = self.doc.begin()
        while b.isValid():
            lay = b.layout()
            if lay.lineCount():
                y0 = lay.position().y()
                shift = lay.lineAt(0).y() if not tops else 0.0
                tops += [y0 + lay.lineAt(i).y() - shift for i in range(lay.lineCount())]
            b = b.next()
        return [*(tops or [0.0]), self.height]

    def _rows(self) -> list[float]:
        """bounds[0] = bottom of the header rows, bounds[i] = boundary between body rows i-1 and i (estimates)."""
        f = self.flow
        top: dict[int, float] = {}
        bot: dict[int, float] = {}
        lay = self.doc.documentLayout()
        b = self.doc.begin()
        while b.isValid():
            table = QTextCursor(b).currentTable()
            if table is not None:
                r = table.cellAt(b.position()).row()
                rect = lay.blockBoundingRect(b)
                top[r] = min(top.get(r, rect.top()), rect.top())
                bot[r] = max(bot.get(r, rect.bottom()), rect.bottom())
            b = b.next()
        n = len(f.rows)
        bounds = []
        for i in range(n + 1):
            above, below = f.head_rows + i - 1, f.head_rows + i
            if i == n:
                bounds.append(self.height)
            elif above < 0 or above not in bot or below not in top:
                bounds.append(top.get(below, 0.0))
            else:
                bounds.append((bot[above] + top[below]) / 2)
        return bounds

    @property
    def first_piece(self) -> float:
        """What must go on a page with the flow before it (keep-with-next): two lines, or the header and a row."""
        if self.flow.is_table and self.flow.rows:
            return self.estimate(0, 1)
        if self.flow.split and len(self.breaks) - 1 >= 4:
            return self.breaks[2]
        return self.height

    def estimate(self, start: int, end: int) -> float:
        return self.bounds[0] + self.bounds[end] - self.bounds[start]

    def chunk(self, start: int, end: int) -> QTextDocument:
        if start == 0 and end == len(self.flow.rows):
            return self.doc
        return new_doc(self.flow.chunk(start, end), self.device, self.width)


class Pager:
    """Places measured flows on pages of height `page_h` (device pixels); `pt` is device pixels per point."""

    def __init__(self, device, res: float):
        self.device, self.pt = device, res / 72
        self.pages: list[Page] = []
        self.y = 0.0
        self.page_h = 0.0

    def start(self, landscape: bool) -> None:
        self.pages.append(Page(landscape))
        self.y = 0.0
        rect = page_layout(landscape).paintRectPixels(round(self.pt * 72))
        self.page_h = float(rect.height())

    def again(self) -> None:
        self.start(self.pages[-1].landscape)

    @property
    def space(self) -> float:
        return self.page_h - self.y

    def put(self, doc: QTextDocument, top: float, bottom: float, flow: Flow) -> None:
        self.pages[-1].pieces.append(Piece(doc, self.y, top, bottom, flow))
        self.y += bottom - top

    # -- the flows of one part ----------------------------------------------------------------------------------
    def part(self, part: Part) -> None:
        width = page_layout(part.landscape).paintRectPixels(round(self.pt * 72)).width()
        ms = [Measured(f, self.device, width) for f in part.flows]
        self.start(part.landscape)
        for i, m in enumerate(ms):
            f = m.flow
            if f.new_page and self.y > 0:
                self.again()
            before = f.before * self.pt if self.y > 0 else 0.0
            if f.keep_next and not f.split and self.y > 0:
                need = before + self.chain(ms, i)
                if need > self.space + EPS and need <= self.page_h:
                    self.again()
                    before = 0.0
            self.y += before
            if f.is_table and f.rows:
                self.table(m)
            elif f.split:
                tail = self.chain(ms, i + 1, with_before=True) if f.keep_next else 0.0
                self.lines(m, tail + f.after * self.pt if tail else 0.0)
            else:
                self.block(m)
            self.y += f.after * self.pt

    def chain(self, ms: list[Measured], i: int, with_before: bool = False) -> float:
        """Height that must share a page: the unsplittable keep-with-next flows from i, and the start of the next."""
        need = 0.0
        for k in range(i, len(ms)):
            f = ms[k].flow
            if k > i or with_before:
                need += f.before * self.pt
            if f.keep_next and not f.split and not f.is_table:
                need += ms[k].height + f.after * self.pt
                continue
            return need + ms[k].first_piece
        return need

    def block(self, m: Measured) -> None:
        if m.height > self.space + EPS and self.y > 0:
            self.again()
        self.slices(m.doc, m.height, m.flow)

    def slices(self, doc: QTextDocument, h: float, flow: Flow) -> None:
        """A flow taller than a page (a huge row or block) is cut at page height: nothing is ever dropped."""
        top = 0.0
        while True:
            take = h - top if h - top <= self.space + EPS else self.space
            self.put(doc, top, top + take, flow)
            top += take
            if top >= h - EPS:
                return
            self.again()

    def lines(self, m: Measured, tail: float) -> None:
        """A paragraph, broken between lines where a page ends; `tail` is what must follow its last line on the
        same page (keep-with-next), so its last two lines may go over to the next page with it."""
        bp = m.breaks
        n_lines = len(bp) - 1
        a = 0
        while a < n_lines:
            b = a
            while b < n_lines and bp[b + 1] - bp[a] <= self.space + EPS:
                b += 1
            if b == n_lines:
                if tail and self.y > 0 and bp[-1] - bp[a] + tail > self.space + EPS:
                    # keep with next: what follows does not fit below, so the last two lines go over with it
                    keep = n_lines - 2
                    if keep - a >= 2:
                        self.put(m.doc, bp[a], bp[keep], m.flow)
                        a = keep
                    self.again()
                    continue
                self.put(m.doc, bp[a], bp[-1], m.flow)
                return
            end = b
            if n_lines - end < 2:
                end = n_lines - 2  # no single line left alone at the top of the next page
            if end - a < 2:  # no single line left alone at the foot of this page
                if self.y > 0:
                    self.again()
                    continue
                end = max(b, a + 1)
            self.put(m.doc, bp[a], bp[end], m.flow)
            self.again()
            a = end

    def table(self, m: Measured) -> None:
        """As many whole rows as fit, under the header rows, then the rest on the next pages."""
        n = len(m.flow.rows)
        i = 0
        while i < n:
            j = i
            while j < n and m.estimate(i, j + 1) <= self.space + EPS:
                j += 1
            if j == i:
                if self.y > 0:
                    self.again()
                    continue
                j = i + 1
            doc = m.chunk(i, j)
            h = height(doc)
            while h > self.space + EPS and j > i + 1:
                j -= 1
                doc = m.chunk(i, j)
                h = height(doc)
            if h > self.space + EPS and self.y > 0:
                self.again()
                continue
            self.slices(doc, h, m.flow)
            i = j
            if i < n:
                self.again()


def paginate(device, res: float, parts: list[Part]) -> list[Page]:
    pager = Pager(device, res)
    for part in parts:
        pager.part(part)
    return pager.pages


def _rules(painter: QPainter, page: Page, res: float) -> None:
    """The rules under the issuer, the Tiêu ngữ, the subject and an appendix title: a paragraph whose user state
    is the rule's length in 0.1 mm; drawn centred, 1 pt below it, 0.75 pt wide, black (Qt's <hr> is grey)."""
    pen = QPen(QColor(0, 0, 0))
    pen.setWidthF(RULE_PT * res / 72)
    for p in page.pieces:
        if not p.flow.rules:
            continue
        lay = p.doc.documentLayout()
        b = p.doc.begin()
        while b.isValid():
            if b.userState() > 0:
                r = lay.blockBoundingRect(b)
                y = r.bottom() + RULE_BELOW_PT * res / 72
                if p.top - EPS <= r.top() < p.bottom:  # drawn with the slice that holds its paragraph
                    half = b.userState() / 10 * res / 25.4 / 2
                    painter.save()
                    painter.setPen(pen)
                    painter.drawLine(QPointF(r.center().x() - half, p.y + y - p.top),
                                     QPointF(r.center().x() + half, p.y + y - p.top))
                    painter.restore()
            b = b.next()


def paint_page(painter: QPainter, device, res: float, page: Page, number: int, draft: bool) -> None:
    """One page in the painter's current coordinates (origin at the top left of the text area).

    The page header goes first with a pen of its own: the preview records pages as QPictures, and a pen equal to
    the painter's state after a text document was drawn is not recorded again (the header came out grey)."""
    rect = page_layout(page.landscape).paintRectPixels(round(res))
    width = float(rect.width())
    _header(painter, device, res, width, number, draft)
    for p in page.pieces:
        painter.save()
        painter.translate(0, p.y - p.top)
        # clipped above and below only: a table's outer border lies a hair outside the text width
        p.doc.drawContents(painter, QRectF(-width, p.top, 3 * width, p.bottom - p.top))
        painter.restore()
    _rules(painter, page, res)


def _header(painter: QPainter, device, res: float, width: float, number: int, draft: bool) -> None:
    """Page number top centre from page 2; a boxed «DỰ THẢO» top right on every page of an unfinished report."""
    painter.save()
    pen = QPen(QColor(0, 0, 0))
    pen.setWidthF(res / 72)  # 1 pt, also the box's line
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    top = -(MARGINS_MM[1] - HEADER_MM) * res / 25.4
    band = QRectF(0, top, width, 8 * res / 25.4)
    if number > 1:
        f = QFont("Times New Roman")
        f.setPointSizeF(14)
        painter.setFont(f)
        painter.drawText(band, int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop), str(number))
    if draft:
        f = QFont("Times New Roman")
        f.setPointSizeF(13)
        f.setBold(True)
        painter.setFont(f)
        fm = QFontMetricsF(f, device)
        pad = 2 * res / 72
        w = fm.horizontalAdvance(DRAFT_MARK)
        box = QRectF(width - w - 2 * pad, top, w + 2 * pad, fm.height())
        painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter), DRAFT_MARK)
        painter.drawRect(box.adjusted(0, -pad / 2, 0, pad / 2))
    painter.restore()
