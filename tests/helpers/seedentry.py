"""A real report entered again through the general template `chung`, by the operations an officer has in the
window: rename and hide the template's sections, add sections at any depth with their own numbering, write the
paragraphs, fill the header, Nơi nhận and signature. Used by tests/test_cross_outline.py to show that any
commune's outline can be kept without a template made for it."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from nq57desk.report import outline as ops
from nq57desk.report.document import make_period, new_document
from nq57desk.wordimport.place import NUMBERING, RANK, heading_of, overlap

# the Decree-30 ladder and the numbered headings: one home, the Word import's (nq57desk/wordimport/place.py)
STYLE = NUMBERING

def clean(line: str) -> str:
    """The text as the officer would type it: no markdown or HTML marks left by the extraction."""
    line = unicodedata.normalize("NFC", line)
    line = re.sub(r"<[^>]+>", "", line)
    line = re.sub(r"^#+\s*", "", line)
    line = line.replace("**", "").replace("*", "")
    if not line.strip():
        return ""
    return line.strip(" \r\n\xa0") if "\t" in line else line.strip()  # a table's empty first cells stay


@dataclass
class Node:
    style: str
    title: str
    paras: list[str] = field(default_factory=list)
    children: list = field(default_factory=list)


@dataclass
class Seed:
    issuer: list[str] = field(default_factory=list)  # «ỦY BAN NHÂN DÂN», «PHƯỜNG QUYẾT THẮNG» as the report writes it
    place: str = ""
    date: str | None = None
    subject: str = ""
    kinh_gui: list[str] | None = None
    intro: list[str] = field(default_factory=list)
    roots: list[Node] = field(default_factory=list)
    closing: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    signature: list[str] = field(default_factory=list)
    signer: str = ""
    after: list[str] = field(default_factory=list)  # what follows the signature (appendices)


def parse(text: str) -> Seed:
    lines = [clean(x) for x in text.splitlines()]
    lines = [x for x in lines if x]
    s = Seed()
    i = 0
    while i < len(lines) and lines[i].upper() != "BÁO CÁO":
        m = re.match(r"^(.+?), ngày\s+(\d*)\s*tháng\s+(\d*)\s*năm\s+(\d{4})", lines[i])
        if m:
            s.place = m.group(1)
            day, month, year = m.group(2), m.group(3), m.group(4)
            s.date = (f"{year}-{int(month):02d}-{int(day):02d}" if day and month else
                      f"{year}-{int(month):02d}" if month else None)
        elif lines[i].isupper() and not lines[i].startswith(("CỘNG HÒA", "SỐ")):
            s.issuer.append(lines[i])
        i += 1
    i += 1
    s.subject = lines[i]
    i += 1
    if i < len(lines) and lines[i].startswith("Kính gửi"):
        inline = lines[i].partition(":")[2].strip()  # «Kính gửi: Ủy ban nhân dân tỉnh …» on one line
        i += 1
        s.kinh_gui = [inline] if inline else []
        while not inline and lines[i].startswith("- "):
            s.kinh_gui.append(lines[i][2:])
            i += 1
    stack: list[Node] = []
    pending_part = None
    while i < len(lines):
        line = lines[i]
        if line.startswith("Trên đây là"):
            break
        h = heading_of(line)
        if h:
            style, title = h
            if style in ("part", "part_roman"):  # "Phần 1" / "Phần I" then its title on the next line
                i += 1
                title = lines[i]
            node = Node(style, title)
            while stack and RANK[stack[-1].style] >= RANK[style]:
                stack.pop()
            (stack[-1].children if stack else s.roots).append(node)
            stack.append(node)
            pending_part = None
        elif stack:
            stack[-1].paras.append(line)
        else:
            s.intro.append(line)
        i += 1
    while i < len(lines) and not lines[i].startswith("Nơi nhận"):
        s.closing.append(lines[i])
        i += 1
    i += 1
    while i < len(lines) and lines[i].startswith("- "):
        s.recipients.append(lines[i][2:])
        i += 1
    while i < len(lines) and (lines[i].isupper() or lines[i].startswith(("TM.", "KT.", "Q."))):
        s.signature.append(lines[i])
        i += 1
    if i < len(lines):
        s.signer = lines[i]
        i += 1
    s.after = lines[i:]
    del pending_part
    return s


_overlap = overlap


@dataclass
class Figures:
    """The figures one paragraph states: (the number as written, catalogue code) in order, and the rates it writes
    by hand (as written, rate code). The paragraph becomes a figure group whose sentence is the paragraph."""
    snippet: str
    numbers: list[tuple[str, str]]
    stated: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class TableEntry:
    """A table of the seed, as the officer describes it («Bảng tự tạo») and types its rows: it starts at the tab line
    holding `snippet` and spans `header` header lines then the data lines (tab lines; a line whose first cell is
    empty and which holds text continues the row above, as Word's wrapped cells come out). `cols` maps the seed's
    cells, by position, to the spec's column keys (None: a cell the officer does not type, such as the STT).
    `numbers` are the catalogue figures the table states (as written, code), counted like the paragraphs'."""
    snippet: str
    spec: dict
    cols: list
    header: int = 1
    numbers: list[tuple[str, str]] = field(default_factory=list)


def _table_rows(lines: list[str], t: TableEntry) -> list[dict]:
    types = {c["key"]: c.get("type", "text") for c in t.spec["columns"]}
    rows: list[dict] = []
    for line in lines[t.header:]:
        cells = line.split("\t")
        if rows and not cells[0].strip() and not any(re.fullmatch(r"[\d.,]+", c.strip()) for c in cells):
            last = rows[-1]  # a wrapped cell: its words join the row above's last text
            k = next((k for k in reversed(list(last)) if types[k] == "text"), None)
            if k is not None:
                last[k] = (last[k] + " " + " ".join(c.strip() for c in cells if c.strip())).strip()
            continue
        row = {}
        for key, cell in zip(t.cols, cells, strict=False):
            cell = cell.strip()
            if key is None or not cell:
                continue
            row[key] = number_of(cell) if types[key] in ("integer", "money") else cell
        if row:
            rows.append(row)
    return rows


def number_of(text: str, rate: bool = False):
    """14744, 3.317 (thousands), 60.807.000 → int; a rate 99,99 / 99.89 → float."""
    t = re.sub(r"[^\d.,]", "", text)
    if rate:
        return float(t.replace(",", "."))
    return int(t.replace(".", ""))


def enter(tpl, seed: Seed, commune: dict, period: dict, figures: list[Figures] = (),
          tables: list[TableEntry] = ()) -> tuple[dict, dict]:
    """The report as an officer enters it through `tpl` (chung): returns the document and the count of
    operations used, by name (and in used["figures"] the catalogue figures entered as figures, code → value)."""
    doc = new_document(tpl, commune, period)
    used = {"rename": 0, "hide": 0, "add": 0, "reorder": 0, "style": 0, "figures": {}, "conflicts": [],
            "todo": list(figures), "tables": list(tables), "table_figures": {}}
    h = doc["header"]
    h.update(place=seed.place, date=seed.date, subject=seed.subject, kinh_gui=seed.kinh_gui)
    doc["recipients"] = seed.recipients
    doc["signature"] = {"lines": seed.signature, "name": seed.signer}
    doc["values"]["can_cu"] = "\n".join(seed.intro)
    doc["values"]["ket_luan"] = "\n".join(seed.closing)
    # the report's own levels, from its headings
    styles = []

    def collect(nodes, depth):
        for n in nodes:
            st = STYLE.get(n.style, n.style)
            while len(styles) <= depth:
                styles.append(st)
            collect(n.children, depth + 1)

    collect(seed.roots, 0)
    doc = ops.set_numbering(tpl, doc, styles[:6])
    # top-level headings take the template's sections when they say the same thing, else are added
    free = [s for s in tpl.sections]
    placed = []
    for n in seed.roots:
        best = max(free, key=lambda s: _overlap(s.title, n.title), default=None)
        if best is not None and _overlap(best.title, n.title) >= 0.5:
            free.remove(best)
            if best.title != n.title:
                doc = ops.rename(tpl, doc, best.key, n.title)
                used["rename"] += 1
            key = best.key
            first_text = next((b.key for b in best.blocks if b.kind == "text"), None)
        else:
            doc, key = ops.add_section(tpl, doc, None, n.title or "Phần", None, None)
            used["add"] += 1
            first_text = None
        placed.append(key)
        doc = _fill(tpl, doc, key, n, first_text, used, 1)
    doc = _appendices(tpl, doc, seed.after, used)
    for s in free:  # the template's sections this commune does not report
        doc = ops.set_hidden(tpl, doc, s.key, True)
        used["hide"] += 1
    # the template's sections in the report's order
    for i, key in enumerate(placed):
        cur = [s.key for s in ops.shape(tpl, doc).sections]
        while cur.index(key) > i:
            doc = ops.move_section(tpl, doc, key, -1)
            used["reorder"] += 1
            cur = [s.key for s in ops.shape(tpl, doc).sections]
    return doc, used


def _figure_group(tpl, doc, key, para: str, fig: Figures, used) -> dict:
    """The paragraph as a figure group: its numbers become figures, its wording the group's sentence."""
    codes = list(dict.fromkeys(code for _t, code in fig.numbers))
    doc, bk = ops.add_block(tpl, doc, key, {"type": "fields", "label": "Số liệu", "indicators": codes,
                                            "stated": [code for _t, code in fig.stated]})
    block = ops.shape(tpl, doc).block(bk)
    by = {f.indicator: f.key for f in block.fields if f.indicator}
    by.update({"stated:" + f.stated_of: f.key for f in block.fields if f.stated_of})
    pattern, pos = para, 0
    # the rates first (a number followed by %), then the counts in the order they are written
    items = [(t, code, True) for t, code in fig.stated] + [(t, code, False) for t, code in fig.numbers]
    for text, code, rate in items:
        fkey = by["stated:" + by[code]] if rate else by[code]
        rx = re.compile(r"(?<![\d.,])" + re.escape(text) + (r"\s*\\?%" if rate else r"(?![\d]|[.,]\d)"))
        m = rx.search(pattern, 0 if rate else pos)
        assert m, f"«{text}» not found in «{para[:80]}…»"
        pattern = pattern[:m.start()] + "{" + fkey + "}" + pattern[m.end():]
        if not rate:
            pos = m.start() + len(fkey) + 2
        value = number_of(text, rate)
        old = doc["values"].get(fkey)
        if old is not None and old != value:
            used["conflicts"].append((code, old, value))  # the report states one figure twice, differently
        doc["values"][fkey] = value
        if not rate:
            used["figures"][code] = value
    doc = _lines(tpl, doc, bk, pattern)
    return doc


def _lines(tpl, doc, bk, pattern):
    lines = dict(doc.get("lines") or {})
    lines[bk] = [pattern]
    doc = dict(doc, lines=lines)
    return doc


APPENDIX = re.compile(r"^(?:\d+\.\s+)?(Phụ lục(?:\s+[IVXLC]+)?)\.?\s*(.*)$")


def _appendices(tpl, doc, lines: list[str], used) -> dict:
    """What follows the signature: a heading over the appendices, then each «Phụ lục …» with its content."""
    key, paras = None, []

    def flush():
        nonlocal doc
        if key is not None and paras:
            doc, bk = ops.add_block(tpl, doc, key, {"type": "text", "label": "Nội dung"})
            doc["values"][bk] = "\n".join(paras)

    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        t = next((t for t in used["tables"] if "\t" in line and t.snippet in line), None)
        if t is not None and key is not None:
            span = [line]
            while i < len(lines) and "\t" in lines[i]:
                span.append(lines[i])
                i += 1
            flush()
            paras = []
            used["tables"].remove(t)
            doc = _table(tpl, doc, key, span, t, used)
            continue
        m = APPENDIX.match(line)
        if m:
            flush()
            paras = []
            doc, key = ops.add_appendix(tpl, doc, m.group(1), m.group(2), None)
            used["add"] += 1
        elif line.startswith("(Kèm theo"):
            continue  # the app writes it under each appendix
        elif key is None and line.isupper():
            doc = ops.set_appendix_heading(tpl, doc, line)
        elif key is not None:
            paras.append(line)
    flush()
    return doc


def _table(tpl, doc, key, lines: list[str], t: TableEntry, used) -> dict:
    """The table described and typed in: its figures are the report's, computed from the rows."""
    doc, bk = ops.add_block(tpl, doc, key, t.spec)
    doc["values"][bk] = _table_rows(lines, t)
    used["add"] += 1
    for text, code in t.numbers:
        used["table_figures"].setdefault(code, number_of(text))
    return doc


def _fill(tpl, doc, key, node: Node, first_text, used, depth) -> dict:
    run: list[str] = []

    def flush():
        nonlocal doc, first_text
        if not run:
            return
        if first_text is None:
            doc, first_text = ops.add_block(tpl, doc, key, {"type": "text", "label": "Nội dung"})
        doc["values"][first_text] = "\n".join(run)
        run.clear()
        first_text = None  # text after a figure group goes in a block of its own, in order

    for para in node.paras:
        fig = next((f for f in used["todo"] if f.snippet in para), None)
        if fig is None:
            run.append(para)
            continue
        flush()
        used["todo"].remove(fig)
        doc = _figure_group(tpl, doc, key, para, fig, used)
    flush()
    for c in node.children:
        doc, ck = ops.add_section(tpl, doc, key, c.title or "Mục", None, None)
        used["add"] += 1
        doc = _fill(tpl, doc, ck, c, None, used, depth + 1)
    return doc


def period_of(kind: str, year: int, number: int | None):
    return make_period(kind, year, number)
