"""Text that still names another period: a report started from the previous one keeps its words («6 tháng đầu năm
2026» in the report for the whole year). Conservative on purpose: only an earlier period of the same family (months
for a month report; half-years and "first N months" for half-year, N-month and year reports; quarters for a quarter
report) of this year or the year before (a month or quarter: within the last twelve months); never the same period a year earlier (a comparison, «so với cùng kỳ»), a
later period (tasks ahead), a year («năm 2025»), a date («ngày 05 tháng 3 năm 2026») or one end of a range
(«từ tháng 01/2026»)."""

from __future__ import annotations

import datetime as dt
import re

from nq57desk.report.document import fill_placeholders, period_bounds, period_label

_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}
_HALF = re.compile(r"\b6 tháng (đầu|cuối) năm (\d{4})\b")
_MONTHS = re.compile(r"\b(\d{1,2}) tháng đầu năm (\d{4})\b")
_MONTH = re.compile(r"\btháng (\d{1,2})(?:/| năm )(\d{4})\b")
_QUARTER = re.compile(r"\bquý (IV|III|II|I|[1-4]) năm (\d{4})\b", re.IGNORECASE)
_BEFORE_RANGE = re.compile(r"(?:\btừ|\bđến|\bđến hết|\bngày \d{1,2})\s*$", re.IGNORECASE)
_AFTER_RANGE = re.compile(r"^\s*(?:đến|-|–)\s", re.IGNORECASE)
# the report's kind → the families of phrases that would be a left-over in it
_FAMILY = {"month": ("month",), "quarter": ("quarter",), "half": ("part",), "months": ("part",), "year": ("part",)}


def _phrases(text: str) -> tuple:
    """(family, start, end, the phrase) of every period phrase in `text` that is not a date or a range end.

    Asked of every text of the report at each live check (a 200-section report: ~350 texts, 20 ms of scanning):
    a text is scanned once and its answer kept while the text is kept; a text naming neither «tháng» nor «quý»
    (most of them) is not scanned at all."""
    global _memo_chars
    hit = _MEMO.get(text)
    if hit is None:
        hit = _scan(text) if "tháng" in text or "quý" in text.lower() else ()
        if _memo_chars > MEMO_CHARS:  # the texts typed over a long session: forget them all now and then
            _MEMO.clear()
            _memo_chars = 0
        _MEMO[text] = hit
        _memo_chars += len(text)
    return hit


_MEMO: dict[str, tuple] = {}
_memo_chars = 0
MEMO_CHARS = 1_000_000  # texts kept (a few MB at most): far more than any report holds


def _scan(text: str) -> tuple:
    found = []
    for m in _HALF.finditer(text):
        y = int(m.group(2))
        found.append((m, "part", *period_bounds("half", y, 1 if m.group(1) == "đầu" else 2)))
    for m in _MONTHS.finditer(text):
        n, y = int(m.group(1)), int(m.group(2))
        if 1 <= n <= 12:
            found.append((m, "part", *period_bounds("months", y, n)))
    for m in _MONTH.finditer(text):
        n, y = int(m.group(1)), int(m.group(2))
        if 1 <= n <= 12:
            found.append((m, "month", *period_bounds("month", y, n)))
    for m in _QUARTER.finditer(text):
        g = m.group(1).upper()
        found.append((m, "quarter", *period_bounds("quarter", int(m.group(2)), _ROMAN.get(g) or int(g))))
    return tuple((fam, s, e, m.group(0)) for m, fam, s, e in found
                 if not (_BEFORE_RANGE.search(text[:m.start()]) or _AFTER_RANGE.match(text[m.end():])))


def stale_phrases(doc: dict, text: str) -> list[str]:
    """The phrases of `text` naming an earlier period than this report's (see the module's note)."""
    p = doc.get("period") or {}
    fams = _FAMILY.get(p.get("kind"), ())
    found = _phrases(text) if fams and isinstance(text, str) else ()
    if not found:
        return []
    start, end = dt.date.fromisoformat(p["start"]), dt.date.fromisoformat(p["end"])
    y = p["year"]
    out = []
    for fam, s, e, phrase in found:
        if fam not in fams or not y - 1 <= e.year <= y or (s, e) == (start, end):
            continue
        if e >= end:  # this period or a later one: tasks ahead, the whole year
            continue
        if (s.year + 1, s.month, s.day, e.year + 1, e.month) == (start.year, start.month, start.day, end.year, end.month):
            continue
        if fam != "part" and (start.year * 12 + start.month) - (e.year * 12 + e.month) > 11:
            continue  # a month or quarter more than a year back: a citation, not a left-over  # the same period a year earlier: a comparison
        if phrase not in out:
            out.append(phrase)
    return out


def _strings(v):
    if isinstance(v, str):
        yield v
    elif isinstance(v, dict):
        for x in v.values():
            yield from _strings(x)
    elif isinstance(v, list):
        for x in v:
            yield from _strings(x)


def check_stale_periods(v) -> None:
    """Warn, block by block, about typed text naming another period (the _Validator `v` collects findings)."""
    doc = v.doc
    if (doc.get("period") or {}).get("kind") not in _FAMILY:
        return
    this = period_label(doc["period"])
    texts = [("header.subject", "_intro", None, [(doc.get("header") or {}).get("subject") or ""])]
    texts += [(b.key, ckey, b, _strings(v.values[b.key])) for ckey, b in v.tpl.blocks() if b.key in v.values]
    for key, where, b, strings in texts:
        seen: list[str] = []
        for s in strings:
            if isinstance(s, str) and _phrases(s):  # most texts name no period at all: answered from _MEMO
                seen += [x for x in stale_phrases(doc, s) if x not in seen]
        if not seen:
            continue
        label = "Trích yếu" if b is None else getattr(b, "label", "") or getattr(b, "title", "") or ""
        for phrase in seen:
            v.add("warning", key, f"Nội dung còn nhắc \"{phrase}\" (kỳ trước?) trong khi báo cáo là {this}.",
                  rule="period", where=where, label=fill_placeholders(label, v.ctx) if label else None)
