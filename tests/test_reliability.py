"""Never lose an officer's work: crashes, damaged files, backups, injected faults, fuzzed input, file names."""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from nq57desk.errors import NQError
from nq57desk.safety.backup import backup_now, integrity_ok, list_backups, rotate
from nq57desk.safety.integrity import DamagedDatabase
from nq57desk.safety.lock import FolderLocked
from nq57desk.services import Desk, restore_from_backup
from tests.conftest import FIXTURES, REPORTS, ROOT
from tests.helpers.mutate import apply_mutations, doc_paths

CRASH_RUNS = int(os.environ.get("NQ57_CRASH_RUNS", "200"))


def _sample_report(desk) -> int:
    shutil.copy(FIXTURES / "templates" / "rules_sample.yaml", desk.data_dir / "templates" / "rules_sample.yaml")
    desk.save_profile({"commune_code": "05503"})
    rid = desk.create_report("mau-kiem-thu", {"kind": "month", "year": 2026, "number": 4})
    return rid


@pytest.mark.slow
def test_crash_while_saving_never_loses_a_reported_edit(data_dir):
    """Kill (SIGKILL; TerminateProcess on Windows) at random moments while saving; every edit the app reported
    saved is there after restart. A child that dies by itself (it cannot open the folder, DamagedDatabase …)
    fails the test: it would otherwise look like a run with nothing to lose."""
    desk = Desk(data_dir)
    rid = _sample_report(desk)
    desk.close()
    rng = random.Random(57)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    last_reported = 0
    failures = []
    for run in range(CRASH_RUNS):
        p = subprocess.Popen([sys.executable, "-m", "tests.helpers.crash_child", str(data_dir), str(rid)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, env=env, text=True)
        want = rng.randint(1, 6)  # kill after a few confirmed saves, then at a random moment in the next one
        got_lines = 0
        for _ in range(want):
            line = p.stdout.readline()
            if not line:
                break
            got_lines += 1
            last_reported = int(line)
        time.sleep(rng.random() * 0.01)
        died = p.poll() is not None  # the child never stops by itself: it did not start, or it failed
        p.kill()
        rest, err = p.communicate()
        if died or got_lines == 0:
            failures.append((run, "child failed", p.returncode, err[-2000:]))
            continue
        for line in rest.split():
            last_reported = int(line)
        ok, problems = integrity_ok(data_dir / "nq57desk.db")
        got = _latest_value(data_dir / "nq57desk.db", rid)  # read as the next start would, WAL included
        if not ok or got < last_reported:
            failures.append((run, problems, got, last_reported))
    assert failures == []
    assert last_reported >= CRASH_RUNS


def _latest_value(db: Path, rid: int) -> int:
    import sqlite3

    con = sqlite3.connect(db)
    try:
        (doc,) = con.execute("SELECT r.document FROM revision r JOIN report p ON p.id = r.report_id "
                             "AND p.revision = r.number WHERE p.id = ?", (rid,)).fetchone()
    finally:
        con.close()
    return int(json.loads(doc)["values"]["hs_total"])


def _desk_with_data(data_dir) -> tuple[Desk, int]:
    desk = Desk(data_dir)
    rid = desk.import_report((REPORTS / "002_tan_cuong.json").read_bytes())
    desk.backup()
    return desk, rid


def _flip(path: Path, offset: int, n: int = 64):
    with open(path, "r+b") as f:
        f.seek(offset)
        data = f.read(n)
        f.seek(offset)
        f.write(bytes(b ^ 0xFF for b in data))


@pytest.mark.parametrize("damage", ["page1", "middle", "truncated", "missing_wal"])
def test_damage_is_detected_kept_aside_and_restored(data_dir, damage):
    desk, rid = _desk_with_data(data_dir)
    db = data_dir / "nq57desk.db"
    if damage == "missing_wal":
        doc = desk.document(rid)
        doc["values"]["tong_quan"] = "sửa sau sao lưu"
        desk.save_document(rid, doc)
        snapshot = data_dir / "snap"
        snapshot.mkdir()
        for f in data_dir.glob("nq57desk.db*"):
            shutil.copy(f, snapshot / f.name)  # the state at the moment of a power cut
        desk.close()
        for f in data_dir.glob("nq57desk.db*"):
            f.unlink()
        for f in snapshot.iterdir():
            if not f.name.endswith("-wal"):
                shutil.copy(f, data_dir / f.name)
    else:
        desk.close()
        size = db.stat().st_size
        if damage == "page1":
            _flip(db, 40)  # the header's schema/page fields
        elif damage == "middle":  # inside stored report text, near the middle of the file
            data = db.read_bytes()
            _flip(db, data.index("Tân Cương".encode(), size // 3), 16)
        else:
            with open(db, "r+b") as f:
                f.truncate(size - 3000)
    damaged_bytes = db.read_bytes()
    with pytest.raises(DamagedDatabase) as ei:
        Desk(data_dir)
    res = ei.value.result
    assert res.problems and res.backup is not None and "Cơ sở dữ liệu bị hỏng" in str(ei.value)
    assert db.read_bytes() == damaged_bytes  # nothing was written to the damaged file
    restore_from_backup(data_dir, res.backup.path)
    kept = list((data_dir / "hong").glob("*/nq57desk.db"))
    assert kept and kept[0].read_bytes() == damaged_bytes
    dk = Desk(data_dir)
    try:
        assert dk.document(rid)["commune"]["code"] == "05503"
    finally:
        dk.close()


def test_every_backup_passes_integrity_and_an_interrupted_one_leaves_the_others(data_dir, monkeypatch):
    desk, rid = _desk_with_data(data_dir)
    for b in list_backups(desk.backups_dir):
        assert integrity_ok(b.path)[0]
    before = {b.path: b.path.read_bytes() for b in list_backups(desk.backups_dir)}
    real_replace = os.replace

    def dying_replace(a, b):
        raise OSError(errno.EIO, "killed")

    monkeypatch.setattr(os, "replace", dying_replace)
    with pytest.raises(NQError, match="lỗi đọc/ghi thiết bị"):
        backup_now(desk.db_path, desk.backups_dir, "bi-ngat")
    monkeypatch.setattr(os, "replace", real_replace)
    after = {b.path: b.path.read_bytes() for b in list_backups(desk.backups_dir)}
    assert after == before
    assert not [p for p in desk.backups_dir.iterdir() if p.name.endswith(".tmp")]
    desk.close()


def test_rotation_keeps_last_10_daily_30_monthly_12(tmp_path):
    folder = tmp_path / "b"
    folder.mkdir()
    today = dt.date(2026, 11, 22)
    stamps = []
    for days_ago in range(0, 500, 1):
        for hour in (8, 17):
            t = dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(hour))
            stamps.append(t)
            (folder / f"nq57desk-{t:%Y%m%d-%H%M%S}-x.db").write_bytes(b"x")
    rotate(folder, today)
    kept = sorted((b.when for b in list_backups(folder)), reverse=True)
    newest10 = sorted(stamps, reverse=True)[:10]
    assert set(newest10) <= set(kept)
    for d in range(30):
        assert any(k.date() == today - dt.timedelta(days=d) for k in kept)
    months = {(k.year, k.month) for k in kept}
    assert len([m for m in months if (today.year - m[0]) * 12 + today.month - m[1] < 12]) == 12
    assert len(kept) <= 10 + 30 + 12
    assert all((today - k.date()).days < 366 for k in kept)


def test_rotation_keeps_the_backups_made_before_an_upgrade_restore_or_import(tmp_path):
    """The pre-upgrade backup made on a busy day survives (it used to go: only the newest of a day was kept)."""
    folder = tmp_path / "b"
    folder.mkdir()
    today = dt.date(2026, 11, 22)
    special = []
    for days_ago in range(0, 500):
        for hour in (8, 12, 17):
            t = dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(hour))
            reason = "x"
            if hour == 12 and days_ago in (0, 40, 200, 400, 450):
                reason = "truoc-nang-cap-0002"
            elif hour == 12 and days_ago in (3, 90, 300, 310):
                reason = "truoc-khoi-phuc"
            elif hour == 12 and days_ago in (5, 6, 7, 8, 9):
                reason = "truoc-nhap"
            name = f"nq57desk-{t:%Y%m%d-%H%M%S}-{reason}.db" if days_ago % 2 else \
                f"nq57desk-{t:%Y%m%d-%H%M%S-%f}-{reason}.db"  # names before and since 0.2
            (folder / name).write_bytes(b"x")
            if reason != "x":
                special.append((t, reason))
    rotate(folder, today)
    kept = {(b.when, b.reason) for b in list_backups(folder)}
    for kind in ("truoc-nang-cap", "truoc-khoi-phuc", "truoc-nhap"):
        newest3 = sorted((s for s in special if s[1].startswith(kind)), reverse=True)[:3]
        assert set(newest3) <= kept, kind
    assert (dt.datetime.combine(today, dt.time(12)), "truoc-nang-cap-0002") in kept  # same day as two others
    assert (dt.datetime.combine(today - dt.timedelta(days=450), dt.time(12)), "truoc-nang-cap-0002") not in kept
    assert len(kept) <= 10 + 30 + 12 + 9


def test_backups_of_one_second_are_ordered_by_the_instant_they_were_made(data_dir, monkeypatch):
    """A CLI import writes a start and a close backup within one second; after damage the newer is offered.

    The clock is frozen to one instant: every backup is made "at the same time" (before 0.2 they sorted by
    name then, and the older was offered)."""
    import types

    from nq57desk.cli import main
    from nq57desk.safety import backup as backup_mod

    class Frozen(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return dt.datetime(2026, 11, 22, 9, 41, 0)

    monkeypatch.setattr(backup_mod, "dt", types.SimpleNamespace(datetime=Frozen, timedelta=dt.timedelta, date=dt.date))

    assert main(["--data-dir", str(data_dir), "import", str(REPORTS / "002_tan_cuong.json")]) == 0
    assert main(["--data-dir", str(data_dir), "import", str(REPORTS / "003_phu_thinh.json")]) == 0
    backups = list_backups(data_dir / "backups")
    assert len(backups) >= 2 and len({b.when for b in backups}) == len(backups)
    assert [b.path.name for b in backups] == sorted((b.path.name for b in backups), reverse=True)
    newest = backups[0]
    con = __import__("sqlite3").connect(newest.path)
    assert con.execute("SELECT count(*) FROM report").fetchone() == (2,)  # the close backup, with both reports
    con.close()
    db = data_dir / "nq57desk.db"
    _flip(db, 40)
    with pytest.raises(DamagedDatabase) as ei:
        Desk(data_dir)
    assert ei.value.result.backup.path == newest.path
    # names stay in order when the clock goes back (a flat CMOS battery)
    monkeypatch.undo()
    late = data_dir / "backups" / f"nq57desk-{dt.datetime(2031, 1, 1):%Y%m%d-%H%M%S-%f}-khoi-dong.db"
    shutil.copy(newest.path, late)
    made = backup_now(newest.path, data_dir / "backups", "thu-cong")
    assert list_backups(data_dir / "backups")[0].path == made and made.name > late.name


BACKUP_CHILD = """
import sys
from pathlib import Path
from nq57desk.safety.backup import backup_now
print("go", flush=True)
while True:
    backup_now(Path(sys.argv[1]), Path(sys.argv[2]), "thu-nghiem")
"""


@pytest.mark.slow
def test_killed_during_a_backup_the_older_backups_are_intact(data_dir):
    """A real kill (SIGKILL / TerminateProcess) at random moments of backups written in a loop: the older backups
    keep their bytes, a backup under its final name is whole, and the next one removes what the kill left."""
    desk, rid = _desk_with_data(data_dir)
    for _ in range(20):  # a bigger database: a backup takes long enough to be killed inside
        desk.import_report((REPORTS / "002_tan_cuong.json").read_bytes())
    desk.close()
    folder = data_dir / "backups"
    for b in list_backups(folder):
        b.path.unlink()
    for days_ago in (3, 2, 1):  # older backups, one a day, kept by the rotation whatever happens today
        t = dt.datetime.now() - dt.timedelta(days=days_ago)
        shutil.copy(data_dir / "nq57desk.db", folder / f"nq57desk-{t:%Y%m%d-%H%M%S-%f}-cu.db")
    old = {b.path: b.path.read_bytes() for b in list_backups(folder)}
    rng = random.Random(9)
    runs, whole, temps = int(os.environ.get("NQ57_BACKUP_KILLS", "30")), 0, 0
    for _ in range(runs):
        p = subprocess.Popen([sys.executable, "-c", BACKUP_CHILD, str(data_dir / "nq57desk.db"), str(folder)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
        assert p.stdout.readline().strip() == "go", p.communicate()[1]
        time.sleep(rng.random() * 0.3)
        assert p.poll() is None, p.communicate()[1]  # still backing up: it never stops by itself
        p.kill()
        p.communicate()
        temps += any(f.name.startswith(".~") for f in folder.iterdir())
        for b in list_backups(folder):
            if b.path in old:
                assert b.path.read_bytes() == old[b.path]
            else:
                assert integrity_ok(b.path)[0], b.path.name
                whole += 1
                b.path.unlink()
        assert set(old) <= {b.path for b in list_backups(folder)}
    rotate(folder)
    assert sorted(f.name for f in folder.iterdir()) == sorted(p.name for p in old)  # temps of killed runs gone
    print(f"\nkilled during backups: {runs} kills, {whole} new backups whole, {temps} kills left a temp file")


def _fat32_ok(name: str) -> bool:
    stem = name.split(".")[0].upper()
    return (bool(name) and len(name) < 240 and name.isascii() and name == name.strip(" .")
            and not any(c in name for c in '<>:"/\\|?*') and all(ord(c) >= 32 for c in name)
            and stem not in {"CON", "PRN", "AUX", "NUL"} | {f"COM{i}" for i in range(1, 10)} |
            {f"LPT{i}" for i in range(1, 10)})


WEIRD_NAMES = ["CON", "Xã CON", "aux", "Xã: An?Trường*", "xa\u0300 Ta\u0302n Cu\u031bo\u031bng", "Đ" * 400, "  .",
               "LPT1", "Phường <1>/|\"\\", "Xã\tTab"]


@pytest.mark.parametrize("name", WEIRD_NAMES)
def test_exported_file_names_are_fat32_safe(name, tmp_path):
    """The names the app really gives files (bundle, DOCX and package members, backups) for odd commune names,
    codes and template ids."""
    from nq57desk.bundle.package import bundle_filename, safe_filename
    from nq57desk.safety.backup import backup_file_name

    for code, tid in (("05503", "tw-de-cuong"), (name, name)):
        doc = {"commune": {"code": code, "name": name}, "template": {"id": tid, "version": 1}, "revision": 2,
               "period": {"kind": "month", "year": 2026, "number": 5, "start": "2026-05-01", "end": "2026-05-31"}}
        for n in (bundle_filename(doc), bundle_filename(doc, with_template=True)):
            assert _fat32_ok(n) and _fat32_ok(n[: -len(".xlsx")] + ".docx"), n
    for n in (safe_filename(name + ".xlsx"), safe_filename(name), backup_file_name("thu-cong")):
        assert _fat32_ok(n), n
    (tmp_path / safe_filename(name + ".docx")).write_bytes(b"x")  # and the OS takes it


def test_one_writer_per_folder(data_dir):
    desk = Desk(data_dir)
    code = ("import sys\nfrom nq57desk.services import Desk\n"
            "try:\n    Desk(sys.argv[1])\nexcept Exception as e:\n    print(type(e).__name__, e)\n")
    res = subprocess.run([sys.executable, "-c", code, str(data_dir)], capture_output=True, text=True, cwd=ROOT)
    assert "FolderLocked" in res.stdout and "đang mở" in res.stdout
    desk.close()
    res = subprocess.run([sys.executable, "-c", code, str(data_dir)], capture_output=True, text=True, cwd=ROOT)
    assert res.stdout == ""
    assert issubclass(FolderLocked, NQError)


VALID = json.loads((REPORTS / "003_phu_thinh.json").read_text(encoding="utf-8"))
JUNK = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**12), st.floats(allow_nan=True),
                 st.text(max_size=20), st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=3))



ALL_PATHS = list(doc_paths(VALID, 3))


@settings(max_examples=int(os.environ.get("NQ57_FUZZ_CASES", "1000")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(ALL_PATHS), JUNK, st.booleans()), min_size=1, max_size=4))
def test_fuzzed_documents_are_rejected_cleanly(fuzz_desk, mutations):
    doc = apply_mutations(VALID, mutations)
    before = len(fuzz_desk.list_reports())
    try:
        data = json.dumps(doc, ensure_ascii=False, allow_nan=True).encode()
    except (TypeError, ValueError):
        return
    try:
        rid = fuzz_desk.import_report(data)
    except NQError:
        assert len(fuzz_desk.list_reports()) == before
        return
    after = len(fuzz_desk.list_reports())
    # accepted: a new report, or the same report imported before (given back, not made twice); valid either way
    assert after == before + 1 or (after == before and rid in {r.id for r in fuzz_desk.list_reports()})
    from nq57desk.validation import validate

    validate(fuzz_desk.template_of(rid), fuzz_desk.document(rid))


@pytest.fixture(scope="module")
def fuzz_desk(tmp_path_factory):
    dk = Desk(tmp_path_factory.mktemp("fuzz"))
    yield dk
    dk.close()


@pytest.mark.parametrize("name", ["CON", "aux.txt", "Xã: An?Trường*", "xa\u0300 Ta\u0302n", "Đ" * 400, "  .", "LPT1"])
def test_ascii_name_is_fat32_safe(name):
    from nq57desk.vn import ascii_name

    n = ascii_name(name)
    assert n and len(n) < 240
    assert not any(c in n for c in '<>:"/\\|?*') and n == n.strip(" .")
    assert n.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL", "LPT1", "COM1"}
    assert n.isascii()


# -- fuzzed bundles: only clean refusals, and what is accepted is exactly what was sent ---------------------------

BUNDLE_CASES = int(os.environ.get("NQ57_FUZZ_CASES", "1000"))


@pytest.fixture(scope="module")
def sent_bundle(tmp_path_factory):
    from nq57desk.bundle.writer import write_bundle
    from nq57desk.report.document import loads
    from nq57desk.templates import Registry
    from tests.helpers.keys import TEST_KEY

    doc = loads((REPORTS / "003_phu_thinh.json").read_bytes())
    reg = Registry()
    tpl = reg.get(doc["template"]["id"], doc["template"]["version"])
    path = tmp_path_factory.mktemp("bundle") / "NQ57_05800_2026-T04_r1.xlsx"
    write_bundle(tpl, doc, path, key=TEST_KEY, app_version="0.1.0")
    import zipfile

    with zipfile.ZipFile(path) as z:
        members = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    return reg, doc, path.read_bytes(), members


def _rezip(members) -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            z.writestr(name, data)
    return buf.getvalue()


_XML_JUNK = st.sampled_from([b"", b"=HYPERLINK(\"http://x\",\"y\")", b"<f>1+1</f>", b"<!DOCTYPE x [<!ENTITY a \"b\">]>",
                             b"\x00", b"&amp;", b"<", b"9" * 40, "Xã".encode(), b"]]>", b"\"'"])


@settings(max_examples=BUNDLE_CASES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(kind=st.sampled_from(["bytes", "truncate", "member", "drop"]), where=st.floats(0, 1),
       n=st.integers(1, 16), junk=_XML_JUNK, seed=st.integers(0, 2**32 - 1))
def test_fuzzed_bundles_are_rejected_cleanly(sent_bundle, kind, where, n, junk, seed):
    """Mutated bundles (raw bytes, a truncated file, an edited or missing part re-zipped with good CRCs)."""
    from nq57desk.bundle.format import BundleError
    from nq57desk.bundle.reader import read_bundle

    reg, doc, raw, members = sent_bundle
    rng = random.Random(seed)
    if kind == "bytes":
        data = bytearray(raw)
        for _ in range(n):
            data[int(where * (len(data) - 1) + rng.randrange(256)) % len(data)] ^= rng.randrange(1, 256)
        data = bytes(data)
    elif kind == "truncate":
        data = raw[: int(where * len(raw))]
    else:
        i = int(where * (len(members) - 1))
        edited = list(members)
        if kind == "drop":
            del edited[i]
        else:
            name, body = edited[i]
            at = rng.randrange(len(body) + 1)
            edited[i] = (name, body[:at] + junk + body[at + rng.randrange(0, n):])
        data = _rezip(edited)
    try:
        res = read_bundle("fuzz.xlsx", reg, data=data)
    except BundleError as e:
        assert e.reason and str(e)  # a reason code and a Vietnamese sentence
        event(f"refused: {e.reason}")
        return
    assert res.doc == doc, "a bundle that was changed in transit was accepted with different content"
    event("accepted, content unchanged")
