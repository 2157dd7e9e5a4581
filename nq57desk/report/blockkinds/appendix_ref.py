"""A reference to an appendix (`type: appendix_ref`): «(Phụ lục I kèm theo)», printed only when the appendix is;
it holds no value (no `empty`)."""

from __future__ import annotations


def nodes(b, v, where: str, rc) -> list:
    from nq57desk.render.tree import Para

    a = rc.tpl.appendix(b.appendix)
    if a is not None and a.key not in rc.printed:
        return []
    return [Para(b.text.replace("{label}", a.label if a else b.appendix), "plain", where)]
