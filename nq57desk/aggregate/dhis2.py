"""Export consolidated figures as a DHIS2 dataValueSet CSV (one row per commune per numeric field).

Columns: dataElement, period, orgUnit, categoryOptionCombo, attributeOptionCombo, value — the CSV shape DHIS2
imports (Data → Import, format CSV). dataElement is the catalogue's DHIS2 code for a field that is a catalogue
indicator (the same code whatever the commune's template: NQ57_TTHC_TOTAL), else the field key; orgUnit is the
official commune code unless maps are given (import with idScheme / orgUnitIdScheme = CODE, or pass UID maps). Periods use DHIS2 notation:
month 202605, quarter 2026Q2, half 2026S1, year 2026; "first N months", cut-off (2025-D1106), custom and unstated
(2026-X) periods have no DHIS2 form and are written as the app's own period code (map them before importing).
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from nq57desk.aggregate.decide import Group, Submission
from nq57desk.aggregate.indicators import numeric_fields
from nq57desk.bundle.format import BundleError, os_problem
from nq57desk.bundle.safefile import atomic_write_bytes
from nq57desk.report.derive import ReportEnv
from nq57desk.report.document import period_code

COLUMNS = ("dataElement", "period", "orgUnit", "categoryOptionCombo", "attributeOptionCombo", "value")


def dhis2_period(p: dict) -> str:
    k, y, n = p["kind"], p["year"], p.get("number")
    if k == "month":
        return f"{y}{n:02d}"
    if k == "quarter":
        return f"{y}Q{n}"
    if k == "half":
        return f"{y}S{n}"
    if k == "year":
        return str(y)
    return period_code(p)


def _value(v, decimals: int | None) -> str | None:
    if v is None or isinstance(v, (bool, str)):
        return None
    d = v if isinstance(v, Decimal) else Decimal(str(v))
    if d == d.to_integral_value():
        return str(d.to_integral_value())
    q = Decimal(1).scaleb(-(decimals if decimals is not None else 4))
    return format(d.quantize(q).normalize(), "f")


def submissions_of(source) -> list[Submission]:
    """The reports a CSV covers: a CollectResult's chosen ones, a Group's, several Groups', or a list of them."""
    if hasattr(source, "chosen"):
        return list(source.chosen.values())
    if isinstance(source, Group):
        return list(source.submissions)
    out: list[Submission] = []
    for x in source:
        out += list(x.submissions) if isinstance(x, Group) else [x]
    return out


def dhis2_rows(source, *, element_map: dict[str, str] | None = None, org_unit_map: dict[str, str] | None = None,
               catalogue=None):
    """The CSV rows (without header) for every report used; blanks are left out (DHIS2 would delete on blank, and a
    figure the commune did not give is not 0). `element_map` (field key → code) overrides the catalogue's codes."""
    from nq57desk.templates.catalogue import default_catalogue

    subs = submissions_of(source)
    if catalogue is None:
        catalogue = next((g.catalogue for g in ([source] if isinstance(source, Group) else source
                                                if isinstance(source, list) else [])
                          if isinstance(g, Group) and g.catalogue is not None), None) or default_catalogue()
    codes = catalogue.by_dhis2()
    for s in sorted(subs, key=lambda s: (s.commune["code"], s.template.id, period_code(s.period))):
        doc = s.doc
        if doc is None:
            raise BundleError("dry_run", "kết quả nhập thử (không giữ báo cáo) không xuất được CSV.")
        env = ReportEnv(s.template, doc)
        period = dhis2_period(s.period)
        org = (org_unit_map or {}).get(s.commune["code"], s.commune["code"])
        seen: set[str] = set()
        for _ckey, f in numeric_fields(s.template):
            val = _value(env.resolve(f.key), f.decimals if f.type != "percent" else (f.decimals if f.decimals is not None else 2))
            if val is None:
                continue
            element = (element_map or {}).get(f.key) or codes.get(f.indicator or "") or f.key
            if element in seen:  # two fields of one template that are the same indicator: the first one counts
                continue
            seen.add(element)
            yield (element, period, org, "", "", val)


def write_dhis2_csv(source, path, *, element_map: dict[str, str] | None = None,
                    org_unit_map: dict[str, str] | None = None, catalogue=None) -> int:
    """Write the CSV atomically (UTF-8, comma-separated, header row); returns the number of data rows."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    n = 0
    for row in dhis2_rows(source, element_map=element_map, org_unit_map=org_unit_map, catalogue=catalogue):
        w.writerow(row)
        n += 1
    try:
        atomic_write_bytes(path, buf.getvalue().encode("utf-8"))
    except OSError as e:
        raise BundleError("write_failed", f"không ghi được tệp CSV: {os_problem(e)[1]}", path) from e
    return n
