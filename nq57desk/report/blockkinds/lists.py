"""A list of lines (`type: list`): numbered «1. …» or bulleted «- …», one string per item."""

from __future__ import annotations

from nq57desk.report.check import _str_list
from nq57desk.templates.placeholders import fill_placeholders


def empty(b, ctx: dict) -> list:
    return []


def hint(b, ctx: dict) -> list[str]:
    return [fill_placeholders(x, ctx) for x in b.hint]


def check(b, v, place: str) -> None:
    _str_list(v, place, "danh sách")


def nodes(b, v, where: str, rc) -> list:
    from nq57desk.render.tree import Para

    items = [x for x in (v or []) if x and x.strip()]
    if b.marker == "arabic":
        return [Para(f"{i}. {x.strip()}", "body", where) for i, x in enumerate(items, start=1)]
    return [Para(f"{b.marker} {x.strip()}", "bullet", where) for x in items]


def entries(b, v, shown) -> list[tuple[str, str, str]]:
    return [(f"{b.key}[{i}]", f"{b.label} {i}", x or "") for i, x in enumerate(v or [], 1)]


def lines(b, v, ctx: dict) -> list[str]:
    return list(v or [])
