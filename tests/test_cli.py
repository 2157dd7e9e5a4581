"""The command line: outputs, exit codes, Vietnamese messages, and nothing written when input is refused."""

import json
import sqlite3
import subprocess
import sys

import pytest

from nq57desk.cli import main
from tests.conftest import REPORTS


def run(capsys, data_dir, *args):
    code = main(["--data-dir", str(data_dir), *args])
    out, err = capsys.readouterr()
    return code, out, err


def counts(data_dir):
    con = sqlite3.connect(data_dir / "nq57desk.db")
    try:
        return tuple(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("report", "revision", "profile"))
    finally:
        con.close()


def test_templates_lists_id_version_title(capsys, data_dir):
    code, out, _ = run(capsys, data_dir, "templates")
    assert code == 0
    rows = [line.split("\t") for line in out.splitlines()]
    assert {r[0] for r in rows} >= {"chung", "hp-6thang", "tw-de-cuong", "tn-tien-do-thang"}
    assert all(len(r) == 3 and r[1].isdigit() for r in rows)


def test_import_list_dump_validate(capsys, data_dir, tmp_path):
    src = REPORTS / "003_phu_thinh.json"
    code, out, _ = run(capsys, data_dir, "import", str(src))
    assert code == 0 and out.strip().isdigit()
    rid = out.strip()
    code, out, _ = run(capsys, data_dir, "list")
    assert out.strip().split("\t") == [rid, "05800", "Xã Phú Thịnh", "tháng 4/2026", "tn-tien-do-thang", "Nháp"]
    dest = tmp_path / "out.json"
    assert run(capsys, data_dir, "dump", rid, "-o", str(dest))[0] == 0
    assert dest.read_bytes() == src.read_bytes()
    code, out, _ = run(capsys, data_dir, "validate", rid)
    assert code == 0
    for line in out.splitlines():
        sev, place, msg = line.split("\t")
        assert sev == "Cảnh báo" and place and msg


def test_validate_exit_1_on_errors(capsys, data_dir, tmp_path):
    doc = json.loads((REPORTS / "000_an_truong.json").read_text(encoding="utf-8"))
    doc["values"]["tthc_total"] = 380  # 222 + 159 = 381
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    code, out, _ = run(capsys, data_dir, "import", str(bad))
    code, out, _ = run(capsys, data_dir, "validate", out.strip())
    assert code == 1 and any(line.startswith("Lỗi\t") for line in out.splitlines())


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def _mutate(path, tmp_path, fn):
    doc = json.loads(path.read_text(encoding="utf-8"))
    fn(doc)
    out = tmp_path / "m.json"
    out.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return out


@pytest.mark.parametrize("make, words", [
    (lambda p, t: _write(t / "x.json", '{"format": "nq57-report/1", '), "JSON hỏng"),
    (lambda p, t: _mutate(p, t, lambda d: d["template"].update(id="khong-co")), "khong-co"),
    (lambda p, t: _mutate(p, t, lambda d: d["values"].update(tthc_total="nhiều")), "số nguyên"),
    (lambda p, t: _mutate(p, t, lambda d: d["commune"].pop("code")), "mã xã"),
    (lambda p, t: _mutate(p, t, lambda d: d["commune"].update(code="99999")), "99999"),
    (lambda p, t: _mutate(p, t, lambda d: d["values"].update(khong_co_truong=1)), "khong_co_truong"),
    (lambda p, t: _mutate(p, t, lambda d: d["period"].update(number=13)), "period.number"),
    (lambda p, t: t / "khong-ton-tai.json", "không đọc/ghi được"),
])
def test_refused_import_exit_2_and_database_unchanged(capsys, data_dir, tmp_path, make, words):
    run(capsys, data_dir, "import", str(REPORTS / "002_tan_cuong.json"))
    before = counts(data_dir)
    bad = make(REPORTS / "000_an_truong.json", tmp_path)
    code, out, err = run(capsys, data_dir, "import", str(bad))
    assert code == 2 and out == ""
    assert err.startswith("Lỗi: ") and words in err, err
    assert "Traceback" not in err
    assert counts(data_dir) == before


def test_usage_errors_are_vietnamese(capsys, data_dir):
    code, _, err = run(capsys, data_dir, "dump")
    assert code == 2 and "thiếu tham số" in err
    code, _, err = run(capsys, data_dir, "validate", "abc")
    assert code == 2 and "không phải số nguyên" in err
    code, _, err = run(capsys, data_dir, "validate", "999")
    assert code == 2 and "Không có báo cáo số 999" in err


def test_version_and_entry_point(tmp_path):
    res = subprocess.run([sys.executable, "-m", "nq57desk", "--version"], capture_output=True, text=True)
    assert res.returncode == 0 and res.stdout.startswith("nq57desk ")


def test_import_template_from_usb(capsys, data_dir, tmp_path):
    from tests.conftest import FIXTURES

    code, out, _ = run(capsys, data_dir, "templates", "--import", str(FIXTURES / "templates" / "rules_sample.yaml"))
    assert code == 0 and out.startswith("mau-kiem-thu\t1\t")
    code, out, _ = run(capsys, data_dir, "templates")
    assert "mau-kiem-thu" in out
    broken = tmp_path / "hong.yaml"
    broken.write_text("format: nq57-template/1\nid: x\nversion: 1\n", encoding="utf-8")
    code, _, err = run(capsys, data_dir, "templates", "--import", str(broken))
    assert code == 2 and "hong.yaml" in err and "sections" in err


def test_dump_into_a_missing_folder_is_refused_not_created(capsys, data_dir, tmp_path):
    code, out, _ = run(capsys, data_dir, "import", str(REPORTS / "003_phu_thinh.json"))
    rid = out.strip()
    missing = tmp_path / "khong-co" / "con"
    code, out, err = run(capsys, data_dir, "dump", rid, "-o", str(missing / "f.json"))
    assert code == 2 and out == ""
    assert err.startswith("Lỗi: Không ghi được tệp f.json") and "không có" in err, err
    assert not (tmp_path / "khong-co").exists()
    afile = tmp_path / "tep"
    afile.write_text("x", encoding="utf-8")
    code, _, err = run(capsys, data_dir, "dump", rid, "-o", str(afile / "f.json"))
    assert code == 2 and "không phải là thư mục" in err


def test_validate_marks_an_explained_error_and_exits_0_when_all_are(capsys, data_dir, tmp_path):
    """An error the officer explained (giải trình) is shown with its explanation; it no longer blocks."""
    from nq57desk.templates import Registry
    from nq57desk.validation import validate

    doc = json.loads((REPORTS / "000_an_truong.json").read_text(encoding="utf-8"))
    doc["values"]["tthc_total"] = 380  # 222 + 159 = 381
    tpl = Registry().get(doc["template"]["id"], doc["template"]["version"])
    err = next(f for f in validate(tpl, doc) if f.severity == "error")
    doc["explanations"] = [{"key": err.key, "rule": err.rule, "text": "Số 380 theo Quyết định công bố của tỉnh."}]
    bad = tmp_path / "explained.json"
    bad.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    code, out, _ = run(capsys, data_dir, "import", str(bad))
    code, out, _ = run(capsys, data_dir, "validate", out.strip())
    lines = [line for line in out.splitlines() if line.startswith("Lỗi\t")]
    assert code == 0 and lines
    assert all(line.endswith("(đã giải trình: Số 380 theo Quyết định công bố của tỉnh.)") for line in lines)
