"""How a save is described in the history: the officer's words for what changed, merged while one revision grows."""

from __future__ import annotations

import datetime as dt

from nq57desk.report.shaping import shape
from nq57desk.templates import Template


def age_seconds(a: str, b: str) -> float:
    try:
        return (dt.datetime.fromisoformat(b) - dt.datetime.fromisoformat(a)).total_seconds()
    except ValueError:
        return 1e9


def changes(tpl: Template, old: dict, new: dict) -> str:
    """What changed, in the officer's words: the labels of the edited fields and parts."""
    names = []
    tpl = shape(tpl, new)  # fields and blocks the report added to its outline have labels too
    ov, nv = old.get("values") or {}, new.get("values") or {}
    for k in sorted(set(ov) | set(nv), key=lambda k: list(nv).index(k) if k in nv else 10**6):
        if ov.get(k) != nv.get(k):
            f = tpl.field(k)
            b = tpl.block(k)
            names.append(f.label if f else (b.label or b.key) if b else k)
    for k, lab in (("header", "phần đầu"), ("outline", "dàn ý (đề mục)"), ("lines", "câu in số liệu"),
                   ("explanations", "giải trình"),
                   ("recipients", "Nơi nhận"), ("signature", "chữ ký"), ("carried", "số lũy kế")):
        if old.get(k) != new.get(k):
            names.append(lab)
    if not names:
        return "Không đổi nội dung"
    more = f" và {len(names) - 5} mục khác" if len(names) > 5 else ""
    return "Sửa: " + ", ".join(names[:5]) + more


def merge_summary(a: str, b: str) -> str:
    if not a or a.startswith("Không đổi"):
        return b
    if not b or b.startswith("Không đổi") or b == a:
        return a
    if a.startswith("Sửa: ") and b.startswith("Sửa: "):
        items = [x.strip() for x in a[5:].split(",")]
        for x in b[5:].split(","):
            if x.strip() not in items:
                items.append(x.strip())
        return "Sửa: " + ", ".join(items[:8]) + (" …" if len(items) > 8 else "")
    return a
