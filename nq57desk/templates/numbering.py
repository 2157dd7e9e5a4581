"""Generated numbering of headings: Phần 1 / A. / I. / 1. / 1.1. / a) / - / + with the Vietnamese point letters."""

from __future__ import annotations

from nq57desk.templates.model import NUMBER_LADDER, Section, Template
from nq57desk.templates.placeholders import fill_placeholders
from nq57desk.vn import point_letter, roman

# How each level's heading looks, in one place for the DOCX and the print layout:
# (bold, italic, upper-case title, centred on its own line under the number)
HEADING_LOOK = {
    "part": (True, False, False, True), "part_roman": (True, False, False, True),
    "upper": (True, False, True, False), "roman": (True, False, True, False),
    "arabic": (True, False, False, False), "decimal": (True, False, False, False),
    "point": (True, True, False, False), "dash": (False, True, False, False),
    "plus": (False, False, False, False), "none": (True, False, False, False),
}


def continue_ladder(declared: tuple[str, ...], depth: int) -> str:
    """The style at `depth` when only `declared` levels are named: further levels go on down the Decree-30 ladder
    after the last declared one (… a) then - then +), so a fourth level never prints "a)" like the third."""
    if depth < len(declared):
        return declared[depth]
    last = declared[-1] if declared else "roman"
    rung = NUMBER_LADDER.index(last) if last in NUMBER_LADDER else NUMBER_LADDER.index("decimal")
    rest = NUMBER_LADDER[rung + 1:] or ("plus",)
    return rest[min(depth - len(declared), len(rest) - 1)]


def style_at(tpl: Template, depth: int) -> str:
    """Depth 0 is the top level."""
    return continue_ladder(tpl.numbering, depth)


def label(style: str, n: int, chain: tuple[int, ...] = ()) -> str:
    """The printed number of the n-th item; `chain` carries the arabic numbers above for 1.1. / 5.1.1."""
    if style == "part":
        return f"Phần {n}"
    if style == "part_roman":
        return f"Phần {roman(n)}"
    if style == "roman":
        return f"{roman(n)}."
    if style == "upper":
        return f"{upper_letter(n)}."
    if style == "dash":
        return "-"
    if style == "plus":
        return "+"
    if style == "arabic":
        return f"{n}."
    if style == "decimal":
        return ".".join(str(x) for x in chain + (n,)) + "."
    if style == "point":
        return f"{point_letter(n)})"
    return ""


def upper_letter(n: int) -> str:
    """A. B. C. … for the top level of a supervision report (A. Kết quả …, B. Nhiệm vụ …)."""
    return point_letter(n).upper()


def next_chain(style: str, n: int, chain: tuple[int, ...]) -> tuple[int, ...]:
    """The arabic chain children see: roman/part levels reset it, arabic starts it, decimal extends it."""
    if style in ("arabic",):
        return (n,)
    if style in ("dash", "plus"):
        return chain
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
            if s.numbered and style != "none" and not s.hidden:
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
    if ctx is None:
        return dict(tpl.memo("_paths", lambda: _paths(tpl)))
    # the live check asks at each pause in typing: computed once per outline and context
    return dict(tpl.memo_in("_paths_in", ctx, lambda: {k: fill_placeholders(v, ctx) for k, v in section_paths(tpl).items()}))


def _paths(tpl: Template) -> dict[str, str]:
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
