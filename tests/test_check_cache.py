"""What the live check keeps between runs (section paths, labels, scanned texts) follows every change of the
outline, the period and the text: a kept answer is never a stale one."""
from __future__ import annotations

import pytest

from nq57desk.report import outline as ops
from nq57desk.report.document import context_of, make_period, new_document
from nq57desk.templates import Registry
from nq57desk.templates.model import TextBlock
from nq57desk.templates.numbering import section_paths
from nq57desk.templates.placeholders import fill_placeholders
from nq57desk.validation import periods, validate

COMMUNE = {"code": "05503", "name": "Xã Tân Cương", "province_code": "19", "province_name": "Thái Nguyên"}


@pytest.fixture(scope="module")
def chung():
    return Registry().get("chung")


def _text_block(tpl):
    return next((c, b) for c, b in tpl.blocks() if isinstance(b, TextBlock) and c in {s.key for _a, s in tpl.walk_sections()})


def _stale(tpl, doc) -> list:
    return [f for f in validate(tpl, doc) if f.rule == "period"]


def test_a_renamed_section_is_named_anew_in_the_findings(chung):
    doc = new_document(chung, COMMUNE, make_period("year", 2026))
    where, b = _text_block(ops.shape(chung, doc))
    doc["values"][b.key] = "Kết quả 6 tháng đầu năm 2026 đạt khá."
    (before,) = _stale(chung, doc)
    assert before.where == where
    new = ops.rename(chung, doc, where, "Mục đổi tên để thử")
    (after,) = _stale(chung, new)
    assert "Mục đổi tên để thử" in after.place and "Mục đổi tên để thử" not in before.place
    assert section_paths(ops.shape(chung, new), context_of(new))[where] in after.place


def test_paths_follow_the_report_context_and_are_the_callers_own():
    tpl = Registry().get("hp-6thang")  # titles name the period («Chương trình công tác năm {…}»)
    a = new_document(tpl, COMMUNE, make_period("half", 2026, 1))
    b = new_document(tpl, COMMUNE, make_period("half", 2027, 1))
    pa, pb = section_paths(tpl, context_of(a)), section_paths(tpl, context_of(b))
    assert pa != pb
    for doc, paths in ((a, pa), (b, pb), (a, pa)):
        assert paths == {k: fill_placeholders(v, context_of(doc)) for k, v in section_paths(tpl).items()}
        assert section_paths(tpl, context_of(doc)) == paths
    pa["_head"] = "Phần đầu & kết"  # the editor adds its own page: the next caller must not see it
    assert "_head" not in section_paths(tpl, context_of(a))


def test_a_text_is_checked_again_when_it_changes(chung):
    doc = new_document(chung, COMMUNE, make_period("year", 2026))
    _where, b = _text_block(ops.shape(chung, doc))
    doc["values"][b.key] = "Nội dung không nhắc kỳ nào."
    assert _stale(chung, doc) == []
    doc["values"][b.key] = "Trong 6 tháng đầu năm 2026, xã đã làm được nhiều việc."
    assert [f.key for f in _stale(chung, doc)] == [b.key]
    doc["values"][b.key] = "Trong QUÝ I năm 2026 và năm 2026, xã đã làm được nhiều việc."
    assert _stale(chung, doc) == []  # a quarter is no left-over in a year report
    periods._MEMO.clear()  # forgotten texts are scanned again, with the same answer
    doc["values"][b.key] = "Trong 6 tháng đầu năm 2026, xã đã làm được nhiều việc."
    assert [f.key for f in _stale(chung, doc)] == [b.key]


def test_quarter_phrases_in_any_case_are_found():
    quarter = {"kind": "quarter", "year": 2026, "number": 2, "start": "2026-04-01", "end": "2026-06-30"}
    for text in ("Kết quả quý I năm 2026.", "Kết quả Quý I năm 2026.", "KẾT QUẢ QUÝ I NĂM 2026."):
        assert periods.stale_phrases({"period": quarter}, text), text
