"""A rate the report states by hand is checked against the rate its own counts give (DOMAIN.md §1, §1b: "12534/12555
hồ sơ, đạt 99,99%" is 99,83%; 98,3% written for 98,36%)."""

from __future__ import annotations

import pytest

from nq57desk.errors import DocumentError
from nq57desk.report import outline as ops
from nq57desk.report.document import check_document, make_period, new_document
from nq57desk.templates import Registry
from nq57desk.validation import validate


def _doc():
    tpl = Registry().get("chung")
    doc = new_document(tpl, {"code": "11635", "name": "Xã An Trường", "province_code": "31",
                             "province_name": "Thành phố Hải Phòng"}, make_period("half", 2026, 1))
    doc, key = ops.add_block(tpl, doc, "ket_qua", {
        "type": "fields", "label": "Thanh toán trực tuyến", "indicators": ["hs.payment.total", "hs.payment.online"],
        "stated": ["hs.payment.online.rate"]})
    by = {f.indicator or f.stated_of: f.key for f in ops.shape(tpl, doc).block(key).fields}
    return tpl, doc, by


@pytest.mark.parametrize("online, total, stated, wrong", [
    (12534, 12555, 99.99, True),   # An Trường's real mistake
    (12534, 12555, 99.83, False),
    (12534, 12555, 99.8, False),   # written with one decimal: 99,83 rounds to 99,8
    (1475, 1500, 98.3, False),     # 98,33 written 98,3 is right …
    (14754, 15000, 98.3, True),    # … 98,36 written 98,3 is not (it rounds to 98,4)
    (12534, 12555, None, False),   # not stated: nothing to check
    (None, 12555, 99.99, False),   # a blank count: no rate to compare
])
def test_stated_rate_against_the_counts(online, total, stated, wrong):
    tpl, doc, by = _doc()
    rate_key = next(k for k in by.values() if k.endswith("__ghi"))
    doc["values"].update({by["hs.payment.online"]: online, by["hs.payment.total"]: total, rate_key: stated})
    check_document(doc, tpl)
    found = [f for f in validate(tpl, doc) if f.rule == "stated"]
    assert bool(found) == wrong, found
    if wrong and online == 12534:
        assert found[0].message == ("Báo cáo ghi 99,99% nhưng theo số liệu 12.534/12.555 = 99,83%: sửa lại tỷ lệ "
                                    "ghi hoặc các số.")


def test_stated_needs_a_rate_of_the_group():
    tpl = Registry().get("chung")
    doc = new_document(tpl, {"code": "11635", "name": "Xã An Trường", "province_code": "31",
                             "province_name": "Thành phố Hải Phòng"}, make_period("half", 2026, 1))
    with pytest.raises(DocumentError, match="stated"):
        ops.add_block(tpl, doc, "ket_qua", {"type": "fields", "indicators": ["hs.payment.total"],
                                            "stated": ["hs.payment.total"]})
