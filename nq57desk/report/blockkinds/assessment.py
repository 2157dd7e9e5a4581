"""An assessment (`type: assessment`): strengths, shortcomings, causes … one text under each of the template's
headings, printed as «- Ưu điểm: …»."""

from __future__ import annotations

from nq57desk.errors import DocumentError


def empty(b, ctx: dict) -> dict:
    return {k: "" for k, _ in b.items}


def check(b, v, place: str) -> None:
    items = {k for k, _ in b.items}
    if not isinstance(v, dict) or set(v) - items or not all(isinstance(x, str) for x in v.values()):
        raise DocumentError(f"khối đánh giá là bảng {', '.join(sorted(items))} → chữ", place)


def nodes(b, v, where: str, rc) -> list:
    from nq57desk.render.tree import Para, line_style, text_lines

    v = v or {}
    out = []
    for key, lab in b.items:
        lines = text_lines(v.get(key))
        if not lines:
            continue
        if lines[0][:2] in ("+ ", "- "):
            out.append(Para(f"- {lab}:", "bullet", where))
            out += [Para(x, line_style(x), where) for x in lines]
        else:
            out.append(Para(f"- {lab}: {lines[0]}", "bullet", where))
            out += [Para(x, line_style(x), where) for x in lines[1:]]
    return out


def entries(b, v, shown) -> list[tuple[str, str, str]]:
    return [(f"{b.key}.{k}", lab, (v or {}).get(k) or "") for k, lab in b.items]


def lines(b, v, ctx: dict) -> list[str]:
    return [f"{lab}: {v[k]}" for k, lab in b.items if (v or {}).get(k)]
