"""A Word file's paragraphs and tables placed into a report document through the outline operations.

Header (number, place, date, subject, Kính gửi), headings matched to the template's outline (numbering stripped,
diacritics folded, word overlap; a matched heading keeps the document's wording; an unmatched one is an added
section at its level), paragraphs in order, sentences stating catalogue figures as figure groups (the sentence kept
as the report's wording), tables as free tables (columns naming catalogue figures bound to them), Nơi nhận and the
signature, the appendices. What cannot be placed goes, in order, into an added section «Nội dung chưa xếp (từ tệp
Word)»: nothing is dropped. The review says where each thing went.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from nq57desk.errors import NQError
from nq57desk.render.tree import document_text
from nq57desk.report import outline as ops
from nq57desk.report.document import make_period, new_document, period_of_code
from nq57desk.templates.catalogue import Catalogue
from nq57desk.templates.model import TableBlock, fields_of
from nq57desk.vn import fold as _fold_text
from nq57desk.wordimport.figures import Recogniser, pattern_of
from nq57desk.wordimport.read import Para, Table, WordFile

UNPLACED = "Nội dung chưa xếp (từ tệp Word)"
fold = functools.lru_cache(maxsize=20_000)(_fold_text)  # headings and phrases are folded again and again

# the Decree-30 ladder, as ranks: a heading's parent is the nearest earlier heading of a lower rank
RANK = {"part": 0, "part_roman": 0, "upper": 1, "roman": 2, "arabic": 3, "decimal": 4, "decimal3": 5, "point": 6}
NUMBERING = {"decimal3": "decimal"}
HEADING = [
    (re.compile(r"^Phần\s+(\d+|[IVX]+)\s*[.:]?\s*$"), "part"),
    (re.compile(r"^([IVX]+)\.\s+(\S.*)$"), "roman"),
    (re.compile(r"^([A-Z])\.\s+(\S.*)$"), "upper"),
    (re.compile(r"^(\d+\.\d+\.\d+)\.?\s+(\S.*)$"), "decimal3"),
    (re.compile(r"^(\d+\.\d+)\.?\s+(\S.*)$"), "decimal"),
    (re.compile(r"^(\d+)\.\s+(\S.*)$"), "arabic"),
    (re.compile(r"^([a-zđ])\)\s+(\S.*)$"), "point"),
]
APPENDIX = re.compile(r"^(?:\d+\.\s+)?(Phụ lục(?:\s+[IVXLC\d]+)?)\.?\s*[:\-–]?\s*(.*)$", re.I)


def level_styles(roots) -> list[str]:
    """The numbering style of each heading level, as the document's own headings show it (its first heading at a
    level decides that level)."""
    styles: list[str] = []

    def collect(nodes, depth):
        for n in nodes:
            while len(styles) <= depth:
                styles.append(NUMBERING.get(n.style, n.style))
            collect(n.children, depth + 1)

    collect(roots, 0)
    return styles


def heading_of(line: str, strict: bool = True):
    """(numbering style, title) of a numbered heading line, or None. `strict`: the line must read like a heading
    (short, not ending a sentence) because nothing else (bold, a heading style) says it is one."""
    for rx, style in HEADING:
        m = rx.match(line)
        if m:
            if style == "part":  # «Phần 1» or «Phần I»: printed back the way the file numbers it
                return ("part" if m.group(1).isdigit() else "part_roman"), ""
            title = m.group(2)
            if strict and (len(title) > 160 or title.endswith((";", ",")) or (title.endswith(".") and len(title) > 90)):
                return None
            return style, title
    return None


def overlap(a: str, b: str) -> float:
    wa, wb = set(fold(a).lower().split()), set(fold(b).lower().split())
    return len(wa & wb) / max(1, min(len(wa), len(wb)))


@dataclass
class Node:
    style: str
    title: str
    items: list = field(default_factory=list)
    children: list = field(default_factory=list)
    where: int = 0


@dataclass
class Review:
    """What the import did, for the officer to check: every placed heading, figure, table and unplaced paragraph
    with the key of where it went (a section or block key the window can jump to)."""

    template: str = ""
    template_why: str = ""
    commune_why: str = ""
    period_why: str = ""
    headings: list[tuple[str, str, str]] = field(default_factory=list)  # (heading, section key, how)
    figures: list[tuple[str, object, str, str]] = field(default_factory=list)  # (code, value, sentence, block key)
    tables: list[tuple[str, str, list[str]]] = field(default_factory=list)  # (first header cells, block key, codes)
    documents: list[tuple[str, str]] = field(default_factory=list)  # (first of the list, block key)
    unplaced: list[str] = field(default_factory=list)
    unplaced_key: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Parsed:
    issuer: list[str] = field(default_factory=list)
    number: str = ""
    symbol: str = ""
    place: str = ""
    date: str | None = None
    subject: str = ""
    kinh_gui: list[str] | None = None
    intro: list = field(default_factory=list)
    roots: list[Node] = field(default_factory=list)
    closing: list = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    signature: list[str] = field(default_factory=list)
    signer: str = ""
    after: list = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)


_MOTTO = re.compile(r"^(CỘNG HÒA|CỘNG HOÀ|Độc lập\s*[-–]|DỰ THẢO$|[-_—–.]{3,}$)", re.I)
_DATE = re.compile(r"^(.+?),\s*ngày\s+(\d*)\s*tháng\s+(\d*)\s*năm\s+(\d{4})")


def parse(word: WordFile) -> Parsed:
    """The file read as a report: header, headings with what each holds, closing, Nơi nhận, signature, appendices."""
    # the DỰ THẢO stamp is not the report's text: the app prints it while the report is a draft
    items = [it for it in word.items if not (isinstance(it, Para) and fold(it.text).upper().strip(" .") == "DU THAO")]
    s = Parsed()
    paras = [(i, it) for i, it in enumerate(items) if isinstance(it, Para)]
    start = next((i for i, p in paras[:60] if fold(p.line).upper().strip(" .:") == "BAO CAO"), None)
    i = 0
    if start is not None:
        for it in items[:start]:
            if isinstance(it, Table):
                s.unplaced.extend("\t".join(r) for r in it.grid())
                continue
            t = it.line
            m = _DATE.match(t)
            if m:
                s.place = m.group(1).strip()
                day, month, year = m.group(2), m.group(3), m.group(4)
                s.date = (f"{year}-{int(month):02d}-{int(day):02d}" if day and month else
                          f"{year}-{int(month):02d}" if month else None)
            elif t.startswith("Số:") or t.startswith("Số "):
                num = t.split(":", 1)[-1].strip()
                s.number, _sep, s.symbol = num.partition("/")
                s.number = s.number.strip()
            elif _MOTTO.match(t):
                continue
            elif t.isupper() or t.startswith(("UBND", "ỦY BAN", "UỶ BAN")):
                s.issuer.append(t)
            else:
                s.unplaced.append(t)
        i = start + 1
        subj = []
        while i < len(items) and isinstance(items[i], Para) and not items[i].text.startswith("Kính gửi") \
                and not heading_of(items[i].line) and (not subj or items[i].bold and subj and len(subj) < 3):
            subj.append(items[i].text.strip())
            i += 1
        s.subject = " ".join(subj)
        if i < len(items) and isinstance(items[i], Para) and items[i].text.startswith("Kính gửi"):
            s.kinh_gui = []
            rest = items[i].text.split(":", 1)[-1].strip() if ":" in items[i].text else ""
            if rest:
                s.kinh_gui.append(rest.lstrip("- "))
            i += 1
            while i < len(items) and isinstance(items[i], Para) and items[i].line.startswith(("- ", "+ ", "– ")):
                s.kinh_gui.append(items[i].line[2:].strip())
                i += 1
    end = next((k for k in range(i, len(items)) if isinstance(items[k], Para)
                and fold(items[k].text).lower().startswith("noi nhan")), len(items))
    body = items[i:end]
    # what says a line is a heading: bold or a heading style when the file uses them, else how it reads
    signals = any(isinstance(p, Para) and (p.bold or p.level) and heading_of(p.line) for p in body)
    stack: list[Node] = []
    k = 0
    last_heading = -1
    flat: list[tuple[str, object]] = []  # ("h", Node) / ("i", item) in order
    while k < len(body):
        it = body[k]
        h = None
        if isinstance(it, Para):
            if signals:
                if it.bold or it.level:
                    h = heading_of(it.line, strict=False)
                    if h and len(h[1]) > 250:
                        h = None
                    if h is None and it.level and it.level <= 6 and not it.label:
                        h = ({1: "roman", 2: "arabic", 3: "point"}.get(it.level, "point"), it.text)
            else:
                h = heading_of(it.line)
        if h:
            style, title = h
            if style in ("part", "part_roman") and k + 1 < len(body) and isinstance(body[k + 1], Para):
                k += 1
                title = body[k].text
            node = Node(style, title or "Phần", where=it.where)
            while stack and RANK[stack[-1].style] >= RANK[style]:
                stack.pop()
            (stack[-1].children if stack else s.roots).append(node)
            stack.append(node)
            flat.append(("h", node))
            last_heading = len(flat) - 1
        else:
            flat.append(("i", it))
            (stack[-1].items if stack else s.intro).append(it)
        k += 1
    # the closing («Trên đây là …») after the last heading's content
    for j in range(last_heading + 1, len(flat)):
        kind, it = flat[j]
        if kind == "i" and isinstance(it, Para) and it.text.startswith("Trên đây"):
            tail = [x for _k, x in flat[j:]]
            owner = stack[-1].items if stack else s.intro
            for x in tail:
                if x in owner:
                    owner.remove(x)
            s.closing = tail
            break
    # Nơi nhận, the signature, then the appendices
    k = end + 1
    first = items[end].text.split(":", 1)[-1].strip() if end < len(items) and ":" in items[end].text else ""
    if first:
        s.recipients.append(first.lstrip("-+– "))
    while k < len(items) and isinstance(items[k], Para) and items[k].line.startswith(("- ", "+ ", "– ")):
        s.recipients.append(items[k].line[2:].strip())
        k += 1
    while k < len(items) and isinstance(items[k], Para) and (items[k].text.isupper() or items[k].text.startswith(
            ("TM.", "KT.", "Q.", "TL.", "TUQ."))):
        s.signature.append(items[k].text)
        k += 1
    if k < len(items) and isinstance(items[k], Para) and (items[k].layout or not APPENDIX.match(items[k].text)) \
            and len(items[k].text) < 60 and not items[k].text.isupper():
        s.signer = items[k].text
        k += 1
    while k < len(items) and isinstance(items[k], Para) and items[k].layout:  # the rest of the signature table
        s.unplaced.append(items[k].line)
        k += 1
    s.after = items[k:]
    return s


# -- choosing -----------------------------------------------------------------------------------------------------

def choose_template(templates, parsed: Parsed, kind: str | None, province: str | None = None):
    """The template whose top-level sections the headings match best (ties: the general one); with why. A
    province's outline (`provinces:`) is chosen only for a commune of that province: a Nghệ An report whose first
    heading reads like Thái Nguyên's is still no Thái Nguyên report."""
    best, best_score = None, -1.0
    for tpl in templates:
        if kind and kind not in tpl.period_kinds:
            continue
        if tpl.provinces and province not in tpl.provinces:
            continue
        titles = [s.title for s in tpl.sections]
        if not titles:
            continue
        hit = sum(1 for n in parsed.roots if max((overlap(t, n.title) for t in titles), default=0) >= 0.5)
        score = hit / max(1, len(parsed.roots)) * min(1.0, hit / max(1, len(titles)))
        if tpl.id == "chung":
            score -= 1e-6
        if score > best_score:
            best, best_score = tpl, score
    if best is None:
        raise NQError("Không có mẫu báo cáo nào dùng cho kỳ báo cáo này.")
    return best, f"khớp {best_score:.0%} đề mục cấp 1"


_PERIODS = [
    (re.compile(r"(\d{1,2})\s*tháng\s+(đầu|cuối)\s+năm\s+(\d{4})", re.I), "months"),
    (re.compile(r"quý\s+([IV]+|\d)\s*(?:năm|/)\s*(\d{4})", re.I), "quarter"),
    (re.compile(r"tính\s+đến\s+ngày\s+(\d{1,2})[/-](\d{1,2})[/-](\d{4})", re.I), "cutoff"),
    (re.compile(r"tháng\s+(\d{1,2})\s*(?:/|năm)\s*(\d{4})", re.I), "month"),
    (re.compile(r"năm\s+(\d{4})", re.I), "year"),
]
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}


def period_from_text(text: str) -> dict | None:
    """The period a subject line states («6 tháng đầu năm 2026», «tháng 4/2026», «tính đến ngày …»), else None."""
    return period_in_text(text)[0]


def period_in_text(text: str) -> tuple[dict | None, str]:
    """(period, the words that state it) — the words are what the review quotes to say why."""
    hits = [(m.start(), kind, m) for rx, kind in _PERIODS for m in [rx.search(text)] if m]
    if not hits:
        return None, ""
    _pos, kind, m = min(hits, key=lambda h: h[0])
    period = _period_of_match(m, kind)
    return period, (m.group(0) if period is not None else "")


def _period_of_match(m, kind: str) -> dict | None:
    if kind == "months":
        n, half, y = int(m.group(1)), m.group(2).lower(), int(m.group(3))
        if n == 6:
            return make_period("half", y, 1 if half == "đầu" else 2)
        if half == "đầu" and 1 <= n <= 12:
            return make_period("months", y, n)
        return None
    if kind == "quarter":
        q = m.group(1).upper()
        return make_period("quarter", int(m.group(2)), _ROMAN.get(q) or int(q))
    if kind == "cutoff":
        d, mo, y = (int(x) for x in m.groups())
        return make_period("cutoff", y, end=f"{y}-{mo:02d}-{d:02d}")
    if kind == "month":
        return make_period("month", int(m.group(2)), int(m.group(1)))
    return make_period("year", int(m.group(1)))


def period_from_code(code: str) -> dict:
    """A period code (as `aggregate --period`: 2026-T04, 2026-Q2, 2026-H1, 2026-5T, 2026-N, 2026-X, 2025-D1106) or a
    phrase of a subject line."""
    p = period_of_code(code)
    if p is not None:
        return p
    p = period_from_text(code)
    if p is None:
        raise NQError(f"Kỳ báo cáo «{code}» không hiểu; viết như 2026-T04, 2026-Q2, 2026-H1, 2026-5T, 2026-N "
                      "hoặc «6 tháng đầu năm 2026».")
    return p


def commune_from(parsed: Parsed, profile_code: str | None):
    """(commune code, why) from the issuer lines and the place when unambiguous, else the profile's."""
    from nq57desk.units import commune, search

    names, ambiguous = [], ""
    for line in parsed.issuer:
        m = re.search(r"(XÃ|PHƯỜNG|ĐẶC KHU)\s+(.+)$", line.upper())
        if m:
            names.append(m.group(0))
    if parsed.place:
        names.append(parsed.place)
    # a province named above the commune («UBND TỈNH NGHỆ AN») tells communes of the same name apart
    provinces = {fold(m.group(2)).lower().strip() for line in parsed.issuer
                 for m in [re.search(r"(TỈNH|THÀNH PHỐ)\s+(.+)$", line.upper())] if m}
    for name in names:
        found = search(name)
        bare = re.sub(r"^(XÃ|PHƯỜNG|ĐẶC KHU)\s+", "", name, flags=re.I)
        exact = [u for u in found if fold(u.name).lower().split(maxsplit=1)[-1] == fold(bare).lower()]
        # «Nam Đàn» is not «Nấm Dẩn»: the same letters with the same marks first, then the province named
        for narrower in ([u for u in exact if u.name.split(maxsplit=1)[-1].upper() == bare.upper()],
                         [u for u in exact if fold(u.province_name).lower() in provinces]):
            exact = narrower if len(exact) > 1 and narrower else exact
        if profile_code:
            mine = [u for u in exact if u.code == profile_code]
            if mine:
                return mine[0].code, f"theo dòng «{name}», đúng xã trong thông tin đơn vị"
        if len(exact) == 1:
            return exact[0].code, f"theo dòng «{name}» của tệp"
        if len(exact) > 1:
            ambiguous = f"«{exact[0].name}» có ở {len(exact)} tỉnh/thành ({', '.join(u.province_name for u in exact)}); "
    if profile_code and commune(profile_code):
        return profile_code, "theo thông tin đơn vị (tệp không nói rõ xã nào)"
    raise NQError(f"Không xác định được xã/phường từ tệp; {ambiguous}hãy chọn xã (--commune MÃ_XÃ) hoặc thiết lập "
                  "«Thông tin đơn vị».")


# -- placing ------------------------------------------------------------------------------------------------------

class _Placer:
    def __init__(self, tpl, doc: dict, cat: Catalogue, review: Review):
        self.tpl, self.doc, self.cat, self.review = tpl, doc, cat, review
        # what the file fills in, kept beside the document while it is shaped: every outline operation copies the
        # document, and copying the report's text each time made the import three times slower
        self.values: dict = {}
        self.base_values, doc["values"] = doc["values"], {}  # the template's empty values, put back at the end
        self.rec = Recogniser(cat)

    def heading(self, free: list, node, parent: str | None, untitled: str = "Mục") -> tuple[str, object]:
        """Where one heading of the file goes: the template section among `free` it names (taken from `free`,
        renamed to the file's wording), else a section added under `parent`; noted in the review."""
        best = max(free, key=lambda s: overlap(s.title, node.title), default=None)
        if best is not None and overlap(best.title, node.title) >= 0.5:
            free.remove(best)
            if not _same_title(best.title, node.title, self.doc):
                self.doc = ops.rename(self.tpl, self.doc, best.key, node.title)
            self.review.headings.append((node.title, best.key, f"khớp mục mẫu «{best.title}»"))
            return best.key, best
        self.doc, key = ops.add_section(self.tpl, self.doc, parent, node.title or untitled, None, None)
        self.review.headings.append((node.title, key, "mục thêm mới"))
        return key, None

    # text runs and figure groups
    def fill(self, key: str, items: list, first_text: str | None) -> None:
        run: list[str] = []

        def flush():
            nonlocal first_text
            if not run:
                return
            if first_text is None:
                self.doc, first_text = ops.add_block(self.tpl, self.doc, key, {"type": "text", "label": "Nội dung"})
            old = self.values.get(first_text, self.base_values.get(first_text))
            self.values[first_text] = "\n".join(([old] if isinstance(old, str) and old.strip() else []) + run)
            run.clear()
            first_text = None

        docs: list[dict] = []
        bullet = ""

        def flush_docs():
            nonlocal bullet
            if len(docs) >= 2:
                flush()
                self.doc, bk = ops.add_block(self.tpl, self.doc, key, {"type": "documents", "label": "Văn bản",
                                                                       "bullet": bullet})
                self.values[bk] = list(docs)
                self.review.documents.append((f"{len(docs)} văn bản: {document_text(docs[0])} …", bk))
            else:
                run.extend(f"{bullet} {x['_line']}".strip() for x in docs)
            for d in docs:
                d.pop("_line", None)
            docs.clear()
            bullet = ""

        group: list = []  # consecutive paragraphs stating figures: one figure group, a sentence each

        def flush_group():
            if group:
                self.figure_group(key, list(group))
                group.clear()

        for it in items:
            grouped = grouped_documents_of(it.line) if isinstance(it, Para) else None
            if grouped is not None:
                flush_group()
                flush_docs()
                flush()
                lead, recs = grouped
                self.doc, bk = ops.add_block(self.tpl, self.doc, key, {
                    "type": "documents", "label": "Văn bản", "layout": "grouped", "lead": lead,
                    "bullet": bullet_of(it.line)[0]})
                self.values[bk] = recs
                self.review.documents.append((f"{len(recs)} văn bản: {document_text(recs[0])} …", bk))
                continue
            rec = document_of(it.line) if isinstance(it, Para) else None
            if rec is not None and (not docs or it.line[:1] == bullet):
                flush_group()
                bullet = bullet_of(it.line)[0]
                docs.append(rec)
                continue
            flush_docs()
            if rec is not None:  # a list with another bullet starts
                bullet = bullet_of(it.line)[0]
                docs.append(rec)
                continue
            if isinstance(it, Table):
                flush_group()
                flush()
                self.table(key, it)
                continue
            line = it.line
            found = self.rec.read(line)
            if not found.numbers:
                flush_group()
                run.append(line)
                continue
            flush()
            rates = {code for _l, f in group for _s, _e, code, _v in f.stated}
            if any(code in rates for _s, _e, code, _v in found.stated):
                flush_group()  # a rate stated again is another group's (one value each)
            group.append((line, found))
        flush_group()
        flush_docs()
        flush()

    def figure_group(self, key: str, entries: list) -> None:
        """One figure group for consecutive paragraphs stating figures, each paragraph one of its sentences."""
        codes = list(dict.fromkeys(code for _l, found in entries for _s, _e, code, _v in found.numbers))
        stated = list(dict.fromkeys(code for _l, found in entries for _s, _e, code, _v in found.stated))
        self.doc, bk = ops.add_block(self.tpl, self.doc, key, {"type": "fields", "label": "Số liệu",
                                                               "indicators": codes, "stated": stated})
        block = ops.shape(self.tpl, self.doc).block(bk)
        by = {f.indicator: f.key for f in block.fields if f.indicator}
        # a figure the template computes (hs_offline = received − online) stays the report's words, not a value
        computed = {f.indicator for f in block.fields if f.indicator and f.derived}
        st = {f.stated_of: f.key for f in block.fields if getattr(f, "stated_of", None)}
        rate_key = {}
        for code in stated:
            fk = by.get(code)
            if fk and fk in st:
                rate_key[code] = st[fk]

        def key_of(code, rate):
            return rate_key[code] if rate else by[code]

        patterns = []
        for line, found in entries:
            found.numbers = [x for x in found.numbers if x[2] not in computed]
            found.stated = [x for x in found.stated if x[2] in rate_key]
            for _s, _e, code, value in found.numbers:
                self.values[by[code]] = value
                self.review.figures.append((code, value, line, bk))
            for _s, _e, code, value in found.stated:
                self.values[rate_key[code]] = value
            patterns.append(pattern_of(line, found, key_of))
        lines = dict(self.doc.get("lines") or {})
        lines[bk] = patterns
        self.doc = dict(self.doc, lines=lines)

    def table(self, key: str, t: Table) -> None:
        spec, rows = table_spec(t, self.cat)
        self.doc, bk = ops.add_block(self.tpl, self.doc, key, spec)
        self.values[bk] = rows
        codes = [c["indicator"] for c in spec["columns"] if c.get("indicator")]
        self.review.tables.append((" | ".join(c["label"] for c in spec["columns"][:4]), bk, codes))

    # sections
    def section(self, node: Node, key: str, tsec) -> None:
        first_text = None
        if tsec is not None:
            first_text = next((b.key for b in tsec.blocks if b.kind == "text"), None)
        self.fill(key, node.items, first_text)
        free = list(tsec.children) if tsec is not None else []
        order = []
        for c in node.children:
            ck, csec = self.heading(free, c, key)
            order.append(ck)
            self.section(c, ck, csec)
        for s in free:
            self.doc = ops.set_hidden(self.tpl, self.doc, s.key, True)
        if tsec is not None:  # the file's order, the template's unused sections (hidden) after
            for i, ck in enumerate(order):
                if _children_of(self.doc, key).index(ck) != i:
                    self.doc = ops.move_section_to(self.tpl, self.doc, ck, key, i)


_DOC_KINDS = (r"(?:Kế hoạch|Quyết định|Công văn|Thông báo|Chỉ thị|Nghị quyết|Báo cáo|Chương trình|Kết luận|Hướng dẫn|"
              r"Đề án|Tờ trình|Thông tư|Nghị định)(?: hành động| liên tịch)?")
_DOC = re.compile(
    r"^(?P<kind>" + _DOC_KINDS + r")\s+số\s+(?P<number>[\w./-]*\d[\w./-]*)\s*,?\s+"
    r"ngày\s+(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})(?:\s+của\s+(?P<issuer>.+?))?\s+(?P<subject>(?:về|V/v|v/v)\s.+?)"
    r"\s*[;.]?$")


def bullet_of(line: str) -> tuple[str, str]:
    """(bullet mark «-»/«+» or "", the line's words after it)."""
    return (line[0], line[2:].strip()) if line[:2] in ("- ", "+ ") else ("", line.strip())


def _words_of(text: str) -> list[str]:
    return [str(int(w)) if w.isdigit() else w for w in re.findall(r"\w+", text.lower())]


def document_of(line: str) -> dict | None:
    """An issued document a bullet line names («+ Kế hoạch số 23/KH-UBND ngày 28/01/2026 về …»), when the app prints
    it back in the same words; else None (the line stays text)."""
    import datetime as dt

    core = bullet_of(line)[1]
    m = _DOC.match(core)
    if not m:
        return None
    try:
        day = dt.date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
    except ValueError:
        return None
    rec = {"kind": m.group("kind"), "number": m.group("number"), "date": day.isoformat(),
           "issuer": (m.group("issuer") or "").strip(), "subject": m.group("subject").strip()}
    if _words_of(document_text(rec)) != _words_of(core):
        return None
    return {**rec, "_line": core}


_GROUP_HEAD = re.compile(r"Các\s+(?P<kind>" + _DOC_KINDS + r")\s*:\s*")  # «Các Quyết định: (1) …»


def grouped_documents_of(line: str) -> tuple[str, list[dict]] | None:
    """(lead, documents) of a paragraph listing issued documents grouped by kind, as the app prints a grouped list
    («Các Quyết định: (1) Quyết định số …; (2) …; Các Kế hoạch: (1) …»), when it prints back in the same words;
    else None (the paragraph stays text)."""
    from nq57desk.render.tree import grouped_documents

    core = bullet_of(line)[1]
    heads = list(_GROUP_HEAD.finditer(core))
    if not heads:
        return None
    recs: list[dict] = []
    for i, h in enumerate(heads):
        seg = core[h.end():heads[i + 1].start() if i + 1 < len(heads) else len(core)]
        items = re.split(r"\(\d+\)\s*", seg)
        if items[0].strip() or len(items) < 3:  # words before «(1)», or a group of one: not the grouped form
            return None
        for item in items[1:]:
            rec = document_of(item.strip())
            if rec is None or rec["kind"] != h.group("kind"):
                return None
            rec.pop("_line", None)
            recs.append(rec)
    lead = core[:heads[0].start()].strip()
    printed = f"{lead} " + "; ".join(grouped_documents(recs))
    return (lead, recs) if _words_of(printed) == _words_of(core) else None


def _same_title(template_title: str, heading: str, doc: dict) -> bool:
    """The file's heading is the template's title as printed («… năm {year}» → «… năm 2026»): no rename."""
    from nq57desk.report.document import context_of
    from nq57desk.templates.placeholders import fill_placeholders

    return template_title == heading or fill_placeholders(template_title, context_of(doc)) == heading


def _children_of(doc: dict, key: str) -> list[str]:
    """The keys of a section's sub-sections in the document's outline, in order."""
    stack = list((doc.get("outline") or {}).get("sections") or [])
    while stack:
        n = stack.pop()
        if n["key"] == key:
            return [c["key"] for c in n.get("children") or []]
        stack.extend(n.get("children") or [])
    return []


def _num_cell(text: str):
    t = text.strip()
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+|\d+", t):
        return int(t.replace(".", ""))
    return None


def table_spec(t: Table, cat: Catalogue) -> tuple[dict, list[dict]]:
    """A Word table as a free table: header rows (merged cells give column groups), columns naming catalogue
    figures bound to them when every data cell is a number, the rest text."""
    grid = t.grid()
    width = t.width()
    nh = 1
    while nh < min(3, len(t.rows) - 1) and (any(c.span > 1 for c in t.rows[nh - 1]) or any(c.merged for c in t.rows[nh])):
        nh += 1
    # a header cell spanning columns names a group over the row below
    groups = [""] * width
    if nh >= 2:
        col = 0
        for c in t.rows[0]:
            if c.span > 1:
                for j in range(col, col + c.span):
                    groups[j] = c.text
            col += c.span
    labels = []
    for j in range(width):
        lab = ""
        for r in range(nh - 1, -1, -1):
            if grid[r][j].strip() and not (r == 0 and groups[j]):
                lab = grid[r][j].strip()
                break
        labels.append(lab.replace("\n", " "))
    data = grid[nh:]
    names = []  # (folded label or phrase, code), longest first: a column named by it (or starting with it)
    marks = {}  # folded cell text → the figure a row so marked counts
    for ind in cat.indicators:
        if ind.rate is None and ind.type in ("integer", "money"):
            names.extend((fold(ph).lower(), ind.code) for ph in (ind.label, *ind.phrases))
            marks.update({fold(m).lower(): (m, ind.code) for m in ind.marks})
    names.sort(key=lambda x: -len(x[0]))

    def named(text: str) -> str | None:
        t = fold(text).lower().replace("\n", " ")
        return next((code for ph, code in names if t == ph or t.startswith(ph + " ")), None) if t else None

    def _by_group(j: int, lab: str) -> str | None:
        """The figure a column under a group header names: the chain «group › column» names it, or the group does and
        the column is its only one of the period (the others cumulative); two parts of a group are not its whole."""
        group = groups[j].replace("\n", " ")
        whole, chain = named(group), named(f"{group} {lab}")
        if chain and chain != whole:
            return chain
        peers = [k for k in range(width) if groups[k] == groups[j] and not _cumulative(labels[k])]
        return whole if peers == [j] else None

    columns, used = [], set()
    spec: dict = {"type": "table", "label": "Bảng", "columns": columns}
    # a row with words and no figure (past its STT) names the rows below it («1 | Cấp Xã», its figures on the next
    # row as the cells wrapped): its words do not make a column of figures text
    figures = [r for r in data if not _label_row(r)]
    for j, lab in enumerate(labels):
        col = {"key": f"c{j + 1}", "label": lab or " ", "type": "text"}
        if groups[j]:
            col["group"] = groups[j].replace("\n", " ")
        cells = [r[j] for r in data if r[j].strip()]
        numbers = [r[j] for r in (figures if j and columns[0]["type"] == "text" else data) if r[j].strip()]
        # the column is named by its whole header chain (group › column: «Số hồ sơ trực tuyến › 5 tháng đầu năm»);
        # a cumulative column («Lũy kế đến hiện tại») is not the period's figure
        code = None if _cumulative(lab) else named(lab) or (_by_group(j, lab) if groups[j] else None)
        if code and code not in used and numbers and all(_num_cell(x) is not None for x in numbers):
            col.update(type="integer", indicator=code)
            used.add(code)
        elif len(cells) >= 2 and sum(fold(x).lower() in marks for x in cells) >= 0.6 * len(cells):
            counts = {marks[fold(x).lower()][0]: marks[fold(x).lower()][1] for x in cells if fold(x).lower() in marks}
            counts = {k: v for k, v in counts.items() if v not in used}
            if counts:
                col["counts"] = counts
                used.update(counts.values())
                wholes = {cat.get(c).whole for c in counts.values()} - {None}
                if len(wholes) == 1 and "rows_indicator" not in spec:
                    spec["rows_indicator"] = wholes.pop()
        columns.append(col)
    rows = []
    for r in data:
        row = {}
        for j, cell in enumerate(r):
            if not cell.strip():
                continue
            c = columns[j]
            if c["type"] == "integer" and _num_cell(cell) is None:  # a label row's words: kept in its first cell
                first = columns[0]["key"]
                row[first] = f"{row.get(first, '')} {cell}".strip()
                continue
            row[c["key"]] = _num_cell(cell) if c["type"] == "integer" else cell
        if row:
            rows.append(row)
    return spec, rows


def _label_row(r: list[str]) -> bool:
    """A row of words only past its first cell (its STT): it names the rows below, it states no figure."""
    rest = [x for x in r[1:] if x.strip()]
    return bool(rest) and all(_num_cell(x) is None for x in rest)


_CUMULATIVE = re.compile(r"\bluy ke\b")


def _cumulative(label: str) -> bool:
    """A column of cumulative figures («Lũy kế đến hiện tại»): the catalogue's figures are the period's."""
    return bool(_CUMULATIVE.search(fold(label).lower()))


def place(word: WordFile, tpl, cat: Catalogue, commune: dict, period: dict, profile: dict | None = None,
          parsed: Parsed | None = None, review: Review | None = None) -> tuple[dict, Review]:
    """The report document the file becomes, through `tpl`, and the review of what went where."""
    s = parsed or parse(word)
    review = review or Review()
    doc = new_document(tpl, commune, period, profile)
    h = doc["header"]
    if s.issuer:
        h["issuer"] = s.issuer
    if s.number:
        h["number"] = s.number
    if s.symbol:
        h["symbol"] = s.symbol.strip()
    if s.place:
        h["place"] = s.place
    h["date"] = s.date
    if s.subject:
        h["subject"] = s.subject
    if s.kinh_gui is not None:
        h["kinh_gui"] = s.kinh_gui
    if s.recipients:
        doc["recipients"] = s.recipients
    if s.signature or s.signer:
        doc["signature"] = {"lines": s.signature or doc["signature"]["lines"], "name": s.signer}
    pl = _Placer(tpl, doc, cat, review)
    styles = level_styles(s.roots)
    if styles:
        pl.doc = ops.set_numbering(tpl, pl.doc, styles[:6])
    intro_key = next((b.key for b in tpl.intro if b.kind == "text"), None)
    closing_key = next((b.key for b in tpl.closing if b.kind == "text"), None)
    unplaced = list(s.unplaced)
    for it, key in ((s.intro, intro_key), (s.closing, closing_key)):
        texts = [x.line if isinstance(x, Para) else "\n".join("\t".join(r) for r in x.grid()) for x in it]
        if key is not None:
            pl.doc["values"][key] = "\n".join(texts)
        else:
            unplaced.extend(texts)
    free = list(tpl.sections)
    placed = []
    for n in s.roots:
        key, tsec = pl.heading(free, n, None, "Phần")
        placed.append(key)
        pl.section(n, key, tsec)
    unplaced.extend(_appendices(pl, s.after))
    for sec in free:
        pl.doc = ops.set_hidden(tpl, pl.doc, sec.key, True)
    for i, key in enumerate(placed):  # the template's sections in the report's order
        cur = [x.key for x in ops.shape(tpl, pl.doc).sections]
        while cur.index(key) > i:
            pl.doc = ops.move_section(tpl, pl.doc, key, -1)
            cur = [x.key for x in ops.shape(tpl, pl.doc).sections]
    # the template's own figure blocks print nothing: every word of the report is the file's (its figures are in
    # the figure groups made from its sentences, which share the template's fields)
    from nq57desk.templates.model import FieldsBlock

    added = set((pl.doc.get("outline") or {}).get("blocks") or {})
    lines = dict(pl.doc.get("lines") or {})
    for _c, b in ops.shape(tpl, pl.doc).blocks():
        if isinstance(b, FieldsBlock) and b.key not in added and b.key not in lines:
            lines[b.key] = [""]
    pl.doc = dict(pl.doc, lines=lines)
    pl.doc["values"] = {**pl.base_values, **pl.doc["values"], **pl.values}
    unplaced.extend(f"Chú thích: {f}" for f in word.footnotes)
    if unplaced:
        pl.doc, uk = ops.add_section(tpl, pl.doc, None, UNPLACED, None, None)
        pl.doc, bk = ops.add_block(tpl, pl.doc, uk, {"type": "text", "label": "Nội dung"})
        pl.doc["values"][bk] = "\n".join(unplaced)
        review.unplaced, review.unplaced_key = unplaced, uk
    review.notes.extend(word.notes)
    return pl.doc, review


def _appendices(pl: _Placer, items: list) -> list[str]:
    """What follows the signature: a heading over the appendices, then each «Phụ lục …» with its content. An appendix
    whose table has the columns of one of the template's tables of free rows fills that table (its figures, such as
    the tasks a table counts, are then the template's own), in the file's order; the others are added appendices."""
    from nq57desk.report.document import context_of
    from nq57desk.templates.placeholders import fill_placeholders

    segments: list[tuple[list | None, list]] = []  # ([label, title] of a «Phụ lục» heading or None, what follows it)
    unplaced: list[str] = []
    for it in items:
        m = None if isinstance(it, Table) else APPENDIX.match(it.text)
        if m:
            segments.append(([m.group(1), m.group(2)], []))
        elif segments and segments[-1][0] and not segments[-1][0][1] and not segments[-1][1] and \
                isinstance(it, Para) and it.text.isupper():
            segments[-1][0][1] = it.text  # the title on its own line under «Phụ lục», as the app prints it
        elif not isinstance(it, Table) and it.text.startswith("(Kèm theo"):
            continue  # the app writes it under each appendix
        elif segments or isinstance(it, Table):
            if not segments:
                segments.append((None, []))
            segments[-1][1].append(it)
        elif it.text.isupper():
            pl.doc = ops.set_appendix_heading(pl.tpl, pl.doc, it.text)
        else:
            unplaced.append(it.line)
    # which template appendix each segment fills (in the template's order, so the file's order holds): only a table
    # the template counts figures from; another one prints as the file has it, a free table
    order = [a.key for a in pl.tpl.appendices]
    counted = {}  # template table key → the figures its rows give
    for _c, b in ops.shape(pl.tpl, pl.doc).blocks():
        for f in fields_of(b):
            for tk in re.findall(r"\w+", f.formula or "") if f.indicator else ():
                counted.setdefault(tk, []).append(f.indicator)
    matched: list[tuple[object, object] | None] = []
    floor = 0
    for m, content in segments:
        hit = None
        if m is not None and content and all(isinstance(x, Table) for x in content):
            for i in range(floor, len(order)):
                a = pl.tpl.appendices[i]
                tb = next((b for b in a.blocks if isinstance(b, TableBlock) and not b.fixed and b.key in counted), None)
                rows = _template_rows(tb, content[0], pl.doc) if tb is not None else None
                if rows is not None:
                    hit, floor = (a, tb, rows), i + 1
                    break
        matched.append(hit)
    for k, ((m, content), hit) in enumerate(zip(segments, matched, strict=True)):
        if hit is not None:
            a, tb, rows = hit
            key = a.key
            if tuple(m) != (a.label, fill_placeholders(a.title, context_of(pl.doc))):
                pl.doc = ops.rename_appendix(pl.tpl, pl.doc, key, m[0], m[1])
            pl.values[tb.key] = rows
            pl.review.tables.append((" | ".join(content[0].grid()[0][:4]), tb.key, list(dict.fromkeys(counted[tb.key]))))
            content = content[1:]
        else:
            # before the next template appendix the file fills, else after all
            nxt = next((h[0].key for h in matched[k + 1:] if h), None)
            index = [x["key"] for x in ops.outline_of(pl.tpl, pl.doc)["appendices"]].index(nxt) if nxt else None
            label, title = m if m is not None else ("Phụ lục", "")
            pl.doc, key = ops.add_appendix(pl.tpl, pl.doc, label, title, None, index)
        run: list = []
        for it in content:
            if isinstance(it, Table):
                if run:
                    pl.fill(key, run, None)
                    run = []
                pl.table(key, it)
            else:
                run.append(it)
        if run:
            pl.fill(key, run, None)
    return unplaced


def _template_rows(tb, t: Table, doc: dict) -> list[dict] | None:
    """A Word table's rows as the template table `tb`'s rows when it has the same columns (the printed labels,
    folded; the STT column any), every cell fitting its column; else None."""
    from nq57desk.report.document import context_of
    from nq57desk.templates.placeholders import fill_placeholders

    grid = t.grid()
    if len(grid) < 2 or t.width() != len(tb.columns) or any(c.span > 1 or c.merged for c in t.rows[0]):
        return None
    ctx = context_of(doc)
    for c, head in zip(tb.columns, grid[0], strict=True):
        want = fold(fill_placeholders(c.label, ctx)).lower().split()
        if fold(head).lower().split() != want and not (c.type == "stt" and fold(head).lower() in ("stt", "tt", "so tt")):
            return None
    rows = []
    for r in grid[1:]:
        row: dict = {}
        for c, cell in zip(tb.columns, r, strict=True):
            cell = cell.strip()
            if c.type == "stt" or not cell:
                continue
            if c.type in ("text", "longtext") or (c.type == "choice" and (c.allow_other or cell in c.choices)):
                row[c.key] = cell
            elif c.type == "integer" and _num_cell(cell) is not None:
                row[c.key] = _num_cell(cell)
            else:
                return None
        if row:
            rows.append(row)
    return rows
