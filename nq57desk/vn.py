"""Vietnamese numbers, dates, money and text, formatted the way administrative documents write them."""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

LOCALE = "vi_VN"
GAP = "\u00a0" * 6  # blank left in a draft for the number or date written by hand

_FOLD = str.maketrans({"đ": "d", "Đ": "D"})
_WIN_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"COM{i}" for i in range(1, 10)} | {f"LPT{i}" for i in range(1, 10)}


# What XML 1.0 (DOCX, XLSX) cannot carry: C0 controls but tab, newline and carriage return, the non-characters
# U+FFFE/U+FFFF, and halves of UTF-16 pairs. One pattern for every place text enters or is written.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_clean(text: str) -> str:
    """Text without the characters XML 1.0 cannot carry (pasted or typed text is cleaned so, silently)."""
    return XML_ILLEGAL.sub("", text)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def nfc_deep(value):
    """NFC every string inside a JSON-like value, because Unikey may send combining marks."""
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, list):
        return [nfc_deep(v) for v in value]
    if isinstance(value, dict):
        return {nfc(k) if isinstance(k, str) else k: nfc_deep(v) for k, v in value.items()}
    return value


def fold(text: str) -> str:
    """Strip diacritics (and đ→d), lower-case: lets "tan cuong" find "Xã Tân Cương"."""
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def same_words(a, b) -> bool:
    """Two cell texts say the same thing: «Đã hoàn thành.» and «đã  hoàn thành» count alike (case, spaces and a
    closing mark differ as officers type them; the words and their accents do not)."""
    def norm(x) -> str:
        return " ".join(nfc(str(x or "")).casefold().split()).rstrip(".;:,!").strip()

    return norm(a) == norm(b)


def _quantize(value, decimals: int) -> Decimal:
    d = Decimal(str(value))
    q = Decimal(1).scaleb(-decimals) if decimals else Decimal(1)
    return d.quantize(q, rounding=ROUND_HALF_UP)


def format_decimal(value, format: str, locale: str) -> str:  # noqa: A002 - babel's own parameter name
    """babel's, imported at the first number shown: a window that opens on a page without figures does not wait
    for babel and its locale data (~30 ms on this machine)."""
    from babel.numbers import format_decimal as fd

    return fd(value, format=format, locale=locale)


def fmt_number(value, decimals: int | None = None) -> str:
    """14722 → "14.722"; 72.5 → "72,5"; decimals fixes the digits after the comma."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if decimals is not None:
        d = _quantize(value, decimals)
        if d.is_finite():
            return _grouped(d, decimals)
        fmt = "#,##0" + ("." + "0" * decimals if decimals else "")
        return format_decimal(d, format=fmt, locale=LOCALE)
    d = Decimal(str(value))
    if d.is_finite():
        places = max(0, -d.normalize().as_tuple().exponent)
        if places <= 10:
            return _grouped(d.normalize() if places else d.to_integral_value(), places)
    if d == d.to_integral_value():
        return format_decimal(d.to_integral_value(), format="#,##0", locale=LOCALE)
    return format_decimal(d.normalize(), format="#,##0.##########", locale=LOCALE)


_SWAP = str.maketrans(",.", ".,")


def _grouped(d: Decimal, places: int) -> str:
    """What babel's vi locale writes (14.722; 1.250.000,5), for a number that already has at most `places`
    decimals: Python's own grouping with the separators swapped. Babel stays the rule (tests/test_vn.py checks
    them against each other) and handles the rest (infinities, more than 10 decimals); this only spares the figures of the first
    page babel's import and locale data (~30 ms at start-up)."""
    return f"{d:,.{places}f}".translate(_SWAP)


def fmt_percent(value, decimals: int = 2) -> str:
    """99.8327 → "99,83%"; whole values drop the decimals: 100 → "100%"; 99.995 → "99,99%", never "100%"."""
    if value is None:
        return ""
    d = _quantize(value, decimals)
    if d == 100 and Decimal(str(value)) < 100:
        # 99,995% is not complete: rounding it up to "100%" would say every case was done
        d = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_DOWN)
    if d == d.to_integral_value():
        return fmt_number(d.to_integral_value(), 0) + "%"
    return fmt_number(d, decimals).rstrip("0").rstrip(",") + "%"


def fmt_money(value) -> str:
    """1250000000 → "1.250.000.000 đồng" (never the ₫ sign)."""
    if value is None:
        return ""
    return fmt_number(value, 0) + " đồng"


_NUM_RE = re.compile(r"^[+-]?([1-9]\d{0,2}(\.\d{3})+|\d+)(,\d+)?$")
_DOTDEC_RE = re.compile(r"^[+-]?\d+\.\d{1,2}$|^[+-]?\d+\.\d{4,}$|^[+-]?0\.\d+$")


def parse_number(text) -> Decimal | None:
    """Parse what an officer types: "14722", "14.722", "72,5", "0,556"; None when it is not a number.

    A dot followed by exactly three digits is a thousands separator (Vietnamese usage);
    "99.89" (two digits) is read as a decimal point, as officers often type it, and so is "0.125" (no grouped
    number starts with 0: reading it as 125 would be a thousandfold error).
    """
    if text is None:
        return None
    if isinstance(text, (int, float, Decimal)) and not isinstance(text, bool):
        return Decimal(str(text))
    s = str(text).strip().replace("\u00a0", "").replace(" ", "")
    if s.endswith("%"):
        s = s[:-1]
    if not s:
        return None
    try:
        if _NUM_RE.match(s):
            return Decimal(s.replace(".", "").replace(",", "."))
        if _DOTDEC_RE.match(s):
            return Decimal(s)
    except InvalidOperation:
        return None
    return None


def to_plain(d: Decimal | None):
    """A Decimal as an int when whole, else a float: the JSON form of a number."""
    if d is None:
        return None
    if d == d.to_integral_value():
        return int(d)
    return float(d)


def day_str(day: int) -> str:
    return f"{day:02d}"


def month_str(month: int) -> str:
    """Decree 30: months 1 and 2 get a leading zero, 3 to 12 do not."""
    return f"{month:02d}" if month <= 2 else str(month)


def fmt_date(value) -> str:
    """A cited date: 2026-03-26 → "26/3/2026", 2026-01-28 → "28/01/2026"."""
    if not value:
        return ""
    d = parse_date(value) if isinstance(value, str) else value
    if d is None:
        return str(value)
    return f"{day_str(d.day)}/{month_str(d.month)}/{d.year}"


def month_only(value) -> tuple[int, int] | None:
    """(year, month) of a date given by month only, "2026-05" (the day left blank, written when signing); else None.
    The one reading of that form: the header's date is the only place it is allowed (nq57desk.report.check)."""
    if not isinstance(value, str):
        return None
    m = _MONTH_ONLY.fullmatch(value.strip())
    return (int(m.group(1)), int(m.group(2))) if m else None


_MONTH_ONLY = re.compile(r"(\d{4})-(\d{2})")


def date_line(place: str, value, year: int | None = None) -> str:
    """The italic date line: "Tân Cương, ngày 05 tháng 01 năm 2026"; a draft keeps blanks to write in, and a
    month-only date ("2026-05") keeps the day blank, written by hand when signing: "ngày      tháng 5 năm 2026"."""
    ym = month_only(value)
    if ym:
        return f"{place}, ngày{GAP}tháng {month_str(ym[1])} năm {ym[0]}"
    d = parse_date(value) if isinstance(value, str) else value
    if d is None:
        return f"{place}, ngày{GAP}tháng{GAP}năm {year or ''}".rstrip()
    return f"{place}, ngày {day_str(d.day)} tháng {month_str(d.month)} năm {d.year}"


def parse_date(value) -> _dt.date | None:
    """Accept ISO "2026-03-26" or what an officer types: "26/3/2026", "26-03-2026"."""
    if value is None or value == "":
        return None
    if isinstance(value, _dt.date):
        return value
    s = str(value).strip()
    try:
        return _dt.date.fromisoformat(s)
    except ValueError:
        pass
    m = re.match(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$", s)
    if m:
        try:
            return _dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        except ValueError:
            return None
    return None


def doc_number(number: str | int | None, symbol: str) -> str:
    """'Số: 05/BC-UBND'; a draft keeps an empty number to write in by hand."""
    if number in (None, ""):
        return f"Số:{GAP}/{symbol}"
    n = str(number).strip()
    if n.isdigit() and int(n) < 10:
        n = f"{int(n):02d}"
    return f"Số: {n}/{symbol}"


def ascii_name(text: str, max_len: int = 60) -> str:
    """An ASCII, FAT32- and Windows-safe file name part: no reserved names, no <>:"/\\|?*."""
    s = fold(nfc(text))
    s = re.sub(r"[^a-z0-9._-]+", "_", s).strip("._ ")
    s = re.sub(r"_+", "_", s)[:max_len].rstrip("._ ")
    if not s:
        s = "_"
    if s.split(".")[0].upper() in _WIN_RESERVED:
        s = "_" + s
    return s


ROMAN = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
         (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]

# Vietnamese point letters: no f, j, w, z; đ follows d (Decree 30, Phụ lục I).
POINT_LETTERS = ["a", "b", "c", "d", "đ", "e", "g", "h", "i", "k", "l", "m", "n", "o", "p", "q", "r", "s", "t",
                 "u", "v", "x", "y"]


def roman(n: int) -> str:
    out = []
    for v, s in ROMAN:
        while n >= v:
            out.append(s)
            n -= v
    return "".join(out)


def point_letter(n: int) -> str:
    """1 → a, 5 → đ, 24 → aa (beyond the alphabet, letters double)."""
    k = len(POINT_LETTERS)
    if n <= k:
        return POINT_LETTERS[n - 1]
    return POINT_LETTERS[(n - 1) // k - 1] + POINT_LETTERS[(n - 1) % k]
