"""Migrations, revisions, statuses and freezing, through the services the GUI and CLI use."""

import hashlib
import shutil
import sqlite3

import pytest

from nq57desk.errors import NQError, StoreError
from nq57desk.services import Desk
from nq57desk.store.engine import head_revision
from tests.conftest import FIXTURES


def test_new_database_is_created_by_migrations_with_durable_pragmas(desk):
    with desk.engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert c.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == head_revision()
    assert desk.migration_backup is None  # nothing to back up on an empty folder


OLD_DBS = sorted((FIXTURES / "db").glob("nq57desk-*.db"))


@pytest.mark.parametrize("fixture_db", OLD_DBS, ids=lambda p: p.stem)
def test_populated_old_database_upgrades_with_its_data(data_dir, fixture_db):
    """One fixture per released schema revision: each upgrades to head with all its data."""
    rev = fixture_db.stem.split("-")[1]
    shutil.copy(fixture_db, data_dir / "nq57desk.db")
    dk = Desk(data_dir)
    try:
        if rev == head_revision():
            assert dk.migration_backup is None  # already at head: opened as it is, data checked below
        else:
            assert dk.migration_backup and (data_dir / "backups").exists()
            backup = sqlite3.connect(dk.migration_backup)
            assert backup.execute("SELECT version_num FROM alembic_version").fetchone()[0] == rev
            assert backup.execute("SELECT count(*) FROM revision").fetchone()[0] == 2
            backup.close()
        con = sqlite3.connect(data_dir / "nq57desk.db")
        cols = {r[1] for r in con.execute("PRAGMA table_info(revision)")} | \
            {r[1] for r in con.execute("PRAGMA table_info(received)")}
        con.close()
        assert {"exported_at", "exported_to", "province_code", "report_status", "findings"} <= cols  # 0004
        groups = dk.upper().groups()
        if rev >= "0005":  # the received bundle, signed with its commune's confirmed key, is still usable
            assert [(g.template, g.period, g.reports) for g in groups] == [("chung", "2026-5T", 1)]
        else:  # received before bundles were signed: kept, but no longer consolidated, and said so
            assert groups == []
            held = dk.upper().held()
            assert [(x.commune_code, x.reason) for x in held] == [("05503", "unsigned")]
            assert "chưa ký" in held[0].message
        reports = dk.list_reports()
        assert [(r.commune_code, r.revision) for r in reports] == [("05503", 2)]
        assert dk.document(reports[0].id)["values"]["can_cu"] == "Thực hiện A"
        assert len(dk.revisions(reports[0].id)) == 2
        assert dk.profile()["commune_code"] == "05503"
    finally:
        dk.close()


def test_database_newer_than_the_app_is_refused_untouched(data_dir):
    db = data_dir / "nq57desk.db"
    shutil.copy(FIXTURES / "db" / "nq57desk-0001.db", db)
    con = sqlite3.connect(db)
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    with pytest.raises(StoreError, match="phiên bản mới hơn"):
        Desk(data_dir)
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def _doc(desk, rid):
    return desk.document(rid)


def test_create_edit_revisions_and_restore(sample_desk):
    dk = sample_desk
    rid = dk.create_report("mau-kiem-thu", {"kind": "month", "year": 2026, "number": 4})
    d = dk.document(rid)
    assert d["commune"]["name"] == "Xã Tân Cương" and d["header"]["place"] == "Tân Cương"
    assert "xã Tân Cương tháng 4/2026" in d["header"]["subject"]
    d["values"]["hs_total"] = 10
    r1 = dk.save_document(rid, d, author="canbo")
    d["values"]["hs_online"] = 5
    r2 = dk.save_document(rid, d, author="canbo")
    assert r1.revision == r2.revision == 2 and not r2.new_revision  # coalesced edits
    d["values"]["hs_online"] = 6
    r3 = dk.save_document(rid, d, author="nguoikhac")
    assert r3.revision == 3 and r3.new_revision
    revs = dk.revisions(rid)
    assert [r.number for r in revs] == [3, 2, 1]
    assert "Tổng số hồ sơ tiếp nhận" in revs[1].summary and revs[0].author == "nguoikhac"
    dk.restore_revision(rid, 1)
    assert dk.document(rid)["values"]["hs_total"] is None
    assert dk.revisions(rid)[0].summary == "Khôi phục nội dung bản 1"


def test_status_flow_and_frozen_sent_revision(sample_desk):
    dk = sample_desk
    rid = dk.create_report("mau-kiem-thu", {"kind": "month", "year": 2026, "number": 4})
    with pytest.raises(NQError, match="bắt buộc"):
        dk.set_status(rid, "done")  # required hs_total is missing (a warning now, issue 13, but still blocks done)
    d = dk.document(rid)
    d["values"].update(hs_total=3, hs_trong_ky=2, hs_ky_truoc=1)
    dk.save_document(rid, d)
    with pytest.raises(NQError, match="Hoàn thành"):
        dk.set_status(rid, "sent")
    dk.set_status(rid, "done")
    sent = dk.set_status(rid, "sent")
    frozen = dk.document(rid, sent.revision)
    d = dk.document(rid)
    d["values"]["hs_online"] = 1
    res = dk.save_document(rid, d)
    assert res.revision == sent.revision + 1 and res.new_revision
    assert dk.document(rid, sent.revision) == frozen  # the sent revision never changes
    cur = dk.document(rid)
    assert cur["status"] == "draft" and cur["replaces"]["revision"] == sent.revision
    assert dk.revisions(rid)[1].frozen


def test_start_from_previous_period_carries_cumulative(sample_desk):
    dk = sample_desk
    rid = dk.create_report("mau-kiem-thu", {"kind": "month", "year": 2026, "number": 3})
    d = dk.document(rid)
    d["values"].update(hs_total=100, hs_trong_ky=100, hs_ky_truoc=0, hs_luy_ke=300)
    d["values"]["pl"] = {"xa": {"ky_nay": 40, "luy_ke": 90}}
    d["values"]["nhiem_vu"] = [{"ten": "Nhiệm vụ lặp lại", "ket_qua": "Đang thực hiện"}]
    d["recipients"] = ["Sở Khoa học và Công nghệ;", "Lưu: VT."]
    dk.save_document(rid, d)
    nid = dk.create_report("mau-kiem-thu", {"kind": "month", "year": 2026, "number": 4}, from_previous=True)
    n = dk.document(nid)
    assert n["carried"] == {"hs_luy_ke": 300, "pl.xa.luy_ke": 90}
    assert n["values"]["hs_total"] is None and "hs_luy_ke" not in n["values"]
    assert n["values"]["nhiem_vu"][0]["ten"] == "Nhiệm vụ lặp lại"
    assert n["recipients"][0] == "Sở Khoa học và Công nghệ;"
    n["values"]["hs_trong_ky"] = 50
    from nq57desk.report.derive import derived_values

    assert derived_values(dk.template_of(nid), n)["hs_luy_ke"] == 350


def test_bin_duplicate_and_acknowledge(sample_desk):
    dk = sample_desk
    rid = dk.create_report("mau-kiem-thu", {"kind": "month", "year": 2026, "number": 4})
    cid = dk.duplicate_report(rid)
    dk.delete_report(rid)
    assert [r.id for r in dk.list_reports()] == [cid]
    assert [r.id for r in dk.list_reports(deleted=True)] == [rid]
    dk.undelete_report(rid)
    assert {r.id for r in dk.list_reports()} == {rid, cid}
    d = dk.document(rid)
    d["signature"]["name"] = ""
    dk.save_document(rid, d)
    warn = next(f for f in dk.validate(rid) if f.severity == "warning")
    dk.acknowledge(rid, warn)
    assert (warn.key, warn.message) in dk.acknowledged(rid)


def test_revision_file_convention_matches_alembic():
    from alembic.script import ScriptDirectory

    from nq57desk.store.engine import _alembic_config, known_revisions

    script = ScriptDirectory.from_config(_alembic_config())
    assert script.get_current_head() == head_revision()
    assert sorted(s.revision for s in script.walk_revisions()) == known_revisions()


def test_fixture_for_every_schema_revision():
    from nq57desk.store.engine import known_revisions

    assert [p.stem.split("-")[1] for p in OLD_DBS] == known_revisions()


def _exportable(sample_desk):
    dk = sample_desk
    rid = dk.create_report("mau-kiem-thu", {"kind": "month", "year": 2026, "number": 4})
    d = dk.document(rid)
    d["values"].update(hs_total=3, hs_trong_ky=2, hs_ky_truoc=1)
    dk.save_document(rid, d, author="canbo")
    return dk, rid


def test_an_edit_after_an_export_opens_a_new_revision(sample_desk, tmp_path):
    """Two exports within the coalescing 10 minutes never carry two contents under one revision number."""
    from nq57desk.bundle.reader import read_bundle

    dk, rid = _exportable(sample_desk)
    first = dk.export_xlsx(rid, tmp_path / "a.xlsx")
    n = dk.document(rid)["revision"]
    d = dk.document(rid)
    assert dk.save_document(rid, d, author="canbo").new_revision is False  # nothing changed: the exported one stays
    d["values"]["hs_online"] = 1
    res = dk.save_document(rid, d, author="canbo")  # seconds later, same author: would coalesce without the export
    assert res.new_revision and res.revision == n + 1
    assert dk.revisions(rid)[0].summary.startswith(f"Sửa sau khi bản {n} đã xuất gói gửi cấp trên; Sửa: ")
    assert dk.document(rid, n)["values"].get("hs_online") is None  # the exported revision is unchanged
    d["values"]["hs_online"] = 2
    assert dk.save_document(rid, d, author="canbo").revision == n + 1  # not exported: coalesced as before
    second = dk.export_xlsx(rid, tmp_path / "b.xlsx")
    a, b = read_bundle(first, dk.registry), read_bundle(second, dk.registry)
    assert (a.doc["revision"], b.doc["revision"]) == (n, n + 1)
    con = sqlite3.connect(dk.db_path)
    got = con.execute("SELECT number, exported_to FROM revision WHERE exported_at IS NOT NULL ORDER BY number").fetchall()
    con.close()
    assert got == [(n, "a.xlsx"), (n + 1, "b.xlsx")]


def test_the_gui_temp_name_is_not_recorded(sample_desk, tmp_path):
    dk, rid = _exportable(sample_desk)
    dk.export_xlsx(rid, tmp_path / "bao-cao.dang-xuat-123.xlsx")
    con = sqlite3.connect(dk.db_path)
    assert con.execute("SELECT exported_to FROM revision WHERE exported_at IS NOT NULL").fetchone()[0] == "bao-cao.xlsx"
    con.close()
