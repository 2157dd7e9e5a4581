"""Task progress (`type: tasks`): per plan or phase, tasks assigned, done (on time), overdue, in progress, not started.

Value: [{"name", "assigned", "done", "on_time", "overdue", "in_progress", "not_started", "note"}], any key may be
absent (blank). The done rate is computed, never typed. Checks only compare figures that are given and quote them
("16 đã hoàn thành + 16 đang thực hiện = 32, vượt 16 nhiệm vụ được giao"). See nq57desk/report/kinds.py.
"""

from __future__ import annotations

from decimal import Decimal

from nq57desk.report import kinds
from nq57desk.report.document import fill_placeholders
from nq57desk.vn import fmt_number, fmt_percent

COUNTS = ("assigned", "done", "on_time", "overdue", "in_progress", "not_started")
ROW_KEYS = ("name",) + COUNTS + ("note",)
LABELS = {"name": "Kế hoạch, giai đoạn", "assigned": "Được giao", "done": "Đã hoàn thành", "on_time": "Trong đó đúng hạn",
          "overdue": "Quá hạn", "in_progress": "Đang thực hiện", "not_started": "Chưa thực hiện", "note": "Ghi chú"}
PARTS = (("done", "đã hoàn thành"), ("in_progress", "đang thực hiện"), ("not_started", "chưa thực hiện"))
TOTAL_LABEL = "Tổng cộng"


def empty(b, ctx: dict) -> list:
    return []


def check(b, v, place: str) -> None:
    if v is None:  # blank, as any other block's null
        return
    for i, row in enumerate(kinds.rows(v, place, "Tiến độ nhiệm vụ")):
        rp = f"{place}[{i}]"
        kinds.keys(row, ROW_KEYS, rp, f"Dòng {i + 1}")
        kinds.text(row, "name", rp, f"Dòng {i + 1}, {LABELS['name'].lower()}")
        kinds.text(row, "note", rp, f"Dòng {i + 1}, ghi chú")
        for k in COUNTS:
            kinds.count(row, k, rp, f"Dòng {i + 1}, {LABELS[k].lower()}")


# -- figures ----------------------------------------------------------------------------------------------------

def rows_of(v) -> list[dict]:
    return [r for r in v if isinstance(r, dict)] if isinstance(v, list) else []


def n(row: dict, k: str) -> Decimal | None:
    x = row.get(k)
    return Decimal(str(x)) if isinstance(x, (int, float, Decimal)) and not isinstance(x, bool) else None


def rate(done: Decimal | None, assigned: Decimal | None) -> Decimal | None:
    """Done over assigned in percent; unknown when either is blank or nothing was assigned."""
    if done is None or assigned is None or assigned == 0:
        return None
    return done * 100 / assigned


def totals(v) -> dict[str, Decimal | None]:
    """Each count summed down the rows (blank when no row gives it); the rate from rows giving both figures."""
    rs = rows_of(v)
    out: dict[str, Decimal | None] = {}
    for k in COUNTS:
        given = [x for x in (n(r, k) for r in rs) if x is not None]
        out[k] = sum(given, Decimal(0)) if given else None
    both = [(n(r, "done"), n(r, "assigned")) for r in rs if n(r, "done") is not None and n(r, "assigned") is not None]
    out["rate"] = rate(sum((d for d, _a in both), Decimal(0)), sum((a for _d, a in both), Decimal(0))) if both else None
    return out


def names(b) -> set[str]:
    return {f"{b.key}.{k}" for k in COUNTS + ("rate",)}


def resolve(b, v, name: str):
    return totals(v).get(name)


def fmt_rate(r: Decimal | None) -> str:
    return fmt_percent(r, 2) if r is not None else ""


def num(x: Decimal | None) -> str:
    return fmt_number(x, 0) if x is not None else ""


# -- findings ---------------------------------------------------------------------------------------------------

def row_problems(row: dict) -> list[tuple[str, str]]:
    """(column, message) for every pair of given figures that cannot both be true."""
    out = []
    a, d, ot, od = n(row, "assigned"), n(row, "done"), n(row, "on_time"), n(row, "overdue")
    if a is not None and d is not None and d > a:
        out.append(("done", f"Đã hoàn thành {num(d)} nhiệm vụ, nhiều hơn {num(a)} nhiệm vụ được giao."))
    if d is not None and ot is not None and ot > d:
        out.append(("on_time", f"{num(ot)} nhiệm vụ đúng hạn, nhiều hơn {num(d)} nhiệm vụ đã hoàn thành."))
    if a is not None and od is not None and od > a:
        out.append(("overdue", f"{num(od)} nhiệm vụ quá hạn, nhiều hơn {num(a)} nhiệm vụ được giao."))
    given = [(k, lab, n(row, k)) for k, lab in PARTS if n(row, k) is not None]
    if a is not None and len(given) >= 2:
        s = sum((x for _k, _l, x in given), Decimal(0))
        expr = " + ".join(f"{num(x)} {lab}" for _k, lab, x in given)
        if s > a:
            out.append((given[-1][0], f"{expr} = {num(s)}, vượt {num(a)} nhiệm vụ được giao."))
        elif len(given) == len(PARTS) and s < a:
            out.append((given[-1][0], f"{expr} = {num(s)}, ít hơn {num(a)} nhiệm vụ được giao."))
    return out


def findings(b, v) -> list[tuple[str, str, str, str]]:
    out = []
    label = b.label or b.title or "Tiến độ nhiệm vụ"
    for i, row in enumerate(rows_of(v), start=1):
        name = str(row.get("name") or "").strip()
        where = f"{label}, dòng {i}" + (f" «{name[:40]}»" if name else "")
        for col, msg in row_problems(row):
            out.append(("error", f"{b.key}[{i}].{col}", where, msg))
        if not name and any(n(row, k) is not None for k in COUNTS):
            out.append(("warning", f"{b.key}[{i}].name", where, f"Dòng {i} chưa ghi tên kế hoạch hoặc giai đoạn."))
    return out


# -- printing ---------------------------------------------------------------------------------------------------

def sentence(name: str, row: dict, note: str = "") -> str:
    """"Giai đoạn 1: được giao 12 nhiệm vụ, đã hoàn thành 11/12 nhiệm vụ (91,67%), trong đó 10 đúng hạn; đang
    thực hiện 1." Clauses whose figures are blank are left out; nothing at all gives ""."""
    a, d = n(row, "assigned"), n(row, "done")
    head = []
    if a is not None:
        head.append(f"được giao {num(a)} nhiệm vụ")
    if d is not None:
        r = rate(d, a)
        done = f"đã hoàn thành {num(d)}/{num(a)} nhiệm vụ" if a is not None else f"đã hoàn thành {num(d)} nhiệm vụ"
        if r is not None:
            done += f" ({fmt_rate(r)})"
        if n(row, "on_time") is not None:
            done += f", trong đó {num(n(row, 'on_time'))} đúng hạn"
        head.append(done)
    rest = [f"{lab} {num(n(row, k))}" for k, lab in (("overdue", "quá hạn"), ("in_progress", "đang thực hiện"),
                                                       ("not_started", "chưa thực hiện")) if n(row, k) is not None]
    body = "; ".join(x for x in (", ".join(head), "; ".join(rest), note.strip().rstrip(".;")) if x)
    if not body:
        return ""
    return f"{name}: {body}." if name else f"{body[:1].upper()}{body[1:]}."


def lines(b, v, ctx: dict) -> list[str]:
    rs = rows_of(v)
    out = [s for s in (sentence(str(r.get("name") or "").strip(), r, str(r.get("note") or "")) for r in rs) if s]
    numbered = [r for r in rs if any(n(r, k) is not None for k in COUNTS)]
    if len(numbered) >= 2:
        t = totals(v)
        s = sentence(TOTAL_LABEL, {k: t[k] for k in COUNTS if t[k] is not None})
        if s:
            out.append(s)
    return out


def nodes(b, v, where: str, rc) -> list:
    from nq57desk.render.tree import Para

    if b.layout == "table":
        return [table(b, v, rc.names, where)[0]] if rows_of(v) else []
    return [Para(f"- {s}", "bullet", where) for s in lines(b, v, rc.names)]


def table(b, v, ctx: dict, where: str = ""):
    """TT, plan or phase, the six counts, the done rate, note; a total row."""
    from nq57desk.render.tree import HeaderCell, Row, Table

    keys = ("stt", "name") + COUNTS + ("rate", "note")
    labels = {"stt": "TT", **LABELS, "rate": "Tỷ lệ hoàn thành"}
    types = {"stt": "stt", "name": "text", "note": "text", "rate": "percent"}
    widths = {"stt": 0.5, "name": 1.7, "note": 1.1, "rate": 1.3}
    header = [HeaderCell(labels[k], 0, i) for i, k in enumerate(keys)]
    rows = []
    for i, r in enumerate(rows_of(v), start=1):
        rows.append(Row([str(i), str(r.get("name") or ""), *(num(n(r, k)) for k in COUNTS),
                         fmt_rate(rate(n(r, "done"), n(r, "assigned"))), str(r.get("note") or "")]))
    t = totals(v)
    rows.append(Row(["", TOTAL_LABEL, *(num(t[k]) for k in COUNTS), fmt_rate(t["rate"]), ""], "total"))
    kinds_ = [types.get(k, "integer") for k in keys]
    title = fill_placeholders(b.title or b.label or "Tiến độ thực hiện nhiệm vụ", ctx)
    node = Table(header, 1, rows, [widths.get(k, 1.2) for k in keys], [x in ("integer", "percent") for x in kinds_],
                 title=title, kinds=kinds_, where=where,
                 block_kind="tasks")
    return node, kinds_


def entries(b, v, shown) -> list[tuple[str, str, str]]:
    label = b.label or b.title or "Tiến độ nhiệm vụ"
    out = []
    for i, r in enumerate(rows_of(v), start=1):
        out.append((f"{b.key}[{i}].name", f"{label} › dòng {i}", str(r.get("name") or "")))
        out.append((f"{b.key}[{i}].note", f"{label} › dòng {i}", str(r.get("note") or "")))
    return out
