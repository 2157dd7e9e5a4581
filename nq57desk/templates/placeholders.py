"""Placeholders in a template's text ("{commune}", "{period}", "{next_period_upper}", a field key): one filler for
titles, leads, labels, text defaults and subjects; the names come from nq57desk.report.document.context_of."""

from __future__ import annotations

import re

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_EMPTY = "\x00"  # where an empty name stood, until its spaces are collapsed
_EMPTY_RUN = re.compile(r"( *)(?:\x00 *)*\x00( *)")


def fill_placeholders(text: str, ctx: dict) -> str:
    """Put names into a pattern; an empty name takes its spaces with it ("trên địa bàn {commune} {period}" → "trên
    địa bàn xã Tân Cương", "báo cáo {period} của" → "báo cáo của"); an unknown name stays as written."""
    empty = False

    def one(m: re.Match) -> str:
        nonlocal empty
        name = m.group(1)
        if name not in ctx:
            return m.group(0)
        v = str(ctx[name])
        if v == "":
            empty = True
            return _EMPTY
        return v

    out = _PLACEHOLDER.sub(one, text)
    if not empty:
        return out

    def gap(m: re.Match) -> str:
        inner = 0 < m.start() and m.end() < len(out)
        return " " if inner and m.group(1) and m.group(2) else ""

    return _EMPTY_RUN.sub(gap, out)
