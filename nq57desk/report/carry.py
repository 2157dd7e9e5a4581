"""Start a report from the previous period's: keep structure and recurring text, carry cumulative values."""

from __future__ import annotations

import copy
from decimal import Decimal

from nq57desk.report.derive import ReportEnv
from nq57desk.templates.model import FieldsBlock, TableBlock, Template
from nq57desk.vn import to_plain


def carry_forward(tpl: Template, prev: dict, new: dict) -> dict:
    """New document for the next period: text, lists, records and free rows copied; this-period figures
    cleared; each cumulative (lũy kế) value of the previous report becomes the opening carried into this one."""
    out = copy.deepcopy(new)
    env = ReportEnv(tpl, prev)
    same = prev.get("template", {}).get("id") == tpl.id and prev.get("template", {}).get("version") == tpl.version
    carried: dict = {}
    for _ckey, b in tpl.blocks():
        if isinstance(b, FieldsBlock):
            for f in b.fields:
                if f.cumulative_of:
                    v = env.resolve(f.key)
                    if isinstance(v, Decimal):
                        carried[f.key] = to_plain(v)
        elif isinstance(b, TableBlock) and b.fixed:
            for r in b.data_rows():
                for c in b.columns:
                    if c.cumulative_of:
                        v = env.cell(b, r.key, c.key)
                        if isinstance(v, Decimal):
                            carried[f"{b.key}.{r.key}.{c.key}"] = to_plain(v)
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
    for key in list(carried):
        if "." not in key:
            out["values"].pop(key, None)
    out["carried"] = carried
    return out
