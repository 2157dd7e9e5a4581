"""A report dated by month only ("2026-05"): the day is left blank and written by hand when it is signed."""

import pytest

from nq57desk.render.text import report_text
from nq57desk.render.tree import appendix_note
from nq57desk.report.document import loads
from nq57desk.templates import Registry
from nq57desk.validation import validate
from nq57desk.vn import GAP, date_line
from tests.conftest import REPORTS


@pytest.mark.parametrize("value, line", [
    ("2026-05", f"Tân Cương, ngày{GAP}tháng 5 năm 2026"),
    ("2026-01", f"Tân Cương, ngày{GAP}tháng 01 năm 2026"),  # months 1 and 2 keep the leading zero
    ("2026-02", f"Tân Cương, ngày{GAP}tháng 02 năm 2026"),
    ("2026-12", f"Tân Cương, ngày{GAP}tháng 12 năm 2026"),
    ("2026-05-26", "Tân Cương, ngày 26 tháng 5 năm 2026"),
    (None, f"Tân Cương, ngày{GAP}tháng{GAP}năm 2026"),
])
def test_date_line(value, line):
    assert date_line("Tân Cương", value, 2026) == line


def test_seed_002_is_dated_may_2026_with_the_day_blank():
    doc = loads((REPORTS / "002_tan_cuong.json").read_bytes())
    assert doc["header"]["date"] == "2026-05"
    tpl = Registry().get("tw-de-cuong")
    assert f"Tân Cương, ngày{GAP}tháng 5 năm 2026" in report_text(tpl, doc)
    assert f"ngày {GAP}/5/2026 của UBND xã Tân Cương)" in appendix_note(doc)


def test_month_before_the_period_is_warned():
    doc = loads((REPORTS / "002_tan_cuong.json").read_bytes())
    tpl = Registry().get("tw-de-cuong")
    assert not [f for f in validate(tpl, doc) if f.key == "header.date"]
    doc["period"]["year"] = 2027  # not a valid document any more, but validation must still read the month
    doc["period"]["start"] = "2027-01-01"
    found = [f for f in validate(tpl, doc) if f.key == "header.date"]
    assert found and found[0].message == "Tháng báo cáo 5/2026 trước ngày đầu kỳ báo cáo."
