# ruff: noqa: F811 - sample_tpl is a fixture imported from tests/test_bundle.py
"""Signed bundles (issue 15): who wrote a bundle, every byte the upper level reads covered, the key registry.

The hostile files are made here as an outside attacker would: the bundle opened with openpyxl, data edited, every
SHA-256 recomputed (tests/helpers/keys.rehash), saved; a manifest or a stored row edited by hand.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
import zipfile
from pathlib import Path

import openpyxl
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from nq57desk.bundle.format import SHEET_DATA, SHEET_FIGURES, BundleError
from nq57desk.bundle.package import bundle_filename, write_package
from nq57desk.bundle.reader import read_bundle
from nq57desk.bundle.signing import check_exported_at, fingerprint, public_key_text
from nq57desk.bundle.writer import write_bundle
from nq57desk.errors import NQError
from nq57desk.services import Desk
from tests.helpers.keys import TEST_KEY, registry_for, rehash, trust
from tests.test_bundle import APP, SAMPLE_YAML, make_doc, registry, sample_tpl  # noqa: F401

ON_TIME = dt.datetime(2026, 6, 5, 9, 30)
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(101, 133)))  # a forger's, or the commune's new PC


@pytest.fixture
def upper_desk(data_dir):
    """An upper level that knows the sample template and has no key registry yet."""
    (data_dir / "templates").mkdir(exist_ok=True)
    (data_dir / "templates" / "thu-nghiem-goi.yaml").write_text(SAMPLE_YAML, encoding="utf-8")
    dk = Desk(data_dir)
    yield dk
    dk.close()


def _bundle(folder: Path, tpl, *, key=TEST_KEY, code="05503", revision=1, when=ON_TIME) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    doc = make_doc(tpl, code, revision=revision)
    p = folder / bundle_filename(doc)
    write_bundle(tpl, doc, p, app_version=APP, key=key, exported_at=when)
    return p


def _edit(path: Path, out: Path, *, figure=None, exported=None, unsign=False, key=None) -> Path:
    """Open, edit, recompute every hash (and sign again with `key` when given), save: the attacker's steps."""
    wb = openpyxl.load_workbook(path)
    data = wb[SHEET_DATA]
    if figure is not None:  # the same figure in the hidden JSON and on the visible «Số liệu» sheet
        cells = [r[1] for r in data.iter_rows() if r[0].value == "json"]
        text = "".join(c.value or "" for c in cells)
        assert '"tthc_total": 120' in text
        for c in cells:
            c.value = ""
        cells[0].value = text.replace('"tthc_total": 120', f'"tthc_total": {figure}')
        for r in data.iter_rows():
            if r[0].value == "json_chunks":
                r[1].value = 1
        row = next(r for r in wb[SHEET_FIGURES].iter_rows(min_row=4) if r[5].value == "tthc_total")
        row[3].value = figure
    for r in data.iter_rows():
        if exported is not None and r[0].value == "exported_at":
            r[1].value = exported
        if unsign and r[0].value in ("public_key", "signature"):
            r[0].value = r[1].value = None
    rehash(wb, key=key)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def _rows(desk) -> list[tuple]:
    con = sqlite3.connect(desk.db_path)
    try:
        return con.execute("SELECT commune_code, revision, public_key IS NOT NULL FROM received ORDER BY id").fetchall()
    finally:
        con.close()


# -- keys ----------------------------------------------------------------------------------------------------------

def test_each_installation_makes_its_key_once_private_and_readable_over_the_phone(data_dir, sample_tpl, tmp_path):
    dk = Desk(data_dir)
    try:
        code = dk.key_fingerprint()
        key_file = data_dir / "khoa-ky-xa.pem"
        assert key_file.is_file() and re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", code)
        if os.name == "posix":
            assert key_file.stat().st_mode & 0o777 == 0o600
        p = _bundle(tmp_path / "out", sample_tpl, key=dk.signing_key())
    finally:
        dk.close()
    dk = Desk(data_dir)
    try:
        assert dk.key_fingerprint() == code  # the same key on the next start
    finally:
        dk.close()
    raw = p.read_bytes()
    with zipfile.ZipFile(p) as z:
        text = b"".join(z.read(n) for n in z.namelist())
    assert b"PRIVATE KEY" not in raw + text and key_file.read_bytes() not in text  # never in a bundle
    assert fingerprint(read_bundle(p, registry_of(data_dir)).signed.public_key) == code


def registry_of(data_dir):
    from nq57desk.templates import Registry

    (data_dir / "templates").mkdir(exist_ok=True)
    (data_dir / "templates" / "thu-nghiem-goi.yaml").write_text(SAMPLE_YAML, encoding="utf-8")
    return Registry([data_dir / "templates"])


def test_backups_carry_the_private_key_and_a_restore_on_a_new_pc_puts_it_back(data_dir, tmp_path):
    from nq57desk.services import restore_from_backup

    dk = Desk(data_dir)
    try:
        dk.save_profile({"commune_code": "05503"})
        code = dk.key_fingerprint()
        usb = dk.backup(tmp_path / "usb.db")
    finally:
        dk.close()
    con = sqlite3.connect(usb)
    assert con.execute("SELECT pem FROM khoa_ky_may").fetchone()[0] == (data_dir / "khoa-ky-xa.pem").read_bytes()
    con.close()
    new_pc = tmp_path / "may-moi"
    new_pc.mkdir()
    restore_from_backup(new_pc, usb)
    assert (new_pc / "khoa-ky-xa.pem").read_bytes() == (data_dir / "khoa-ky-xa.pem").read_bytes()
    if os.name == "posix":
        assert (new_pc / "khoa-ky-xa.pem").stat().st_mode & 0o777 == 0o600
    con = sqlite3.connect(new_pc / "nq57desk.db")  # the key file is its one home in a live folder
    assert not con.execute("SELECT 1 FROM sqlite_master WHERE name = 'khoa_ky_may'").fetchone()
    con.close()
    dk = Desk(new_pc)
    try:
        assert dk.key_fingerprint() == code  # the upper level needs no new confirmation
    finally:
        dk.close()


# -- forgeries -------------------------------------------------------------------------------------------------------

def test_a_forged_bundle_with_every_hash_recomputed_is_refused_by_its_signature(upper_desk, sample_tpl, tmp_path):
    trust(upper_desk, "05503")
    good = _bundle(tmp_path / "in", sample_tpl)
    forged = _edit(good, tmp_path / "forged" / good.name, figure=999)
    with pytest.raises(BundleError) as ei:
        read_bundle(forged, upper_desk.registry)
    assert ei.value.reason == "bad_signature" and "chữ ký không khớp" in str(ei.value)
    res = upper_desk.upper().import_bundles([forged, good])
    assert [(x.status, x.reason) for x in res.lines] == [("rejected", "bad_signature"), ("accepted", "")]
    assert len(_rows(upper_desk)) == 1  # only the genuine one stored
    g = upper_desk.upper().group("thu-nghiem-goi", "2026-T05")
    assert [s.doc["values"]["tthc_total"] for s in g.submissions] == [120]


def test_a_forgery_signed_with_another_key_waits_and_is_not_consolidated(upper_desk, sample_tpl, tmp_path):
    trust(upper_desk, "05503")
    good = _bundle(tmp_path / "in", sample_tpl)
    forged = _edit(good, tmp_path / "forged" / good.name.replace("r1", "r2"), figure=999, key=OTHER_KEY)
    res = upper_desk.upper().import_bundles([forged])
    assert res.lines[0].status == "held" and "khóa lạ — chờ xác nhận" in res.lines[0].message
    assert fingerprint(public_key_text(OTHER_KEY)) in res.lines[0].message and not res.ok
    assert upper_desk.upper().groups() == []


def test_an_unsigned_bundle_is_refused(upper_desk, sample_tpl, tmp_path):
    good = _bundle(tmp_path / "in", sample_tpl)
    bare = _edit(good, tmp_path / "bare.xlsx", unsign=True)
    res = upper_desk.upper().import_bundles([bare])
    assert res.lines[0].status == "rejected" and res.lines[0].reason == "unsigned"
    assert "chưa ký" in res.lines[0].message and _rows(upper_desk) == []


# -- the export time ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["xyz", "", "0001-01-01T00:00:00", "0001-01-01T00:00:00+07:00",
                                   "2026-06-05T09:30:00", "2099-01-01T00:00:00+07:00"])
def test_an_export_time_that_is_no_real_past_time_is_refused(upper_desk, sample_tpl, tmp_path, value):
    """Signed again with the commune's own key (a PC whose clock or file was tampered with): still refused."""
    good = _bundle(tmp_path / "in", sample_tpl)
    bad = _edit(good, tmp_path / "bad.xlsx", exported=value, key=TEST_KEY)
    with pytest.raises(BundleError) as ei:
        read_bundle(bad, upper_desk.registry)
    assert ei.value.reason == "bad_export_time" and "thời điểm xuất không hợp lệ" in str(ei.value)


def test_moving_the_export_time_back_breaks_the_signature(upper_desk, sample_tpl, tmp_path):
    """«Nộp muộn» turned into «Đã nộp» by editing exported_at: the time is signed, so the bundle is refused."""
    trust(upper_desk, "05503")
    late = _bundle(tmp_path / "in", sample_tpl, when=dt.datetime(2026, 6, 20, 9, 30))
    moved = _edit(late, tmp_path / "moved.xlsx", exported="2026-06-01T08:00:00+07:00")
    res = upper_desk.upper().import_bundles([moved, late])
    assert [x.reason for x in res.lines] == ["bad_signature", ""]
    assert [c.status for c in upper_desk.upper().completeness("thu-nghiem-goi", "2026-T05")
            if c.code == "05503"] == ["late"]


def test_export_time_check():
    now = dt.datetime(2026, 6, 5, 10, 0, tzinfo=dt.UTC)
    assert check_exported_at("2026-06-05T10:05:00+00:00", "x", now=now)  # a few minutes of clock difference
    with pytest.raises(BundleError, match="sau thời điểm nhập"):
        check_exported_at("2026-06-05T11:00:00+00:00", "x", now=now)


# -- the key registry ------------------------------------------------------------------------------------------

def test_a_new_pc_of_a_known_commune_waits_for_confirmation_then_counts_in_one_step(upper_desk, sample_tpl,
                                                                                     tmp_path):
    up = upper_desk.upper()
    first = _bundle(tmp_path / "in1", sample_tpl)
    res = up.import_bundles([first])
    assert res.lines[0].status == "held" and "lần đầu nhận gói" in res.lines[0].message
    assert up.confirm_key("05503") == [fingerprint(public_key_text(TEST_KEY))]
    assert [g.reports for g in up.groups()] == [1]
    newer = _bundle(tmp_path / "in2", sample_tpl, key=OTHER_KEY, revision=2)  # the commune changed PC
    res = up.import_bundles([newer])
    assert res.lines[0].status == "held" and "máy mới" in res.lines[0].message
    assert [s.revision for s in up.group("thu-nghiem-goi", "2026-T05").submissions] == [1]  # r2 not used yet
    assert [(x.reason, x.revision, x.period_label) for x in up.held()] == [("pending_key", 2, "tháng 5/2026")]
    with pytest.raises(NQError, match="không có khóa nào có mã"):
        up.confirm_key("05503", "AAAA-AAAA-AAAA-AAAA")
    up.confirm_key("05503", fingerprint(public_key_text(OTHER_KEY)).lower().replace("-", " "))
    assert [s.revision for s in up.group("thu-nghiem-goi", "2026-T05").submissions] == [2]
    assert up.held() == []


def test_the_key_registry_round_trips_through_its_file(upper_desk, tmp_path, data_dir):
    up = upper_desk.upper()
    f = registry_for(tmp_path / "tinh.json", "05503", "05800")
    assert up.import_keys(f) == (2, 0)
    assert up.import_keys(f) == (0, 2)
    out = tmp_path / "ra.json"
    assert up.export_keys(out) == 2
    other = tmp_path / "tinh2"
    other.mkdir()
    dk = Desk(other)
    try:
        assert dk.upper().import_keys(out) == (2, 0)
        strip = [{k: v for k, v in x.items() if k not in ("first_seen", "confirmed_at")} for x in dk.upper().keys()]
    finally:
        dk.close()
    assert strip == [{k: v for k, v in x.items() if k not in ("first_seen", "confirmed_at")} for x in up.keys()]
    assert [x["commune_name"] for x in up.keys()] == ["Xã Tân Cương", "Xã Phú Thịnh"]


@pytest.mark.parametrize("edit, message", [
    (lambda d: d["keys"][1].update(commune_code="99999"), "mục 2: mã xã «99999»"),
    (lambda d: d["keys"][0].update(public_key="abc"), "mục 1 (xã 05503): khóa công khai không hợp lệ"),
    (lambda d: d["keys"][0].update(fingerprint="AAAA-BBBB-CCCC-DDDD"), "không khớp với khóa công khai"),
    (lambda d: d.update(format="other"), "không phải danh sách khóa"),
])
def test_a_bad_registry_file_imports_nothing(upper_desk, tmp_path, edit, message):
    f = registry_for(tmp_path / "tinh.json", "05503", "05800")
    d = json.loads(f.read_text(encoding="utf-8"))
    edit(d)
    f.write_text(json.dumps(d), encoding="utf-8")
    with pytest.raises(NQError, match=re.escape(message)):
        upper_desk.upper().import_keys(f)
    assert upper_desk.upper().keys() == []


def test_cli_keys_shows_the_code_and_confirms(tmp_path, capsys, sample_tpl):
    from nq57desk.cli import main

    data = tmp_path / "tinh"
    data.mkdir()
    (data / "templates").mkdir()
    (data / "templates" / "thu-nghiem-goi.yaml").write_text(SAMPLE_YAML, encoding="utf-8")
    b = _bundle(tmp_path / "in", sample_tpl)
    assert main(["--data-dir", str(data), "aggregate", str(b), "-o", str(tmp_path / "th.xlsx")]) == 1
    assert "khóa lạ — chờ xác nhận" in capsys.readouterr().out
    assert main(["--data-dir", str(data), "keys"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"Mã khóa ký của máy này\t[A-Z2-7]{4}-", out)
    assert f"05503\tXã Tân Cương\t{fingerprint(public_key_text(TEST_KEY))}\tkhóa lạ — chờ xác nhận" in out
    assert main(["--data-dir", str(data), "keys", "--confirm", "05503"]) == 0
    assert main(["--data-dir", str(data), "aggregate", str(b), "-o", str(tmp_path / "th.xlsx")]) == 0
    assert "đã nộp 1" in capsys.readouterr().out


# -- stored bundles ----------------------------------------------------------------------------------------------

def test_a_stored_bundle_changed_in_the_database_is_reported_and_left_out(upper_desk, sample_tpl, tmp_path, capsys):
    from nq57desk.cli import main

    trust(upper_desk, "05503")
    good = _bundle(tmp_path / "in", sample_tpl)
    upper_desk.upper().import_bundles([good])
    upper_desk.close()
    con = sqlite3.connect(upper_desk.db_path)
    con.execute("UPDATE received SET document = replace(document, '\"tthc_total\": 120', '\"tthc_total\": 999')")
    con.commit()
    con.close()
    assert main(["--data-dir", str(upper_desk.data_dir), "check"]) == 1
    assert "nội dung đã bị sửa trong cơ sở dữ liệu" in capsys.readouterr().out
    dk = Desk(upper_desk.data_dir)
    try:
        up = dk.upper()
        assert up.verify_received() and up.group("thu-nghiem-goi", "2026-T05").submissions == []
        assert [x.reason for x in up.held()] == ["tampered"]
        res = up.import_bundles([good])  # the commune's genuine bundle again puts the stored copy right
        assert res.lines[0].status == "accepted"
        assert [s.doc["values"]["tthc_total"] for s in up.group("thu-nghiem-goi", "2026-T05").submissions] == [120]
        assert dk.upper().verify_received() == []
    finally:
        dk.close()


def test_a_stored_row_whose_export_time_was_changed_is_left_out(upper_desk, sample_tpl, tmp_path):
    trust(upper_desk, "05503")
    upper_desk.upper().import_bundles([_bundle(tmp_path / "in", sample_tpl, when=dt.datetime(2026, 6, 20, 9))])
    with upper_desk.engine.begin() as c:
        c.exec_driver_sql("UPDATE received SET exported_at = '2026-06-01T08:00:00+07:00'")
    held = upper_desk.upper().held()
    assert [x.reason for x in held] == ["tampered"] and "exported_at" in held[0].message


# -- packages ----------------------------------------------------------------------------------------------------

def test_a_package_manifest_edited_after_signing_is_refused(upper_desk, sample_tpl, tmp_path):
    trust(upper_desk, "05503")
    b = _bundle(tmp_path / "in", sample_tpl)
    pkg = tmp_path / "pkg"
    write_package({b.name: b}, pkg, {"commune_code": "05503"}, key=TEST_KEY)
    man = json.loads((pkg / "manifest.json").read_text(encoding="utf-8"))
    assert man["signature"]["public_key"] == public_key_text(TEST_KEY)
    man["commune_code"] = "05800"
    (pkg / "manifest.json").write_text(json.dumps(man), encoding="utf-8")
    res = upper_desk.upper().import_bundles([pkg])
    assert res.lines[0].reason == "bad_signature" and "manifest.json" in res.lines[0].message
    del man["signature"]
    (pkg / "manifest.json").write_text(json.dumps(man), encoding="utf-8")
    res = upper_desk.upper().import_bundles([pkg])
    assert res.lines[0].reason == "unsigned"
    z = tmp_path / "goi.zip"
    write_package({b.name: b}, z, {"commune_code": "05503"}, key=TEST_KEY)
    assert upper_desk.upper().import_bundles([z]).lines[0].status == "accepted"
