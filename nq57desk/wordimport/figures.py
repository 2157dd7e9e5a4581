"""Sentences that state catalogue figures: which number of a paragraph is which indicator.

The recognition is data: each catalogue indicator may list `phrases:` (resources/catalogue/nq57.yaml), the words a
report writes next to the figure. A number is that indicator when one of its phrases stands nearest to it (before
it, or just after it), within the same clause, and the word right after the number is the indicator's unit (or no
word). "a/b" states a part and its whole (the rate's denominator); "đạt 99,99%" after a figure is the rate the
report writes by hand, kept as a stated rate so validation compares it with the computed one.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from nq57desk.templates.catalogue import Catalogue
from nq57desk.vn import fold as _fold_text

fold = functools.lru_cache(maxsize=50_000)(_fold_text)  # the same words are folded for every number
MAX_WORDS = 12  # words between a phrase and its number
FRAME = "…"  # in a phrase, where its number stands: «đúng hạn … hồ sơ» (the words right before it, right after it)
COMMA = 4  # a comma or semicolon between them counts as this many words

# a number as written: 14744, 3.317, 60.807.000, 99,99; a fraction a/b; dates and document numbers are not figures
_NUM = re.compile(r"(?<![\w./-])(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d+))?(?![\w]|[./-]\w)")
_FRACTION = re.compile(r"(?<![\w./-])(\d{1,3}(?:\.\d{3})+|\d+)\s*/\s*(\d{1,3}(?:\.\d{3})+|\d+)(?![\w/]|[.,-]\d)")
_PERCENT = re.compile(r"(?<![\w./-])(\d+(?:[.,]\d+)?)\s*\\?%")
_WORD = re.compile(r"[^\W\d_]+")
_CLAUSE = re.compile(r";|,(?!\d)|(?<!\d),")  # a comma or semicolon between clauses, not the one of «91,62»
_NAMED = re.compile(r"(?:Đề án|Nghị quyết|Nghị định|Quyết định|Kế hoạch|Chương trình|Thông tư|Chỉ thị|Công văn|"
                    r"Thông báo|Kết luận|Điều|Khoản|Phụ lục|Mục|số)\s*$", re.I)
# words that may follow a figure without being its unit: «3.317/3.323 đạt 99,82%», «12 trong đó …» (folded)
_LINKS = {"dat", "trong", "tren", "va", "la", "gom", "chiem", "tang", "giam", "so", "voi", "bang", "nhu"}


@dataclass
class Found:
    """The figures one paragraph states: (start, end, code, value) spans, and stated rates (start, end, rate code,
    value), in the order they are written."""

    numbers: list[tuple[int, int, str, int]] = field(default_factory=list)
    stated: list[tuple[int, int, str, float]] = field(default_factory=list)


class Recogniser:
    """Reads paragraphs against one catalogue; remembers each figure's first value (a later different value of the
    same figure stays text: a report states one value per figure)."""

    def __init__(self, cat: Catalogue):
        self.cat = cat
        self.phrases: list[tuple[list[str], str]] = []
        self.frames: list[tuple[tuple[str, ...], tuple[str, ...], str]] = []  # (words before, words after, code)
        for ind in cat.indicators:
            for ph in ind.phrases:
                if FRAME in ph:
                    before, _sep, after = fold(ph).lower().partition(FRAME)
                    self.frames.append((tuple(_plain(before)), tuple(_plain(after)), ind.code))
                else:
                    self.phrases.append((fold(ph).lower().split(), ind.code))
        self.frames.sort(key=lambda f: -(len(f[0]) + len(f[1])))  # the fullest frame first
        self.by_len: dict[int, dict[tuple[str, ...], list[str]]] = {}  # phrases by length, for a quick look-up
        for toks, code in self.phrases:
            self.by_len.setdefault(len(toks), {}).setdefault(tuple(toks), []).append(code)
        self.rate_of: dict[str, tuple[str, str]] = {}  # numerator code → (rate code, denominator code)
        for r in cat.rates:
            num, den = r.rate
            self.rate_of.setdefault(num, (r.code, den))
        self.values: dict[str, int] = {}

    def _unit_ok(self, code: str, after: str) -> bool:
        """The word right after the number is the figure's unit or starts one of its phrases (14722 hồ sơ tiếp
        nhận), never another noun: «10 mục tiêu» is not a count of tasks."""
        m = re.match(r"\s+([^\W\d_]+)", after)
        if not m:
            return True
        ind = self.cat.get(code)
        word = fold(m.group(1)).lower()
        firsts = {fold(x).lower().split()[0] for x in (ind.unit, *ind.phrases) if x.strip() and FRAME not in x}
        return not firsts or word in firsts or word in _LINKS

    def _best(self, words_before: list[tuple[str, bool]], words_after: list[tuple[str, bool]], fits) -> str | None:
        """The indicator whose phrase stands nearest (words between, commas weigh more), longest phrase first, among
        those the number `fits` (its unit): «đúng hạn 31 nhiệm vụ» is no count of dossiers."""
        best: tuple[int, int, str] | None = None
        wb = [w for w, _c in words_before]
        # a phrase after the number names it only within its own clause («14722 hồ sơ tiếp nhận»): past a comma it
        # names the next number («tiếp nhận 5.214 hồ sơ, đã giải quyết 5.120 hồ sơ»)
        clause = next((i for i, (_w, c) in enumerate(words_after) if c), len(words_after))
        words_after = words_after[:clause]
        wa = [w for w, _c in words_after]
        commas_b = [c for _w, c in words_before]
        commas_a = [c for _w, c in words_after]
        for n, table in self.by_len.items():
            for end in range(len(wb), n - 1, -1):
                codes = table.get(tuple(wb[end - n:end]))
                if codes:
                    gap = (len(wb) - end) + COMMA * sum(commas_b[end:])
                    for code in codes:
                        cand = (gap, -n, code)
                        best = cand if fits(code) and (best is None or cand < best) else best
            for start in range(0, len(wa) - n + 1):
                codes = table.get(tuple(wa[start:start + n]))
                if codes:
                    gap = start + COMMA * sum(commas_a[:start]) + 1
                    for code in codes:
                        cand = (gap, -n, code)
                        best = cand if fits(code) and (best is None or cand < best) else best
        if best is None or best[0] > MAX_WORDS:
            return None
        return best[2]

    def _framed(self, words_before: list[tuple[str, bool]], rest: str) -> str | None:
        """The indicator a frame («đúng hạn … hồ sơ») names: its words right before the number and right after it,
        nothing between. Short words are ambiguous («quá hạn» of dossiers or of tasks, «giao» anywhere): framed,
        the unit after the number says which, and no farther number is taken. Asked only when no phrase names the
        number («hoàn thành quá hạn: 0 nhiệm vụ» is the phrase's, not the frame «quá hạn … nhiệm vụ»)."""
        after = _words(rest[:80])
        for pre, post, code in self.frames:
            n = len(pre)
            if n > len(words_before) or (words_before and words_before[-1][0] == ""):
                continue  # a comma or semicolon right before the number: the words before are another clause's
            tail = words_before[len(words_before) - n:]
            if tuple(w for w, _c in tail) != pre or any(c for _w, c in tail[1:]):
                continue
            head = after[:len(post)]
            if tuple(w for w, _c in head) == post and not any(c for _w, c in head):
                return code
        return None

    def read(self, text: str) -> Found:
        found = Found()
        if not any(ch.isdigit() for ch in text):
            return found  # most paragraphs state no figure
        spans: list[tuple[int, int, str]] = []  # (start, end, kind) of numbers to consider
        taken = set()
        for m in _PERCENT.finditer(text):
            spans.append((m.start(), m.end(), "pct"))
            taken.update(range(m.start(), m.end()))
        for m in _FRACTION.finditer(text):
            if m.start() in taken:
                continue
            spans.append((m.start(1), m.end(1), "num"))
            spans.append((m.start(2), m.end(2), "den"))
            taken.update(range(m.start(), m.end()))
        for m in _NUM.finditer(text):
            if m.start() in taken or m.group(2) is not None:
                continue
            if re.match(r"\s*(?:năm|tháng)\s*$", text[max(0, m.start() - 6):m.start()]) or _is_year(m.group(0)):
                continue
            if _NAMED.search(text[max(0, m.start() - 20):m.start()]):
                continue  # «Đề án 06», «Nghị quyết số 57»: a name, not a figure
            spans.append((m.start(), m.end(), "num"))
        spans.sort()
        last_end = 0  # where the clause of the next number starts: after the last recognised figure
        last_code: str | None = None  # the last figure, for a fraction's whole and a stated rate
        for i, (s, e, kind) in enumerate(spans):
            if kind == "pct":
                if last_code and last_code in self.rate_of:
                    rate, den = self.rate_of[last_code]
                    # a stated rate is checked against its figures: the denominator must be stated too
                    if den in self.values and not any(r == rate for _a, _b, r, _v in found.stated):
                        value = float(re.match(r"[\d.,]+", text[s:e]).group(0).replace(",", "."))
                        found.stated.append((s, e, rate, value))
                    last_code = None
                continue
            value = _int(text[s:e])
            if value is None:
                continue
            if kind == "den":
                code = self.rate_of.get(last_code, (None, None))[1] if last_code else None
                if code and any(self.cat.get(c).whole == code and v > value for c, v in self.values.items()):
                    code = None  # «1410/1411» is not the total received when 1484 were received in the period
                if code and self._accept(code, value):
                    found.numbers.append((s, e, code, value))
                continue
            nxt = spans[i + 1][0] if i + 1 < len(spans) else len(text)
            before = _words(text[max(last_end, s - 400):s])
            after_text = text[e:]
            if kind == "num" and i + 1 < len(spans) and spans[i + 1][2] == "den":
                after_text = text[spans[i + 1][1]:]
                nxt = len(text)
            after_text = re.split(r"[;.]\s|[()]", after_text[: max(0, nxt - e) + 200] if nxt > e else after_text,
                                  maxsplit=1)[0]
            after = _words(after_text)[:MAX_WORDS]
            unit_at = spans[i + 1][1] if i + 1 < len(spans) and spans[i + 1][2] == "den" else e
            def fits(c, rest=text[unit_at:]):
                return self._unit_ok(c, rest)

            code = self._best(before, after, fits)
            if kind == "num" and unit_at != e:  # a fraction a/b: a phrase after it may name the whole, b
                named_before, named_after = self._best(before, [], fits), self._best([], after, fits)
                if named_before and self.rate_of.get(named_before, (None, None))[1] == named_after:
                    # «đúng hạn đạt 99,2% (1.940/1.956 hồ sơ đã giải quyết)»: 1.940 on time of 1.956 resolved
                    code = named_before
            if code is None and kind == "num":  # a frame only where no phrase names the number
                code = self._framed(before, text[unit_at:])
            if code is None or not self._accept(code, value):
                last_code = None if kind == "num" else last_code
                continue
            if self.cat.get(code).type == "money":  # the app prints the unit after an amount: it is part of it
                m = re.match(r"\s*đồng\b", text[e:])
                e = e + m.end() if m else e
            found.numbers.append((s, e, code, value))
            last_end, last_code = e, code
        return found

    def _accept(self, code: str, value: int) -> bool:
        ind = self.cat.get(code)
        if ind is None or ind.type not in ("integer", "money"):
            return False
        old = self.values.get(code)
        if old is not None and old != value:
            return False
        self.values[code] = value
        return True


def _plain(text: str) -> list[str]:
    return _WORD.findall(text)


def _is_year(t: str) -> bool:
    return len(t) == 4 and t.isdigit() and 1990 <= int(t) <= 2100


def _int(t: str) -> int | None:
    t = t.replace(".", "")
    return int(t) if t.isdigit() else None


def _words(text: str) -> list[tuple[str, bool]]:
    """Folded words, each with whether a comma or semicolon stands just before it."""
    out = []
    pos = 0
    for m in _WORD.finditer(text):
        comma = bool(_CLAUSE.search(text, pos, m.start()))
        out.append((fold(m.group(0)).lower(), comma))
        pos = m.end()
    tail = bool(_CLAUSE.search(text, pos))
    if tail:
        out.append(("", True))
    return out


def pattern_of(text: str, found: Found, key_of) -> str:
    """The paragraph with each figure replaced by its field ({key}): the report's own wording kept."""
    pieces = [(s, e, key_of(code, False)) for s, e, code, _v in found.numbers]
    pieces += [(s, e, key_of(code, True)) for s, e, code, _v in found.stated]
    out, pos = [], 0
    for s, e, key in sorted(pieces):
        out.append(text[pos:s].replace("{", "(").replace("}", ")"))
        out.append("{" + key + "}")
        pos = e
    out.append(text[pos:].replace("{", "(").replace("}", ")"))
    return "".join(out)
