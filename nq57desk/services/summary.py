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


HEADER_FIELDS = {"number": "số văn bản", "symbol": "ký hiệu", "date": "ngày báo cáo", "place": "địa danh",
                 "issuer": "cơ quan ban hành", "kinh_gui": "Kính gửi", "subject": "trích yếu"}


def changes(tpl: Template, old: dict, new: dict) -> str:
    """What changed, in the officer's words: the labels of the edited fields and parts."""
    names, names_seen = [], set()
    tpl = shape(tpl, new)  # fields and blocks the report added to its outline have labels too
    ov, nv = old.get("values") or {}, new.get("values") or {}
    for k in sorted(set(ov) | set(nv), key=lambda k: list(nv).index(k) if k in nv else 10**6):
        if ov.get(k) != nv.get(k):
            f = tpl.field(k)
            b = tpl.block(k)
            names.append(f.label if f else (b.label or b.key) if b else k)
    oh, nh = old.get("header") or {}, new.get("header") or {}
    for k in [*HEADER_FIELDS, *sorted(set(oh) | set(nh))]:
        if k not in names_seen and oh.get(k) != nh.get(k):
            names_seen.add(k)
            names.append(HEADER_FIELDS.get(k, "phần đầu"))
    for k, lab in (("outline", "dàn ý (đề mục)"), ("lines", "câu in số liệu"),
                   ("explanations", "giải trình"),
                   ("recipients", "Nơi nhận"), ("signature", "chữ ký"), ("carried", "số lũy kế")):
        if old.get(k) != new.get(k):
            names.append(lab)
    names = list(dict.fromkeys(names))
    if not names:
        return "Không đổi nội dung"
    more = f" và {len(names) - 5} mục khác" if len(names) > 5 else ""
    return "Sửa: " + ", ".join(names[:5]) + more


def merge_summary(a: str, b: str) -> str:
    if not a or a.startswith("Không đổi"):
        return b
    if not b or b.startswith("Không đổi") or b == a:
        return a
    head, sep, listed = a.rpartition("Sửa: ")  # "Hoàn thành → Nháp vì đã sửa; Sửa: …" keeps its beginning
    if sep and b.startswith("Sửa: "):
        items = [x.strip() for x in listed.removesuffix(" …").split(",")]
        for x in b[5:].split(","):
            if x.strip() not in items:
                items.append(x.strip())
        return head + "Sửa: " + ", ".join(items[:8]) + (" …" if len(items) > 8 else "")
    if b.startswith("Sửa: "):  # "Tạo mới", "Khôi phục nội dung bản 1" …: what was edited after it is listed too
        return f"{a.rstrip('.; ')}; {b}"
    return a
