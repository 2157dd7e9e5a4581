"""The one JSON loader for text from outside (a report file to import, a bundle's hidden document, a package's
manifest): bounded in size, depth and number length, so a hostile file is a refusal with a reason, never a
RecursionError or Python's integer-string ValueError that would stop a whole batch.
"""

from __future__ import annotations

import json

MAX_DEPTH = 64  # a report nests a handful of levels (outline sections, tables); 64 is far beyond any template
MAX_NUMBER = 40  # characters of one number: a figure has at most ~20 digits
MAX_CHARS = 32 * 1024 * 1024


class JSONRefused(ValueError):
    """JSON that is well formed but beyond the limits; `problem` is a Vietnamese sentence (no file name)."""

    def __init__(self, problem: str):
        super().__init__(problem)
        self.problem = problem


def _int(s: str) -> int:
    if len(s) > MAX_NUMBER:
        raise JSONRefused(f"JSON chứa một số dài {len(s):,} chữ số (quá {MAX_NUMBER}); không phải số liệu thật".replace(",", "."))
    return int(s)


def _float(s: str) -> float:
    if len(s) > MAX_NUMBER:
        raise JSONRefused(f"JSON chứa một số dài {len(s):,} ký tự (quá {MAX_NUMBER}); không phải số liệu thật".replace(",", "."))
    return float(s)


def _constant(name: str):
    raise JSONRefused(f"JSON chứa giá trị «{name}» không phải là số")


def loads(text: str, *, max_chars: int = MAX_CHARS, max_depth: int = MAX_DEPTH):
    """json.loads with limits. Raises JSONRefused (beyond a limit) or json.JSONDecodeError (not JSON at all)."""
    if len(text) > max_chars:
        raise JSONRefused(f"JSON quá lớn ({len(text) // 1_000_000} triệu ký tự; tối đa {max_chars // 1_000_000} triệu)")
    try:
        data = json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except RecursionError:
        raise JSONRefused("JSON lồng quá sâu") from None
    _check_depth(data, max_depth)
    return data


def load_bytes(data: bytes, **limits):
    """UTF-8 (with or without BOM) bytes; a UnicodeDecodeError is a JSONRefused too."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise JSONRefused("tệp không phải văn bản UTF-8") from None
    return loads(text, **limits)


def _check_depth(data, max_depth: int) -> None:
    stack = [(data, 1)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, dict):
            v = v.values()
        elif not isinstance(v, list):
            continue
        if d > max_depth:
            raise JSONRefused(f"JSON lồng quá sâu (quá {max_depth} tầng)")
        stack.extend((x, d + 1) for x in v if isinstance(x, (dict, list)))
