"""The amount list (`type: amounts`): a budget or an equipment list as a lead-in, items and a total in đồng.

Value: {"lead": str, "items": [{"name", "quantity", "unit", "amount"}], "total": int | null}; every key may be
absent (blank). The stated total must equal the items when all amounts are given, and can never be below the
amounts known. Blank figures print nothing (never "…" or 0). See nq57desk/report/kinds.py for the protocol.
"""

from __future__ import annotations

from decimal import Decimal

from nq57desk.report import kinds
from nq57desk.report.document import fill_placeholders
from nq57desk.vn import fmt_money, fmt_number

ITEM_KEYS = ("name", "quantity", "unit", "amount")
VALUE_KEYS = ("lead", "items", "total")
NAMES = ("total", "sum")  # kinh_phi.total: the stated total, else the items' sum when every amount is given
COLUMNS = (("name", "Nội dung", "text", 4.0), ("quantity", "Số lượng", "decimal", 1.1), ("unit", "Đơn vị tính", "text", 1.1),
           ("amount", "Thành tiền (đồng)", "money", 1.8))
TOTAL_LABEL = "Tổng cộng"


def empty(b, ctx: dict) -> dict:
    """Nothing typed yet: the template's lead-in is a hint shown in the form, not the commune's words."""
    return {"lead": "", "items": [], "total": None}


def lead_hint(b, ctx: dict) -> str:
    return fill_placeholders(b.lead, ctx)


def check(b, v, place: str) -> None:
    if v is None:  # blank, as any other block's null
        return
    kinds.keys(v, VALUE_KEYS, place, "Danh sách kinh phí")
    kinds.text(v, "lead", place, "Câu dẫn")
    kinds.count(v, "total", place, "Tổng cộng (đồng)")
    items = v.get("items")
    items = kinds.rows([] if items is None else items, f"{place}.items", "Các mục kinh phí")
    for i, it in enumerate(items):
        ip = f"{place}.items[{i}]"
        kinds.keys(it, ITEM_KEYS, ip, f"Mục {i + 1}")
        kinds.text(it, "name", ip, f"Mục {i + 1}, tên")
        kinds.text(it, "unit", ip, f"Mục {i + 1}, đơn vị tính")
        kinds.count(it, "quantity", ip, f"Mục {i + 1}, số lượng", integer=False)
        kinds.count(it, "amount", ip, f"Mục {i + 1}, thành tiền (đồng)")


# -- figures ----------------------------------------------------------------------------------------------------

def items_of(v) -> list[dict]:
    items = (v or {}).get("items") if isinstance(v, dict) else None
    return [x for x in items if isinstance(x, dict)] if isinstance(items, list) else []


def _num(x) -> Decimal | None:
    return Decimal(str(x)) if isinstance(x, (int, float)) and not isinstance(x, bool) else None


def amounts(v) -> list[Decimal | None]:
    return [_num(it.get("amount")) for it in items_of(v)]


def known_sum(v) -> Decimal | None:
    known = [a for a in amounts(v) if a is not None]
    return sum(known, Decimal(0)) if known else None


def computed_total(v) -> Decimal | None:
    """The items' sum, only when every item has its amount (a blank amount leaves the total unknown)."""
    a = amounts(v)
    return sum(a, Decimal(0)) if a and all(x is not None for x in a) else None


def stated_total(v) -> Decimal | None:
    return _num(v.get("total")) if isinstance(v, dict) else None


def total(v) -> Decimal | None:
    s = stated_total(v)
    return s if s is not None else computed_total(v)


def names(b) -> set[str]:
    return {f"{b.key}.{n}" for n in NAMES}


def resolve(b, v, name: str):
    return {"total": total, "sum": known_sum}.get(name, lambda _v: None)(v)


def money(x) -> str:
    return fmt_money(x)


def plus(parts) -> str:
    return " + ".join(fmt_number(p, 0) for p in parts)


# -- findings ---------------------------------------------------------------------------------------------------

def findings(b, v) -> list[tuple[str, str, str, str]]:
    out = []
    label = b.label or "Kinh phí"
    stated = stated_total(v)
    known = [a for a in amounts(v) if a is not None]
    if stated is not None and known:
        s = sum(known, Decimal(0))
        if len(known) == len(amounts(v)):
            if s != stated:
                out.append(("error", f"{b.key}.total", f"{label}, tổng cộng",
                            f"Tổng {money(stated)} khác {plus(known)} = {money(s)}."))
        elif s > stated:
            out.append(("error", f"{b.key}.total", f"{label}, tổng cộng",
                        f"Các khoản đã ghi cộng lại {plus(known)} = {money(s)}, vượt tổng {money(stated)}."))
    for i, it in enumerate(items_of(v), start=1):
        if not str(it.get("name") or "").strip() and (it.get("amount") is not None or it.get("quantity") is not None):
            out.append(("warning", f"{b.key}.items[{i}].name", f"{label}, mục {i}", f"Mục {i} chưa ghi tên."))
    return out


# -- printing ---------------------------------------------------------------------------------------------------

def item_text(it: dict) -> str:
    """"Máy tính để bàn: 10 bộ, 150.000.000 đồng"; blank figures leave their part out."""
    name = str(it.get("name") or "").strip()
    q = _num(it.get("quantity"))
    parts = []
    if q is not None:
        unit = str(it.get("unit") or "").strip()
        parts.append(f"{fmt_number(q)} {unit}".strip())
    a = _num(it.get("amount"))
    if a is not None:
        parts.append(money(a))
    figures = ", ".join(parts)
    if name and figures:
        return f"{name}: {figures}"
    return name or figures


def lines(b, v, ctx: dict) -> list[tuple[str, str]]:
    """(text, style) lines as printed: the lead, one line per item, the total sentence."""
    if not isinstance(v, dict):
        return []
    out = []
    lead = fill_placeholders(str(v.get("lead") or "").strip(), ctx)
    if lead:
        out.append((lead, "body"))
    texts = [t for t in (item_text(it) for it in items_of(v)) if t]
    for i, t in enumerate(texts):
        out.append((f"- {t}{'.' if i == len(texts) - 1 else ';'}", "bullet"))
    tot = total(v)
    if tot is not None:
        out.append((f"{TOTAL_LABEL}: {money(tot)}.", "body"))
    return out


def nodes(b, v, where: str, rc) -> list:
    from nq57desk.render.tree import Para

    return [Para(t, style, where) for t, style in lines(b, v, rc.names)]


def table(b, v, ctx: dict):
    """The bundle's sheet: TT, item, quantity, unit, amount, and a total row."""
    from nq57desk.render.tree import HeaderCell, Row, Table

    cols = (("stt", "TT", "stt", 0.6),) + COLUMNS
    header = [HeaderCell(lab, 0, i) for i, (_k, lab, _t, _w) in enumerate(cols)]
    rows = []
    for n, it in enumerate(items_of(v), start=1):
        q, a = _num(it.get("quantity")), _num(it.get("amount"))
        rows.append(Row([str(n), str(it.get("name") or ""), fmt_number(q) if q is not None else "",
                         str(it.get("unit") or ""), fmt_number(a, 0) if a is not None else ""]))
    tot = total(v)
    rows.append(Row(["", TOTAL_LABEL, "", "", fmt_number(tot, 0) if tot is not None else ""], "total"))
    title = fill_placeholders(b.title or b.label or "Kinh phí", ctx)
    t = Table(header, 1, rows, [w for *_x, w in cols], [c[2] in ("decimal", "money") for c in cols], title=title,
              kinds=[c[2] for c in cols], block_kind="amounts")
    return t, [c[2] for c in cols]


def entries(b, v, shown) -> list[tuple[str, str, str]]:
    label = b.label or "Kinh phí"
    out = [(f"{b.key}.lead", f"{label} › câu dẫn", str((v or {}).get("lead") or "") if isinstance(v, dict) else "")]
    for i, it in enumerate(items_of(v), start=1):
        out.append((f"{b.key}.items[{i}].name", f"{label} › mục {i}", str(it.get("name") or "")))
        out.append((f"{b.key}.items[{i}].unit", f"{label} › mục {i}", str(it.get("unit") or "")))
    return out
