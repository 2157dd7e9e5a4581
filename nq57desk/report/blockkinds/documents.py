"""Issued documents (`type: documents`): plans, decisions … each {kind, number, date, issuer, subject}, printed as
one line each, one sentence after a lead-in, or grouped by kind (render/tree.py: document_text)."""

from __future__ import annotations

from nq57desk.errors import DocumentError
from nq57desk.report.check import _show, is_date
from nq57desk.report.document import DOC_FIELDS
from nq57desk.report.kinds import list_of_dicts
from nq57desk.templates.placeholders import fill_placeholders


def empty(b, ctx: dict) -> list:
    return []


def check(b, v, place: str) -> None:
    list_of_dicts(v, place, set(DOC_FIELDS))
    for i, d in enumerate(v):
        if d.get("date") not in (None, "") and not is_date(d["date"]):
            raise DocumentError(f"ngày văn bản phải là ngày có thật, dạng YYYY-MM-DD (có {_show(d['date'])})",
                                f"{place}[{i}].date")
        for k2 in ("kind", "number", "issuer", "subject"):
            if not isinstance(d.get(k2, ""), str):
                raise DocumentError(f"«{k2}» phải là chuỗi chữ", f"{place}[{i}].{k2}")


def nodes(b, v, where: str, rc) -> list:
    from nq57desk.render.tree import Para, document_text, grouped_documents

    items = v or []
    texts = [document_text(d) for d in items]
    texts = [t for t in texts if t]
    if not texts:
        return []
    if b.layout == "grouped":
        lead = fill_placeholders(b.lead, rc.names).strip()
        prefix = f"{b.bullet} " if b.bullet else ""
        body = "; ".join(grouped_documents([d for d in items if document_text(d)]))
        return [Para(f"{prefix}{lead + ' ' if lead else ''}{body}.", "bullet" if prefix else "body", where)]
    if b.layout == "paragraph":
        lead = fill_placeholders(b.lead, rc.names)
        prefix = f"{b.bullet} " if b.bullet else ""
        return [Para(f"{prefix}{lead}{'; '.join(t.rstrip(';.') for t in texts)}.", "bullet" if prefix else "body", where)]
    mark = f"{b.bullet} " if b.bullet else ""
    return [Para(f"{mark}{t}", "bullet" if mark else "body", where) for t in texts]


def entries(b, v, shown) -> list[tuple[str, str, str]]:
    return [(f"{b.key}[{i}].{k}", f"{b.label} {i}", shown.show(k if k == "date" else "text", d.get(k)))
            for i, d in enumerate(v or [], 1) for k in ("kind", "number", "date", "issuer", "subject")]


def lines(b, v, ctx: dict) -> list[str]:
    from nq57desk.render.tree import document_text

    return [document_text(d) for d in v or []]
