"""Typed text ↔ stored value for every field and column type, in the officer's notation (Qt-free helpers)."""

from __future__ import annotations

import re
from decimal import Decimal

from nq57desk.gui.qtutil import dmy
from nq57desk.report.check import MAX_NUMBER
from nq57desk.templates.fieldtypes import NUMERIC_TYPES
from nq57desk.vn import fmt_number, month_only, nfc, parse_date, parse_number, to_plain

NUMBER_TYPES = NUMERIC_TYPES
MONTH_ONLY = re.compile(r"(?:tháng\s*)?(\d{1,2})\s*[/.-]\s*(\d{4})", re.IGNORECASE)


class Bad(str):
    """A message explaining why typed text cannot be stored."""


def parse_input(ftype: str, text: str, blank=None):
    """Return the value to store, or a Bad(message). Numbers accept 14722 / 14.722 / 72,5 / 99,89%."""
    t = nfc(text or "").strip()
    if not t:
        return blank
    if ftype in NUMBER_TYPES:
        n = parse_number(t)
        if n is None:
            return Bad(f"«{t}» không phải là số (gõ ví dụ 14722, 14.722 hoặc 72,5).")
        if abs(n) > MAX_NUMBER:
            return Bad(f"Số «{t}» quá lớn (tối đa {fmt_number(MAX_NUMBER)}); hãy kiểm tra lại.")
        if ftype in ("integer", "money") and n != n.to_integral_value():
            return Bad(f"Phải là số nguyên, có «{t}».")
        return int(n) if ftype in ("integer", "money") else to_plain(n)
    if ftype == "measure":
        n = parse_number(t)
        return to_plain(n) if n is not None and abs(n) <= MAX_NUMBER else t
    if ftype == "reportdate":  # the header's date may be month only: the day is written by hand when signing
        m = MONTH_ONLY.fullmatch(t)
        if m:
            month, year = int(m.group(1)), int(m.group(2))
            if not 1 <= month <= 12 or not 1900 <= year <= 2999:
                return Bad(f"Tháng «{t}» không đúng; gõ dạng tháng/năm, ví dụ 5/2026.")
            return f"{year:04d}-{month:02d}"
        ftype = "date"
    if ftype == "date":
        d = parse_date(t)
        if d is None:
            return Bad(f"Ngày «{t}» không đúng; gõ dạng ngày/tháng/năm, ví dụ 26/03/2026.")
        return d.isoformat()
    if ftype == "yesno":
        low = t.lower()
        if low in ("có", "co", "x", "1", "true"):
            return True
        if low in ("không", "khong", "0", "false"):
            return False
        return Bad(f"«{t}»: chọn «Có» hoặc «Không».")
    return nfc(text) if ftype in ("longtext",) else t


def display(ftype: str, value, decimals: int | None = None) -> str:
    """A stored value as it is shown in an input: 14.722 / 99,83 / 26/03/2026 / Có."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if ftype in NUMBER_TYPES or (ftype == "measure" and isinstance(value, (int, float, Decimal))):
        if not isinstance(value, (int, float, Decimal)):
            return str(value)
        if ftype in ("integer", "money"):
            return fmt_number(value, 0)
        return fmt_number(value, decimals)
    ym = month_only(value) if ftype == "reportdate" else None
    if ym:
        return f"{ym[1]:02d}/{ym[0]}"
    if ftype in ("date", "reportdate"):
        return dmy(value)
    return str(value)


def is_bad(v) -> bool:
    return isinstance(v, Bad)
