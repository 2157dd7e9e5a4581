"""Issue 13: a report with errors prints as a draft (DOCX, PDF), but goes to the upper level only when every error is
fixed or has a giải trình; the bundle carries the explanations and the upper level counts them."""

from __future__ import annotations

import json
import zipfile

import openpyxl
import pytest

from nq57desk.cli import main
from nq57desk.errors import NQError
from nq57desk.services import Desk
from nq57desk.validation import blocking, error_count
from tests.conftest import REPORTS

WHY = "Số liệu thủ tục lấy từ Cổng dịch vụ công tỉnh ngày 16/5; phần chênh là thủ tục liên thông cấp huyện cũ."


def run(capsys, data_dir, *args):
    code = main(["--data-dir", str(data_dir), *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def with_errors(tmp_path):
    """Tân Cương's report with procedures counted twice: parts (2 + 2 + 1) above the total (3)."""
    doc = json.loads((REPORTS / "002_tan_cuong.json").read_text(encoding="utf-8"))
    doc["values"].update(tthc_total=3, tthc_toan_trinh=2, tthc_mot_phan=2, tthc_khong_tt=1)
    p = tmp_path / "loi.json"
    p.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return p


def _docx_text(path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("word/") and n.endswith(".xml"))


def test_a_report_with_errors_prints_as_a_draft_but_goes_up_only_explained(capsys, data_dir, tmp_path, with_errors):
    code, out, _ = run(capsys, data_dir, "import", str(with_errors))
    rid = out.strip()
    desk = Desk(data_dir)
    try:
        findings = desk.validate(int(rid))
        doc = desk.document(int(rid))
        errors = blocking(findings, doc)
        assert errors and any(f.rule == "sum" and f.key.startswith("tthc_") for f in errors)
        # the service exports the DOCX of a report with errors, and refuses the bundle, naming the error
        desk.export_docx(int(rid), tmp_path / "s.docx")
        assert "DỰ THẢO" in _docx_text(tmp_path / "s.docx")
        with pytest.raises(NQError, match="chưa giải trình.*Các phần"):
            desk.export_xlsx(int(rid), tmp_path / "s.xlsx")
        assert not (tmp_path / "s.xlsx").exists()
    finally:
        desk.close()
    # the command line: DOCX and PDF exit 0 with a note, the bundle and the package exit 1 naming the errors
    code, out, err = run(capsys, data_dir, "export", rid, "--docx", str(tmp_path / "a.docx"), "--pdf",
                         str(tmp_path / "a.pdf"))
    assert code == 0, err
    assert f"còn {len(errors)} lỗi" in err and "dự thảo" in err
    assert "DỰ THẢO" in _docx_text(tmp_path / "a.docx")
    assert (tmp_path / "a.pdf").read_bytes().startswith(b"%PDF")
    for opt, target in (("--xlsx", tmp_path / "a.xlsx"), ("--package", tmp_path / "goi")):
        code, out, err = run(capsys, data_dir, "export", rid, opt, str(target))
        assert code == 1 and "chưa giải trình" in err and "Các phần" in err, err
        assert not target.exists()

    # explain every error (in the document: dump, add, import as the officer's other computer would)
    dump = tmp_path / "d.json"
    assert run(capsys, data_dir, "dump", rid, "-o", str(dump))[0] == 0
    d = json.loads(dump.read_text(encoding="utf-8"))
    d["explanations"] = [{"key": f.key, "rule": f.rule, "text": f"{WHY} ({i})"} for i, f in enumerate(errors)]
    dump.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    code, out, _ = run(capsys, data_dir, "import", str(dump))
    rid2 = out.strip()
    code, out, err = run(capsys, data_dir, "export", rid2, "--xlsx", str(tmp_path / "b.xlsx"))
    assert code == 0, err
    # the bundle shows the explanations on its «Kiểm tra» sheet and keeps them in the machine-readable part
    wb = openpyxl.load_workbook(tmp_path / "b.xlsx")
    rows = [[c for c in r if c is not None] for r in wb["Kiểm tra"].iter_rows(values_only=True)]
    explained = [r for r in rows if any(isinstance(c, str) and c.startswith(WHY) for c in r)]
    assert len(explained) == len(errors)
    assert all("Lỗi (đã giải trình)" in r for r in explained)
    # a blank part is not reported: the not-offered-online procedures of the golden report are blank, no finding
    from nq57desk.bundle.reader import read_bundle
    from nq57desk.templates import Registry

    res = read_bundle(tmp_path / "b.xlsx", Registry())
    assert [e["text"] for e in res.doc["explanations"]] == [f"{WHY} ({i})" for i in range(len(errors))]

    # the upper level imports it and says, beside the commune, how many errors are explained
    up_dir = tmp_path / "upper"
    code, out, err = run(capsys, up_dir, "aggregate", str(tmp_path / "b.xlsx"), "-o", str(tmp_path / "th.xlsx"))
    assert code == 1 and "chờ xác nhận" in out, out + err  # a commune's first bundle: its key is read over the phone
    code, out, err = run(capsys, up_dir, "keys", "--confirm", "05503")
    assert code == 0, out + err
    code, out, err = run(capsys, up_dir, "aggregate", str(tmp_path / "b.xlsx"), "-o", str(tmp_path / "th.xlsx"))
    assert code == 0, out + err  # the same bundle again: nothing new, the workbook now counts the commune
    up = Desk(up_dir)
    try:
        rows = up.upper().completeness("tw-de-cuong", res.key[2], "19")
        tc = next(c for c in rows if c.code == res.doc["commune"]["code"])
        assert tc.errors == tc.explained == len(errors)
        assert tc.status != "errors" and f"{len(errors)} lỗi đã giải trình" in tc.note
        from nq57desk.upper import completeness_line

        assert "1 xã có lỗi đã giải trình" in completeness_line(rows)
    finally:
        up.close()
    wb = openpyxl.load_workbook(tmp_path / "th.xlsx")
    sheet = next(ws for ws in wb.worksheets if ws["A1"].value == "TÌNH HÌNH NỘP BÁO CÁO CỦA CÁC XÃ")
    grid = [list(r) for r in sheet.iter_rows(values_only=True)]
    head = next(r for r in grid if "Lỗi đã giải trình" in r)
    col = head.index("Lỗi đã giải trình")
    line = next(r for r in grid if res.doc["commune"]["code"] in r)
    assert line[col] == len(errors)


def test_done_waits_for_explanations_and_blank_required(sample_desk):
    """«Hoàn thành» is refused while an error has no giải trình, accepted once it has one."""
    dk = sample_desk
    rid = dk.create_report("mau-kiem-thu", {"kind": "month", "year": 2026, "number": 4})
    d = dk.document(rid)
    d["values"].update(hs_total=14744, hs_ky_truoc=22, hs_trong_ky=14722, hs_online=14706, kinh_phi=60807000,
                       ty_le_so_hoa=99.97, diem=19.78, ngay_chot="2026-04-20", muc_do="Hoàn thành", nv_xong_bao_cao=0)
    d["recipients"] = ["Sở Khoa học và Công nghệ;", "Lưu: VT."]
    d["signature"]["name"] = "Nguyễn Văn A"
    d["values"]["hs_total"] = 14745  # 22 + 14722 = 14744
    dk.save_document(rid, d)
    f = next(x for x in dk.validate(rid) if x.severity == "error")
    with pytest.raises(NQError, match="chưa giải trình"):
        dk.set_status(rid, "done")
    d = dk.document(rid)
    d["explanations"] = [{"key": f.key, "rule": f.rule, "text": "Có 1 hồ sơ nộp trùng đã rút."}]
    dk.save_document(rid, d)
    assert error_count(dk.validate(rid)) == 1  # still listed
    dk.set_status(rid, "done")
    assert dk.document(rid)["status"] == "done"
    # removing the explanation takes «Hoàn thành» back to «Nháp» (an edit that brings a blocking error)
    d = dk.document(rid)
    d.pop("explanations")
    assert dk.save_document(rid, d).reopened
