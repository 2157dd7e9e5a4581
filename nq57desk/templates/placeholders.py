"""Placeholders in a template's text ("{commune}", "{period}", "{next_period_upper}", a field key): one filler for
titles, leads, labels, text defaults and subjects; the names come from nq57desk.report.document.context_of."""

from __future__ import annotations

import re

_PLACEHOLDER = re.compile(r"( ?)\{(\w+)\}( ?)")


def fill_placeholders(text: str, ctx: dict) -> str:
    """Put names into a pattern; an empty name takes its spaces with it ("trên địa bàn xã {period}" → "trên địa bàn
    xã", "báo cáo {period} của" → "báo cáo của"); an unknown name stays as written."""
    def one(m: re.Match) -> str:
        name = m.group(2)
        if name not in ctx:
            return m.group(0)
        v = str(ctx[name])
        if v == "":
            return " " if m.group(1) and m.group(3) else ""
        return f"{m.group(1)}{v}{m.group(3)}"

    return _PLACEHOLDER.sub(one, text)
