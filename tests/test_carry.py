"""Lũy kế carried from the previous report: added when the periods follow, not counted twice when this
period already contains the previous one (the first 5 months inside the first 6)."""

import pytest

from nq57desk.report.carry import period_relation
from nq57desk.report.derive import ReportEnv, derived_values
from nq57desk.report.document import make_period
from tests.conftest import REPORTS


def _cell(desk, rid, doc, table, row, col):
    tpl = desk.template_of(rid)
    return ReportEnv(tpl, doc).cell(tpl.table(table), row, col)


def test_first_six_months_do_not_count_the_first_five_twice(desk):
    desk.import_report((REPORTS / "002_tan_cuong.json").read_bytes())  # 5 months: 3199 this period, 8452 lũy kế
    desk.save_profile({"commune_code": "05503"})
    nid = desk.create_report("tw-de-cuong", {"kind": "months", "year": 2026, "number": 6}, from_previous=True)
    n = desk.document(nid)
    assert n["carried"]["pl4_ho_so.cap_xa.tt_luy_ke"] == 8452
    assert n["carried"]["pl4_ho_so.cap_xa.tt_ky"] == 3199  # the previous this-period travels with it
    n["values"]["pl4_ho_so"]["cap_xa"]["tt_ky"] = 3800
    assert _cell(desk, nid, n, "pl4_ho_so", "cap_xa", "tt_luy_ke") == 8452 + (3800 - 3199) == 9053
    prev_tv, prev_cum = n["carried"]["tap_huan_tv"], n["carried"]["tap_huan_luy_ke"]
    assert "tap_huan_tv" in n["values"] and n["values"]["tap_huan_tv"] is None  # typed again for the new period
    n["values"]["tap_huan_tv"] = prev_tv + 40
    assert derived_values(desk.template_of(nid), n)["tap_huan_luy_ke"] == prev_cum + 40
    desk.save_document(nid, n)
    assert _cell(desk, nid, desk.document(nid), "pl4_ho_so", "cap_xa", "tt_luy_ke") == 9053
    assert not [f for f in desk.validate(nid) if f.severity == "error" and "lũy kế" in f.message.lower()]


def test_following_periods_add_this_period(sample_desk):
    dk = sample_desk
    rid = dk.create_report("mau-kiem-thu", {"kind": "month", "year": 2026, "number": 4})
    d = dk.document(rid)
    d["values"].update(hs_trong_ky=100, hs_luy_ke=300)
    d["values"]["pl"] = {"xa": {"ky_nay": 40, "luy_ke": 90}}
    dk.save_document(rid, d)
    nid = dk.create_report("mau-kiem-thu", {"kind": "month", "year": 2026, "number": 5}, from_previous=True)
    n = dk.document(nid)
    assert n["carried"] == {"hs_luy_ke": 300, "pl.xa.luy_ke": 90}  # no this-period value: nothing to take off
    n["values"]["hs_trong_ky"] = 50
    n["values"]["pl"]["xa"]["ky_nay"] = 7
    assert derived_values(dk.template_of(nid), n)["hs_luy_ke"] == 350
    assert _cell(dk, nid, n, "pl", "xa", "luy_ke") == 97


def test_a_gap_carries_nothing(sample_desk):
    """Month 2 then month 4: March is missing, so no carried value could be right; the officer types it."""
    dk = sample_desk
    rid = dk.create_report("mau-kiem-thu", {"kind": "month", "year": 2026, "number": 2})
    d = dk.document(rid)
    d["values"].update(hs_trong_ky=100, hs_luy_ke=300)
    dk.save_document(rid, d)
    nid = dk.create_report("mau-kiem-thu", {"kind": "month", "year": 2026, "number": 4}, from_previous=True)
    n = dk.document(nid)
    assert n["carried"] == {} and "hs_luy_ke" in n["values"]


@pytest.mark.parametrize("prev, cur, want", [
    (make_period("month", 2026, 4), make_period("month", 2026, 5), "follows"),
    (make_period("month", 2026, 12), make_period("month", 2027, 1), "follows"),
    (make_period("months", 2026, 5), make_period("months", 2026, 6), "contains"),
    (make_period("half", 2026, 1), make_period("year", 2026), "contains"),
    (make_period("quarter", 2026, 1), make_period("month", 2026, 4), "follows"),
    (make_period("year", 2026), make_period("months", 2027, 3), "follows"),
    (make_period("months", 2026, 9), make_period("months", 2027, 5), None),  # Oct–Dec missing
    (make_period("month", 2026, 5), make_period("half", 2026, 1), None),  # inside, but not at the start
    (make_period("month", 2026, 2), make_period("month", 2026, 4), None),
])
def test_period_relation(prev, cur, want):
    assert period_relation(prev, cur) == want
