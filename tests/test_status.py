"""Only set_status changes a report's status: save_document and import cannot make a report «Hoàn thành» or
«Đã gửi» behind the workflow's back, and an edit that brings errors takes a «Hoàn thành» report back to «Nháp»."""

import json

import pytest

from nq57desk.cli import main
from nq57desk.errors import NQError
from tests.conftest import REPORTS


def _clean_draft(dk):
    rid = dk.create_report("mau-kiem-thu", {"kind": "month", "year": 2026, "number": 4})
    d = dk.document(rid)
    d["values"].update(hs_total=3, hs_trong_ky=2, hs_ky_truoc=1)
    dk.save_document(rid, d)
    return rid


def test_saving_a_sent_status_does_not_send(sample_desk):
    dk = sample_desk
    rid = _clean_draft(dk)
    d = dk.document(rid)
    d["status"] = "sent"
    d["replaces"] = {"revision": 1, "kind": "bổ sung"}
    res = dk.save_document(rid, d)
    assert res.status == "draft" and not res.reopened
    cur = dk.document(rid)
    assert cur["status"] == "draft" and cur["replaces"] is None
    assert not dk.revisions(rid)[0].frozen and dk.report_info(rid).status == "draft"


def test_saving_done_with_errors_does_not_finish(sample_desk):
    dk = sample_desk
    rid = dk.create_report("mau-kiem-thu", {"kind": "month", "year": 2026, "number": 4})
    d = dk.document(rid)
    d["status"] = "done"  # hs_total (required) is still blank
    assert dk.save_document(rid, d).status == "draft"
    assert dk.document(rid)["status"] == "draft"
    with pytest.raises(NQError, match="bắt buộc chưa có số liệu.*«Tổng số hồ sơ tiếp nhận»"):
        dk.set_status(rid, "done")  # a blank required figure is a warning, but keeps the report from «Hoàn thành»


def test_an_edit_with_errors_takes_done_back_to_draft(sample_desk):
    dk = sample_desk
    rid = _clean_draft(dk)
    dk.set_status(rid, "done")
    d = dk.document(rid)
    d["values"]["hs_total"] = 5  # 2 + 1 ≠ 5
    res = dk.save_document(rid, d)
    assert res.reopened and res.status == "draft" and res.new_revision
    assert "Nháp" in res.notice and "lỗi" in res.notice
    assert dk.document(rid)["status"] == "draft" and dk.report_info(rid).status == "draft"
    assert dk.revisions(rid)[0].summary.startswith("Hoàn thành → Nháp vì có lỗi")
    assert dk.revisions(rid)[1].status == "done"  # the done revision before the edit is kept as it was


def test_any_edit_takes_done_back_to_draft_and_says_what_changed(sample_desk):
    """Issue 14: a finished report edited without a trace (number changed, still «Hoàn thành»)."""
    dk = sample_desk
    rid = _clean_draft(dk)
    dk.set_status(rid, "done")
    d = dk.document(rid)
    d["header"]["number"] = "15"
    d["values"]["hs_online"] = 1  # still clean
    res = dk.save_document(rid, d)
    assert res.reopened and res.status == "draft" and res.new_revision
    assert "Nháp" in res.notice and "lỗi" not in res.notice
    revs = dk.revisions(rid)
    assert revs[0].status == "draft" and revs[1].status == "done"
    assert revs[0].summary.startswith("Hoàn thành → Nháp vì đã sửa; Sửa: ")
    assert "số văn bản" in revs[0].summary
    d = dk.document(rid)
    d["header"]["symbol"] = "BC-UBND-2"
    dk.save_document(rid, d)  # the next edit joins that revision; its summary grows, field by field
    s = dk.revisions(rid)[0].summary
    assert s.startswith("Hoàn thành → Nháp vì đã sửa; ") and "số văn bản" in s and "ký hiệu" in s
    dk.set_status(rid, "done")
    assert dk.document(rid)["status"] == "done"
    same = dk.document(rid)
    res = dk.save_document(rid, same)  # nothing changed: stays done
    assert res.status == "done" and not res.reopened


def test_an_edit_after_going_back_to_draft_is_listed(sample_desk):
    """An edit right after «Chuyển về Nháp» gets its own line in the history, not hidden in the status change."""
    dk = sample_desk
    rid = _clean_draft(dk)
    dk.set_status(rid, "done")
    dk.set_status(rid, "draft")
    d = dk.document(rid)
    d["header"]["number"] = "9"
    dk.save_document(rid, d)
    revs = dk.revisions(rid)
    assert revs[0].summary == "Sửa: số văn bản"
    assert revs[1].summary.startswith("Chuyển trạng thái: Hoàn thành → Nháp")


def test_a_replacement_draft_cannot_be_saved_back_to_sent(sample_desk):
    dk = sample_desk
    rid = _clean_draft(dk)
    dk.set_status(rid, "done")
    sent = dk.set_status(rid, "sent")
    d = dk.document(rid)
    d["values"]["hs_online"] = 1
    dk.save_document(rid, d)  # the edit opens a replacement draft
    d = dk.document(rid)
    assert d["status"] == "draft" and d["replaces"] == {"revision": sent.revision, "kind": "thay thế"}
    d["status"], d["replaces"] = "sent", None
    d["values"]["hs_online"] = 2
    res = dk.save_document(rid, d)
    cur = dk.document(rid)
    assert res.status == cur["status"] == "draft"
    assert cur["replaces"] == {"revision": sent.revision, "kind": "thay thế"}
    assert [r.frozen for r in dk.revisions(rid)].count(True) == 1


@pytest.mark.parametrize("status", ["done", "sent"])
def test_import_of_a_finished_document_with_errors_is_stored_as_draft(capsys, data_dir, tmp_path, status):
    doc = json.loads((REPORTS / "000_an_truong.json").read_text(encoding="utf-8"))
    doc["status"] = status
    doc["values"]["tthc_total"] = 380  # 222 + 159 = 381: an error
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    code = main(["--data-dir", str(data_dir), "import", str(bad)])
    out, err = capsys.readouterr()
    assert code == 0 and out.strip().isdigit()
    rid = out.strip()
    assert err.startswith("Cảnh báo: ") and "Nháp" in err and f"validate {rid}" in err, err
    main(["--data-dir", str(data_dir), "list"])
    assert capsys.readouterr()[0].strip().endswith("\tNháp")


def test_import_of_a_clean_done_document_keeps_its_status(capsys, data_dir, tmp_path):
    doc = json.loads((REPORTS / "003_phu_thinh.json").read_text(encoding="utf-8"))
    doc["status"] = "done"
    ok = tmp_path / "ok.json"
    ok.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert main(["--data-dir", str(data_dir), "import", str(ok)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    main(["--data-dir", str(data_dir), "list"])
    assert capsys.readouterr()[0].strip().endswith("\tHoàn thành")


def test_restoring_content_with_errors_takes_done_back_to_draft(sample_desk, monkeypatch):
    import nq57desk.services.desk as services

    monkeypatch.setattr(services, "COALESCE_SECONDS", -1)  # every save its own revision
    dk = sample_desk
    rid = dk.create_report("mau-kiem-thu", {"kind": "month", "year": 2026, "number": 4})  # revision 1: blank
    d = dk.document(rid)
    d["values"].update(hs_total=3, hs_trong_ky=2, hs_ky_truoc=1)
    dk.save_document(rid, d)
    dk.set_status(rid, "done")
    assert dk.document(rid)["status"] == "done"
    res = dk.restore_revision(rid, 1)  # the blank content misses a required figure
    assert res.reopened and res.status == "draft" and "Nháp" in res.notice
    assert dk.document(rid)["status"] == "draft"


def test_edits_right_after_creating_are_listed_in_the_history(sample_desk):
    """Issue 14's walkthrough: a new report edited for ten minutes showed only «Tạo mới» in its history."""
    dk = sample_desk
    rid = dk.create_report("mau-kiem-thu", {"kind": "month", "year": 2026, "number": 4})
    d = dk.document(rid)
    d["header"]["number"] = "12"
    dk.save_document(rid, d)
    d["values"]["hs_total"] = 3
    dk.save_document(rid, d)
    (rev,) = dk.revisions(rid)
    assert rev.summary.startswith("Tạo mới; Sửa: số văn bản, ") and "Tổng số hồ sơ tiếp nhận" in rev.summary
