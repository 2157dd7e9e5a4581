"""The upper level's store: imports over days, revisions kept, duplicates, conflicts, completeness, outputs."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import sqlite3
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from nq57desk.bundle.package import bundle_filename
from nq57desk.bundle.writer import write_bundle
from nq57desk.errors import NQError
from nq57desk.services import Desk
from nq57desk.units import communes
from nq57desk.upper import completeness_counts, preview_import
from tests.conftest import SHARED
from tests.helpers.keys import TEST_KEY, trust

try:  # fixtures and helpers shared with the bundle tests (as tests/test_aggregate.py does)
    from tests.test_bundle import APP, SAMPLE_YAML, make_doc, registry, sample_tpl  # noqa: F401
except ImportError:  # pragma: no cover - tests/ run as plain folder
    from test_bundle import APP, SAMPLE_YAML, make_doc, registry, sample_tpl  # noqa: F401

ON_TIME = dt.datetime(2026, 6, 5, 9, 30)
LATE = dt.datetime(2026, 6, 20, 9, 30)
KEY = ("05503", "thu-nghiem-goi", "2026-T05")
ND30CHECK = SHARED / "tools" / "nd30check.py"


@pytest.fixture
def up_desk(data_dir):
    (data_dir / "templates").mkdir(exist_ok=True)
    (data_dir / "templates" / "thu-nghiem-goi.yaml").write_text(SAMPLE_YAML, encoding="utf-8")
    dk = Desk(data_dir)
    dk.save_profile({"commune_code": "05503"})
    trust(dk)  # every commune's key known, as from the province's registry file
    yield dk
    dk.close()


@pytest.fixture
def tpl(up_desk):
    return up_desk.template("thu-nghiem-goi", 1)


def bundle(folder: Path, tpl, *, code="05503", revision=1, online=1, when=ON_TIME, name=None, status="sent",
           received=3) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    doc = make_doc(tpl, code, revision=revision, online=online, received=received)
    doc["status"] = status
    p = folder / (name or bundle_filename(doc))
    write_bundle(tpl, doc, p, key=TEST_KEY, app_version=APP, exported_at=when)
    return p


def rows(desk) -> list[tuple]:
    con = sqlite3.connect(desk.db_path)
    try:
        return con.execute("SELECT commune_code, revision, superseded, source_name FROM received ORDER BY id").fetchall()
    finally:
        con.close()


def statuses(res) -> list[str]:
    return [ln.status for ln in res.lines]


def test_bundles_arriving_over_days_are_kept_with_their_history(up_desk, tpl, tmp_path):
    up = up_desk.upper()
    r1 = bundle(tmp_path / "day1", tpl, revision=1)
    res = up.import_bundles([r1])
    assert statuses(res) == ["accepted"] and res.ok and res.groups == [KEY[1:]]
    again = up.import_bundles([tmp_path / "day1"])  # the same file the next day: nothing new
    assert statuses(again) == ["duplicate"] and again.ok and "không có gì mới" in again.lines[0].message
    assert len(rows(up_desk)) == 1
    r2 = bundle(tmp_path / "day2", tpl, revision=2, online=2)
    res = up.import_bundles([r2])
    assert statuses(res) == ["accepted"] and "thay cho lần gửi 1" in res.lines[0].message
    assert [(r[1], r[2]) for r in rows(up_desk)] == [(1, 1), (2, 0)]  # the older one kept as history
    late_old = bundle(tmp_path / "day3", tpl, revision=1, online=3)  # an older revision (other content) comes late
    res = up.import_bundles([late_old])
    assert statuses(res) == ["replaced"] and "mới hơn" in res.lines[0].message
    assert len(rows(up_desk)) == 3
    g = up.group(*KEY[1:], province="19")
    used = next(s for s in g.submissions if s.commune["code"] == "05503")
    assert used.revision == 2 and used.doc["values"]["hs_online"] == 2
    hist = up.history(*KEY)
    assert [(ln.revision, ln.status) for ln in hist] == [(2, "accepted"), (1, "replaced"), (1, "replaced")]


def test_a_conflict_replaces_nothing_until_a_newer_revision_comes(up_desk, tpl, tmp_path):
    up = up_desk.upper()
    up.import_bundles([bundle(tmp_path / "a", tpl, revision=1)])
    up.import_bundles([bundle(tmp_path / "b", tpl, revision=2, online=2)])
    other = bundle(tmp_path / "c", tpl, revision=2, online=3)  # same revision, other content
    res = up.import_bundles([other])
    assert statuses(res) == ["conflict"] and not res.ok
    assert "b/NQ57_05503_2026-T05_r2.xlsx" in res.lines[0].message and "tạm dùng lần gửi 1" in res.lines[0].message
    assert len(rows(up_desk)) == 3  # both contents kept
    st = {c.code: c for c in up.completeness(*KEY[1:], "19")}["05503"]
    assert st.status == "conflict" and st.revision == 1 and "tạm dùng lần gửi 1" in st.note
    used = next(s for s in up.group(*KEY[1:], "19").submissions if s.commune["code"] == "05503")
    assert used.revision == 1 and used.conflict
    res = up.import_bundles([bundle(tmp_path / "d", tpl, revision=3, online=2)])
    assert statuses(res) == ["accepted"]
    st = {c.code: c for c in up.completeness(*KEY[1:], "19")}["05503"]
    assert st.status == "submitted" and st.revision == 3


def test_rejected_files_store_nothing_and_the_database_is_unchanged(up_desk, tpl, tmp_path):
    up = up_desk.upper()
    up.import_bundles([bundle(tmp_path / "ok", tpl)])
    before = hashlib.sha256(repr(rows(up_desk)).encode()).hexdigest()
    bad = tmp_path / "bad"
    bad.mkdir()
    good = bundle(tmp_path / "src", tpl, code=communes("19")[0].code)
    data = good.read_bytes()
    (bad / "cut.xlsx").write_bytes(data[: len(data) // 2])
    (bad / "renamed.xlsx").write_text("không phải Excel", encoding="utf-8")
    (bad / "cu.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    res = up.import_bundles([bad])
    assert statuses(res) == ["rejected"] * 3 and not res.ok and res.backup is None
    assert hashlib.sha256(repr(rows(up_desk)).encode()).hexdigest() == before


def test_a_backup_is_made_before_storing_and_never_on_a_dry_run(up_desk, tpl, tmp_path):
    up = up_desk.upper()
    b = bundle(tmp_path / "in", tpl)
    res = up.import_bundles([b], dry_run=True)
    assert statuses(res) == ["accepted"] and res.dry_run and res.backup is None and not rows(up_desk)
    assert not [x for x in up_desk.list_backups() if x.reason.startswith("truoc-nhap")]
    res = up.import_bundles([b])
    assert res.backup and "truoc-nhap" in Path(res.backup).name and len(rows(up_desk)) == 1
    con = sqlite3.connect(res.backup)
    assert con.execute("SELECT count(*) FROM received").fetchone()[0] == 0  # taken before the import
    con.close()


def test_dry_run_decides_like_the_import(up_desk, tpl, tmp_path):
    up = up_desk.upper()
    up.import_bundles([bundle(tmp_path / "a", tpl, revision=2)])
    inbox = tmp_path / "in"
    bundle(inbox, tpl, revision=1, online=2)
    bundle(inbox, tpl, code=communes("19")[1].code)
    bundle(tmp_path / "a2", tpl, revision=2)  # the same content as what is stored
    preview = up.import_bundles([inbox, tmp_path / "a2"], dry_run=True)
    assert len(rows(up_desk)) == 1
    real = up.import_bundles([inbox, tmp_path / "a2"])
    assert statuses(preview) == statuses(real)
    by = {Path(ln.source).parent.name + "/" + ln.commune_code: ln.status for ln in real.lines}
    assert by == {"in/05503": "replaced", f"in/{communes('19')[1].code}": "accepted", "a2/05503": "duplicate"}


def test_preview_in_a_fresh_data_folder_creates_nothing(tmp_path, sample_tpl):
    tpl = sample_tpl
    fresh = tmp_path / "moi"
    fresh.mkdir()
    (fresh / "templates").mkdir()
    (fresh / "templates" / "thu-nghiem-goi.yaml").write_text(SAMPLE_YAML, encoding="utf-8")
    before = sorted(p.name for p in fresh.rglob("*"))
    res = preview_import(fresh, [bundle(tmp_path / "in", tpl)])
    # no key registry there yet: the commune's first bundle would wait for its key to be confirmed
    assert statuses(res) == ["held"] and res.dry_run and "khóa lạ — chờ xác nhận" in res.lines[0].message
    assert sorted(p.name for p in fresh.rglob("*")) == before
    empty = tmp_path / "rong"
    empty.mkdir()
    res = preview_import(empty, [tmp_path / "in"])  # template unknown there: rejected, and still nothing created
    assert statuses(res) == ["rejected"] and list(empty.iterdir()) == []


def test_preview_reads_an_existing_database_read_only(up_desk, tpl, tmp_path):
    b = bundle(tmp_path / "in", tpl)
    up_desk.upper().import_bundles([b])
    up_desk.close()
    db = up_desk.db_path
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    res = preview_import(up_desk.data_dir, [b])
    assert statuses(res) == ["duplicate"]
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def test_progress_and_cancel(up_desk, tpl, tmp_path):
    inbox = tmp_path / "in"
    for u in communes("19")[:4]:
        bundle(inbox, tpl, code=u.code)
    seen = []
    res = up_desk.upper().import_bundles([inbox], progress=lambda i, n, name: seen.append((i, n)),
                                         cancelled=lambda: len(seen) >= 2)
    assert seen == [(0, 4), (1, 4)] and res.cancelled and not res.ok
    assert statuses(res) == ["accepted", "accepted", "skipped", "skipped"]
    assert "đã hủy" in res.lines[2].message and "Đã hủy" in res.summary()
    assert len(rows(up_desk)) == 2


def test_each_file_is_stored_all_or_nothing(up_desk, tpl, tmp_path, monkeypatch):

    inbox = tmp_path / "in"
    bundle(inbox, tpl, revision=1)
    bundle(inbox, tpl, revision=2, online=2)  # its transaction: insert r2, then mark r1 superseded

    def failing(*a, **kw):  # the second file fails inside its transaction, after its row was inserted
        raise sqlite3.OperationalError("disk I/O error")

    import nq57desk.store.received as repo

    monkeypatch.setattr(repo, "update", failing)
    with pytest.raises(sqlite3.OperationalError):
        up_desk.upper().import_bundles([inbox])
    assert [(r[1], r[2]) for r in rows(up_desk)] == [(1, 0)]  # r1 stored whole, nothing of r2


def test_completeness_from_the_store(up_desk, tpl, tmp_path):
    u = communes("19")
    inbox = tmp_path / "in"
    bundle(inbox, tpl, code=u[0].code)
    bundle(inbox, tpl, code=u[1].code, when=LATE)
    bundle(inbox, tpl, code=u[2].code, status="draft")
    bundle(inbox, tpl, code=u[3].code, received=2, online=5)  # more online than received: a validation error
    bundle(inbox, tpl, code="11635")  # Xã An Trường, Hải Phòng
    up = up_desk.upper()
    up.import_bundles([inbox])
    by = {c.code: c for c in up.completeness(*KEY[1:], "19")}
    assert len(by) == len(u) and "11635" not in by
    assert by[u[0].code].status == "submitted" and by[u[0].code].report_status_vi == "Đã gửi"
    assert by[u[1].code].status == "late" and by[u[1].code].late
    assert by[u[2].code].status == "submitted" and by[u[2].code].report_status_vi == "Nháp"
    assert by[u[3].code].status == "errors" and by[u[3].code].errors and by[u[3].code].findings
    counts = completeness_counts(list(by.values()))
    assert counts["missing"] == len(u) - 4 and counts["draft"] == 1
    # without a province: each group with only the provinces its bundles come from (here Thái Nguyên, Hải Phòng)
    both = up.completeness(*KEY[1:])
    assert {c.province_code for c in both} == {"19", "31"} and len(both) == len(u) + len(communes("31"))
    assert [g.provinces for g in up.groups()] == [("19", "31")]
    assert [(g.template, g.period, g.reports) for g in up.groups("31")] == [("thu-nghiem-goi", "2026-T05", 1)]
    assert up.provinces() == [("19", "Thái Nguyên"), ("31", "Thành phố Hải Phòng")]  # by name, as the list


def test_other_provinces_are_rejected_when_one_is_chosen(up_desk, tpl, tmp_path):
    inbox = tmp_path / "in"
    bundle(inbox, tpl, code="11635")
    res = up_desk.upper().import_bundles([inbox], province="19")
    assert res.lines[0].reason == "other_province" and not rows(up_desk)
    with pytest.raises(NQError, match="không hợp lệ"):
        up_desk.upper().import_bundles([inbox], province="XX")


def test_outputs_from_the_store(up_desk, tpl, tmp_path):
    u = communes("19")
    inbox = tmp_path / "in"
    bundle(inbox, tpl, code=u[0].code, received=2, online=1)
    bundle(inbox, tpl, code=u[1].code, received=4, online=3)
    doc = make_doc(tpl, u[2].code, period={"kind": "month", "year": 2026, "number": 6, "start": "2026-06-01",
                                            "end": "2026-06-30"})
    write_bundle(tpl, doc, inbox / bundle_filename(doc), key=TEST_KEY, app_version=APP, exported_at=ON_TIME)
    up = up_desk.upper()
    up.import_bundles([inbox])
    out = tmp_path / "out" / "tong_hop.xlsx"
    out.parent.mkdir()
    paths = up.write_workbook(out, province="19")
    assert sorted(p.name for p in paths) == ["tong_hop_thu-nghiem-goi_2026-T05.xlsx", "tong_hop_thu-nghiem-goi_2026-T06.xlsx"]
    wb = openpyxl.load_workbook(out.parent / "tong_hop_thu-nghiem-goi_2026-T05.xlsx")
    rate = next(r for r in wb["Tổng hợp chỉ tiêu"].iter_rows(min_row=4, values_only=True) if r[-1] == "hs_online_rate")
    assert rate[4] == pytest.approx(400 / 6)
    assert [p.name for p in up.write_workbook(out, province="19", template="thu-nghiem-goi", period="2026-T06")] == \
        ["tong_hop.xlsx"]
    with pytest.raises(NQError, match="không có báo cáo nào"):
        up.write_workbook(out, province="19", period="2027-T01")
    n = up.write_csv(tmp_path / "out" / "d.csv", province="19")
    got = list(csv.reader((tmp_path / "out" / "d.csv").open(encoding="utf-8")))
    assert n == len(got) - 1 and {r[1] for r in got[1:]} == {"202605", "202606"}
    docs = up.write_docx(tmp_path / "out" / "bc.docx", province="19", template="thu-nghiem-goi", period="2026-T05")
    assert [p.name for p in docs] == ["bc.docx"]
    if ND30CHECK.exists():
        r = subprocess.run([sys.executable, str(ND30CHECK), str(docs[0])], capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stdout


def test_store_of_an_upgraded_database(data_dir, sample_tpl, tmp_path):
    """A 0003 database with a received row (stored before 0004) upgrades; the row's new columns are filled."""
    import json
    import shutil

    from tests.conftest import FIXTURES

    tpl = sample_tpl
    db = data_dir / "nq57desk.db"
    shutil.copy(FIXTURES / "db" / "nq57desk-0003.db", db)
    doc = make_doc(tpl)
    con = sqlite3.connect(db)
    con.execute("INSERT INTO received (commune_code, template_id, period_code, revision, sha256, document, source_name,"
                " exported_at, imported_at, superseded) VALUES ('05503', 'thu-nghiem-goi', '2026-T05', 1, 'x', ?, 'a.xlsx',"
                " NULL, '2026-06-01T08:00:00', 0)", (json.dumps(doc, ensure_ascii=False),))
    con.commit()
    con.close()
    (data_dir / "templates").mkdir(exist_ok=True)
    (data_dir / "templates" / "thu-nghiem-goi.yaml").write_text(SAMPLE_YAML, encoding="utf-8")
    dk = Desk(data_dir)
    trust(dk)
    try:
        con = sqlite3.connect(db)
        got = con.execute("SELECT province_code, commune_name, template_version, report_status, period FROM received "
                          "WHERE template_id = 'thu-nghiem-goi'").fetchone()
        con.close()
        assert got[:4] == ("19", "Xã Tân Cương", 1, "sent") and json.loads(got[4])["end"] == "2026-05-31"
        up = dk.upper()
        assert up.groups() == []  # stored before bundles were signed: kept, not consolidated (upper.keys.held)
        assert {x.reason for x in up.held()} == {"unsigned"}
        res = up.import_bundles([bundle(tmp_path / "in", tpl, revision=2)])
        assert statuses(res) == ["accepted"]
        groups = [(g.template, g.period, g.reports) for g in up.groups()]
        assert ("thu-nghiem-goi", "2026-T05", 1) in groups
    finally:
        dk.close()


def test_imports_keep_the_commit_marker_exact(up_desk, tpl, tmp_path, monkeypatch):
    """Lost-WAL detection compares the database's commit number with the marker beside it: an import of many files
    (Core transactions, the marker written every MARK_EVERY files and at the end) keeps the two equal."""
    import nq57desk.upper.store as store
    from nq57desk.safety.integrity import SESSION_SUFFIX

    monkeypatch.setattr(store, "MARK_EVERY", 2)
    folder = tmp_path / "many"
    for i, u in enumerate(communes("19")[:5]):
        bundle(folder, tpl, code=u.code, name=f"b{i}.xlsx")
    before = sqlite3.connect(up_desk.db_path).execute("PRAGMA user_version").fetchone()[0]
    res = up_desk.upper().import_bundles([folder])
    assert statuses(res).count("accepted") == 5
    now_no = sqlite3.connect(up_desk.db_path).execute("PRAGMA user_version").fetchone()[0]
    assert now_no == before + 5
    marker = (up_desk.db_path.parent / (up_desk.db_path.name + SESSION_SUFFIX)).read_text(encoding="ascii")
    assert int(marker) == now_no
