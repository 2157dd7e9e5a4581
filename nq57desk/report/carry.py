"""Start a report from the previous period's: keep structure and recurring text, carry cumulative values.

How a carried lũy kế becomes this report's (docs/templates.md, "Lũy kế"):
- the periods follow each other (month 4 → month 5): cumulative = previous cumulative + this period; `carried`
  holds the previous cumulative under the cumulative key;
- the previous period is the start of this one (first 5 months → first 6 months, H1 → year): this period
  already contains the previous one, so cumulative = previous cumulative − previous this-period + this period;
  `carried` then also holds the previous this-period value, under the this-period key;
- anything else (a gap, an overlap that does not share the start): nothing is carried, the officer types it.
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal

from nq57desk.report.check import carried_keys
from nq57desk.report.derive import ReportEnv
from nq57desk.templates.model import TableBlock, Template
from nq57desk.vn import to_plain


def carry_forward(tpl: Template, prev: dict, new: dict) -> dict:
    """New document for the next period: text, lists, records and free rows copied; this-period figures
    cleared; each cumulative (lũy kế) value of the previous report becomes the opening carried into this one."""
    out = copy.deepcopy(new)
    env = ReportEnv(tpl, prev)
    same = prev.get("template", {}).get("id") == tpl.id and prev.get("template", {}).get("version") == tpl.version
    relation = period_relation(prev.get("period") or {}, new["period"])
    carried: dict = {}

    def carry(cum_key, cum, this_key, this):
        if not isinstance(cum, Decimal):
            return
        if relation == "follows":
            carried[cum_key] = to_plain(cum)
        elif relation == "contains" and isinstance(this, Decimal):
            carried[cum_key] = to_plain(cum)
            carried[this_key] = to_plain(this)

    if relation is not None:
        for cum_key, this_key in carried_keys(tpl).items():  # fields, and cells of fixed tables ("tb.row.col")
            carry(cum_key, env.resolve(cum_key), this_key, env.resolve(this_key))
    if same:
        pv = prev.get("values") or {}
        for key, val in pv.items():
            f = tpl.field(key)
            if f is not None:
                if f.type in ("text", "longtext", "choice", "yesno") and not f.cumulative_of:
                    out["values"][key] = val
                continue  # numbers and dates belong to their period
            b = tpl.block(key)
            if isinstance(b, TableBlock) and b.fixed:
                rows = {}
                for rk, cells in (val or {}).items():
                    keep = {ck: cv for ck, cv in cells.items() if b.column(ck) and b.column(ck).type in ("text", "longtext")}
                    rows[rk] = keep
                out["values"][key] = rows
            elif key in out["values"]:
                out["values"][key] = copy.deepcopy(val)
        for k in ("recipients", "signature"):
            out[k] = copy.deepcopy(prev.get(k, out[k]))
        out["header"]["issuer"] = list(prev["header"].get("issuer") or out["header"]["issuer"])
        out["header"]["kinh_gui"] = copy.deepcopy(prev["header"].get("kinh_gui"))
    for key in carried:
        f = tpl.field(key)
        if f is not None and f.cumulative_of:
            out["values"].pop(key, None)  # computed from what is carried, never typed
    out["carried"] = carried
    return out


def period_relation(prev: dict, cur: dict) -> str | None:
    """"follows" (prev ends the day before cur starts), "contains" (cur starts with prev: same start, later
    or equal end) or None (a gap or another overlap: a cumulative cannot be carried exactly)."""
    try:
        ps, pe = dt.date.fromisoformat(prev["start"]), dt.date.fromisoformat(prev["end"])
        cs, ce = dt.date.fromisoformat(cur["start"]), dt.date.fromisoformat(cur["end"])
    except (KeyError, TypeError, ValueError):
        return None
    if pe + dt.timedelta(days=1) == cs:
        return "follows"
    if ps == cs and pe <= ce:
        return "contains"
    return None
