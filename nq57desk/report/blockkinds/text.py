"""A paragraph (`type: text`): the officer's own words, one string; the template's hint is only shown."""

from __future__ import annotations

from nq57desk.errors import DocumentError
from nq57desk.templates.placeholders import fill_placeholders


def empty(b, ctx: dict) -> str:
    return ""


def hint(b, ctx: dict) -> str:
    return fill_placeholders(b.hint, ctx)


def check(b, v, place: str) -> None:
    if not isinstance(v, str):
        raise DocumentError("đoạn văn phải là chuỗi chữ", place)


def nodes(b, v, where: str, rc) -> list:
    from nq57desk.render.tree import Para, line_style, text_lines

    style = {"note": "note", "subtitle": "subtitle"}.get(b.style, None)
    return [Para(line, style or line_style(line), where) for line in text_lines(v)]


def entries(b, v, shown) -> list[tuple[str, str, str]]:
    return [(b.key, b.label or "Nội dung", v or "")]


def lines(b, v, ctx: dict) -> list[str]:
    return [v] if v else []
