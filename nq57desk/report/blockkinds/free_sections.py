"""Sections the officer adds (`type: free_sections`): {title, text, level} items, headed and numbered on the
outline's own ladder below the section that holds them (level 0, 1, 2: «Mục cấp 1, 2, 3»)."""

from __future__ import annotations

from nq57desk.errors import DocumentError
from nq57desk.report.kinds import list_of_dicts

FREE_LEVELS = (0, 1, 2)  # "Mục cấp 1", "Mục cấp 2", "Mục cấp 3"


def empty(b, ctx: dict) -> list:
    return []


def check(b, v, place: str) -> None:
    list_of_dicts(v, place, {"title", "text", "level"})
    for i, it in enumerate(v):
        for k2 in ("title", "text"):
            if not isinstance(it.get(k2, ""), str):
                raise DocumentError(f"«{k2}» của mục tự thêm phải là chuỗi chữ", f"{place}[{i}].{k2}")
        if it.get("level", 0) not in FREE_LEVELS or isinstance(it.get("level"), bool):
            raise DocumentError("«level» của mục tự thêm là 0, 1 hoặc 2 (mục cấp 1, 2, 3)", f"{place}[{i}].level")


def nodes(b, v, where: str, rc) -> list:
    from nq57desk.render.tree import Heading, Para, line_style, text_lines
    from nq57desk.templates.numbering import label, next_chain, style_at

    out, counters = [], {}
    for it in v or []:
        lvl = max(0, min(3, int(it.get("level") or 0)))
        for k in list(counters):
            if k > lvl:
                del counters[k]
        counters[lvl] = counters.get(lvl, 0) + 1
        style = style_at(rc.tpl, rc.depth + lvl)
        sub_chain = rc.chain
        for k in range(lvl):
            sub_chain = next_chain(style_at(rc.tpl, rc.depth + k), counters.get(k, 1), sub_chain)
        out.append(Heading(label(style, counters[lvl], sub_chain), str(it.get("title") or ""), rc.depth + lvl, style,
                           where))
        out += [Para(x, line_style(x), where) for x in text_lines(it.get("text"))]
    return out


def entries(b, v, shown) -> list[tuple[str, str, str]]:
    return [(f"{b.key}[{i}].{k}", f"Mục {i}", it.get(k) or "") for i, it in enumerate(v or [], 1) for k in ("title", "text")]


def lines(b, v, ctx: dict) -> list[str]:
    return [" – ".join(x for x in (str(it.get("title") or ""), str(it.get("text") or "")) if x) for it in v or []]
