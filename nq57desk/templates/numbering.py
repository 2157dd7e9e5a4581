"""Generated numbering of headings: Phần 1 / I. / 1. / 1.1. / a) with the Vietnamese point letters."""

from __future__ import annotations

from nq57desk.templates.model import Section, Template
from nq57desk.templates.placeholders import fill_placeholders
from nq57desk.vn import point_letter, roman


def style_at(tpl: Template, depth: int) -> str:
    """Depth 0 is the top level; past the declared styles, points (a, b, c …) continue."""
    if depth < len(tpl.numbering):
        return tpl.numbering[depth]
    return "point"


def label(style: str, n: int, chain: tuple[int, ...] = ()) -> str:
    """The printed number of the n-th item; `chain` carries the arabic numbers above for 1.1. / 5.1.1."""
    if style == "part":
        return f"Phần {n}"
    if style == "part_roman":
        return f"Phần {roman(n)}"
    if style == "roman":
        return f"{roman(n)}."
    if style == "arabic":
        return f"{n}."
    if style == "decimal":
        return ".".join(str(x) for x in chain + (n,)) + "."
    if style == "point":
        return f"{point_letter(n)})"
    return ""


def next_chain(style: str, n: int, chain: tuple[int, ...]) -> tuple[int, ...]:
    """The arabic chain children see: roman/part levels reset it, arabic starts it, decimal extends it."""
    if style in ("arabic",):
        return (n,)
    if style == "decimal":
        return chain + (n,)
    if style == "point":
        return chain
    return ()


def number_sections(tpl: Template) -> dict[str, tuple[str, int, tuple[int, ...]]]:
    """key → (label, depth, chain for children) for every section, counting only numbered siblings."""
    out: dict[str, tuple[str, int, tuple[int, ...]]] = {}

    def rec(secs: tuple[Section, ...], depth: int, chain: tuple[int, ...]):
        n = 0
        for s in secs:
            style = s.style or style_at(tpl, depth)
            if s.numbered and style != "none":
                n += 1
                out[s.key] = (label(style, n, chain), depth, next_chain(style, n, chain))
            else:
                out[s.key] = ("", depth, chain)
            rec(s.children, depth + 1, out[s.key][2])

    rec(tpl.sections, 0, ())
    return out


def section_paths(tpl: Template, ctx: dict | None = None) -> dict[str, str]:
    """key → "II. KẾT QUẢ … › 2. Về chuyển đổi số › b) Chính quyền số": where a finding points; with a report's
    context_of, titles read as printed ("… TRỌNG TÂM THÁNG 6 VÀ 6 THÁNG CUỐI NĂM 2026", not "{next_period_upper}")."""
    if ctx is not None:
        return {k: fill_placeholders(v, ctx) for k, v in section_paths(tpl).items()}
    nums = number_sections(tpl)
    paths: dict[str, str] = {"_intro": "Phần mở đầu", "_closing": "Phần kết"}
    for anc, s in tpl.walk_sections():
        parts = []
        for x in anc + (s,):
            lab = nums[x.key][0]
            parts.append(f"{lab} {x.title}".strip())
        paths[s.key] = " › ".join(parts)
    for a in tpl.appendices:
        paths[a.key] = f"{a.label}" + (f". {a.title}" if a.title else "")
    return paths
