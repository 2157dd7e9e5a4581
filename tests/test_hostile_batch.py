"""One bad input never stops a batch (issue 15): whatever a file holds, it becomes a «bị từ chối» line with a
Vietnamese reason, the good files of the same batch are stored, the exit code is never 3 for a file's content, and
a dry run writes nothing anywhere."""

from __future__ import annotations

import json
import sqlite3
import sys
import unicodedata
from pathlib import Path

import openpyxl
import pytest

from nq57desk.bundle.format import K_JSON, SHEET_DATA
from nq57desk.bundle.package import MANIFEST
from nq57desk.bundle.writer import write_bundle
from nq57desk.units import communes
from tests.hostile import EXPORTED, TEST_KEY, golden, write_golden

CODES = [u.code for u in communes("19")[:4]]


def _cli(capsys, data_dir, *args):
    from nq57desk.cli import main

    code = main(["--data-dir", str(data_dir), *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def stored(data_dir: Path) -> list[str]:
    con = sqlite3.connect(data_dir / "nq57.db") if (data_dir / "nq57.db").exists() else None
    if con is None:
        from nq57desk import settings

        con = sqlite3.connect(settings.db_path(data_dir))
    try:
        return sorted(r[0] for r in con.execute("SELECT commune_code FROM received"))
    finally:
        con.close()


def _deep(n: int = 5_000) -> bytes:
    return ("[" * n + "]" * n).encode()


def _trusting(data_dir: Path) -> Path:
    """An upper level that already has the test communes' keys (the province's registry file)."""
    from nq57desk.services import Desk
    from tests.helpers.keys import trust

    d = Desk(data_dir)
    try:
        trust(d, *CODES)
    finally:
        d.close()
    return data_dir


def _big_number_bundle(path: Path, code: str) -> Path:
    """The hidden JSON given a 5,000-digit integer, every hash recomputed and signed again with the commune's key,
    saved with openpyxl (as a compromised commune PC would: a signed bundle still gets a bounded reading)."""
    from tests.helpers.keys import rehash

    write_golden(path, code=code)
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET_DATA]
    chunks = [r for r in ws.iter_rows() if r[0].value == K_JSON]
    text = "".join(r[1].value for r in chunks)
    text = '{"x": ' + "9" * 5_000 + "," + text[1:]
    chunks[0][1].value = text[: len(text) - sum(len(r[1].value) for r in chunks[1:])]
    rehash(wb, key=TEST_KEY)
    wb.save(path)
    return path


def test_a_deep_manifest_a_huge_number_and_a_crashing_file_do_not_stop_the_batch(capsys, tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    write_golden(inbox / "a" / "NQ57_a.xlsx", code=CODES[0])
    pkg = inbox / "b"
    write_golden(pkg / "NQ57_b.xlsx", code=CODES[1])
    (pkg / MANIFEST).write_bytes(_deep())  # 5,000 levels: was a RecursionError and exit 3 for the whole batch
    _big_number_bundle(inbox / "c" / "NQ57_c.xlsx", CODES[2])
    write_golden(inbox / "d" / "NQ57_d.xlsx", code=CODES[3])
    out = tmp_path / "tong_hop.xlsx"
    data = _trusting(tmp_path / "data")
    code, text, err = _cli(capsys, data, "aggregate", inbox, "-o", out)
    assert code == 1, err
    bad = [ln for ln in text.splitlines() if "NQ57_c.xlsx" in ln]
    assert bad and bad[0].startswith("Từ chối") and "5.000 chữ số" in bad[0]
    assert stored(data) == sorted([CODES[0], CODES[1], CODES[3]])
    assert out.is_file()


def test_an_unexpected_fault_reading_one_file_is_that_file_s_line(capsys, tmp_path, monkeypatch):
    import nq57desk.aggregate.collect  # noqa: F401 - the module, not the function aggregate/__init__ exports

    collect = sys.modules["nq57desk.aggregate.collect"]
    inbox = tmp_path / "inbox"
    write_golden(inbox / "NQ57_1.xlsx", code=CODES[0])
    write_golden(inbox / "NQ57_2.xlsx", code=CODES[1])
    real = collect.read_bundle

    def flaky(path, registry, **kw):
        if str(path).endswith("NQ57_1.xlsx"):
            raise RecursionError("maximum recursion depth exceeded")
        return real(path, registry, **kw)

    monkeypatch.setattr(collect, "read_bundle", flaky)
    data = _trusting(tmp_path / "data")
    code, text, err = _cli(capsys, data, "aggregate", inbox, "-o", tmp_path / "t.xlsx")
    assert code == 1 and "Lỗi không mong muốn" not in err
    assert any(ln.startswith("Từ chối") and "NQ57_1.xlsx" in ln and "lồng quá sâu" in ln for ln in text.splitlines())
    assert stored(data) == [CODES[1]]


def test_a_dry_run_writes_nothing_anywhere_even_for_a_hostile_package(capsys, tmp_path):
    inbox = tmp_path / "inbox"
    write_golden(inbox / "NQ57_1.xlsx", code=CODES[0])
    (inbox / MANIFEST).write_bytes(_deep())
    data = tmp_path / "moi"  # a new data folder
    code, text, err = _cli(capsys, data, "aggregate", inbox, "-o", tmp_path / "t.xlsx", "--dry-run")
    assert code in (0, 1), err
    assert not data.exists() and not (tmp_path / "t.xlsx").exists()
    assert "Chạy thử" in text


def test_a_huge_number_in_a_report_to_import_is_a_refusal(capsys, tmp_path):
    _reg, _tpl, doc = golden()
    text = json.dumps(doc, ensure_ascii=False)
    f = tmp_path / "bc.json"
    f.write_text('{"x": ' + "1" * 5_000 + "," + text[1:], encoding="utf-8")
    code, _out, err = _cli(capsys, tmp_path / "data", "import", f)
    assert code == 2 and "5.000 chữ số" in err and "Lỗi không mong muốn" not in err
    f.write_bytes(_deep())
    code, _out, err = _cli(capsys, tmp_path / "data", "import", f)
    assert code == 2 and "lồng quá sâu" in err


def _nfd(v):
    if isinstance(v, str):
        return unicodedata.normalize("NFD", v)
    if isinstance(v, dict):
        return {_nfd(k): _nfd(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_nfd(x) for x in v]
    return v


def test_an_nfd_bundle_of_the_same_report_is_a_duplicate_not_a_conflict(capsys, tmp_path):
    _reg, tpl, doc = golden(code=CODES[0])
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_bundle(tpl, doc, inbox / "NQ57_nfc.xlsx", app_version="0.1.0-test", exported_at=EXPORTED, key=TEST_KEY)
    d = _nfd(doc)
    assert d != doc
    write_bundle(tpl, d, inbox / "NQ57_nfd.xlsx", app_version="0.1.0-test", exported_at=EXPORTED, key=TEST_KEY)
    data = _trusting(tmp_path / "data")
    code, text, err = _cli(capsys, data, "aggregate", inbox, "-o", tmp_path / "t.xlsx")
    assert code == 0, text + err
    assert any("NQ57_nfd.xlsx" in ln and "không có gì mới" in ln for ln in text.splitlines()), text
    assert stored(data) == [CODES[0]]


@pytest.mark.parametrize("bad", ["\ufffe", "\uffff", "\x01"])
def test_text_xml_cannot_carry_is_refused_at_import_naming_the_place(capsys, tmp_path, bad):
    _reg, _tpl, doc = golden()
    key = next(k for k, v in doc["values"].items() if isinstance(v, str) and v)
    doc["values"][key] = doc["values"][key] + bad
    f = tmp_path / "bc.json"
    f.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    code, _out, err = _cli(capsys, tmp_path / "data", "import", f)
    assert code == 2, err
    assert key in err and f"U+{ord(bad):04X}" in err


def test_leftovers_of_killed_writes_are_cleaned_at_the_next_run(tmp_path):
    import os
    import subprocess

    from nq57desk.safety.atomic import atomic_write_bytes, clean_leftovers, temp_name

    out = tmp_path / "tong_hop.xlsx"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    left = out.with_name(temp_name(out).name.replace(f".{os.getpid()}-", f".{pid}-"))  # a killed writer's temp
    left.write_bytes(b"half")
    live = temp_name(out)  # this process is still writing this one
    live.write_bytes(b"going on")
    other = tmp_path / ".~khac.deadbeef.tmp"  # an old-style name (no pid): kept until it is old
    other.write_bytes(b"x")
    atomic_write_bytes(out, b"whole")
    assert out.read_bytes() == b"whole" and not left.exists() and live.exists() and other.exists()
    os.utime(other, (0, 0))
    assert clean_leftovers(tmp_path) == [other]


def test_a_report_holding_u_fffe_from_an_older_version_exports_nothing_half(tmp_path, desk, monkeypatch):
    """Stored before the import refused it: the export says where the character is and leaves neither a DOCX alone
    nor a half package (the local copies are built in a temp folder renamed only when whole)."""
    import copy

    from nq57desk.bundle.package import LOCAL_DIR, export_package
    from nq57desk.errors import DocumentError

    _reg, _tpl, doc = golden()
    rid = desk.import_report(json.dumps(doc, ensure_ascii=False).encode())
    key = next(k for k, v in doc["values"].items() if isinstance(v, str) and v)
    real = desk.document

    def old_version(r):
        d = copy.deepcopy(real(r))
        d["values"][key] += "\ufffe"
        return d

    monkeypatch.setattr(desk, "document", old_version)
    with pytest.raises(DocumentError) as ei:
        export_package(desk, rid, tmp_path / "usb")
    assert "U+FFFE" in str(ei.value) and key in str(ei.value)
    assert not (tmp_path / "usb").exists()
    local = desk.data_dir / LOCAL_DIR
    assert not local.exists() or not any(local.iterdir())
    monkeypatch.setattr(desk, "document", real)
    res = export_package(desk, rid, tmp_path / "usb")  # the same report, clean: the whole package
    assert sorted(p.name for p in (tmp_path / "usb").iterdir()) == sorted([*(f["name"] for f in res.files), MANIFEST])
    assert [p.name for p in local.iterdir()] == [Path(res.local).name]


def test_importing_the_same_report_twice_makes_no_second_report(capsys, tmp_path):
    _reg, _tpl, doc = golden()
    f = tmp_path / "bc.json"
    f.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    data = tmp_path / "data"
    code, out1, _ = _cli(capsys, data, "import", f)
    assert code == 0
    code, out2, err = _cli(capsys, data, "import", f)
    assert code == 0 and out2 == out1 and "đã có trong ứng dụng" in err and f"mã {out1.strip()}" in err
    code, listed, _ = _cli(capsys, data, "list")
    assert len(listed.strip().splitlines()) == 1
