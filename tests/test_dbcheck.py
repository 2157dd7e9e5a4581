"""Checking a database never lies about it and never changes it: the -wal is read, nothing is written.

The audit's case: a process killed in the middle of a checkpoint leaves a main file half updated and a whole
-wal; read together they are sound, the main file alone is "malformed". The check must say sound.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import event

from nq57desk.safety.backup import integrity_ok, make_backup
from nq57desk.safety.dbfile import connect_readonly, sqlite_uri
from nq57desk.safety.integrity import SESSION_SUFFIX, check_database
from nq57desk.services import Desk, check_folder, restore_from_backup
from tests.conftest import REPORTS, ROOT

CHECKPOINT_KILLS = int(os.environ.get("NQ57_CHECKPOINT_KILLS", "60"))
SIDES = ("", "-wal", "-shm", SESSION_SUFFIX)


def _sha(p: Path) -> str | None:
    return hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else None


def _files(db: Path) -> dict[str, str | None]:
    return {s: _sha(Path(str(db) + s)) for s in ("", "-wal")}


def _filled_wal(data_dir: Path, snap: Path) -> tuple[dict[int, dict], int]:
    """A data folder as a killed session leaves it: ~4 MB of committed edits still in the -wal, session marker set.

    Returns the documents as the app last saved them, and the WAL's size.
    """
    desk = Desk(data_dir, start_backup=False)

    @event.listens_for(desk.engine, "connect")
    def _no_autocheckpoint(dbapi_conn, _rec):
        dbapi_conn.execute("PRAGMA wal_autocheckpoint=0")

    desk.engine.dispose()
    rids = [desk.import_report((REPORTS / n).read_bytes()) for n in ("002_tan_cuong.json", "003_phu_thinh.json")]
    rng = random.Random(6)
    wal = Path(str(desk.db_path) + "-wal")
    n = 0
    while wal.stat().st_size < 4_000_000:
        n += 1
        rid = rids[n % 2]
        doc = desk.document(rid)
        key = "tong_quan" if "tong_quan" in doc["values"] else next(k for k, v in doc["values"].items()
                                                                    if isinstance(v, str))
        doc["values"][key] = f"Lần sửa {n}: " + " ".join(rng.choice(["xã", "số hóa", "Nghị quyết", "chuyển đổi"])
                                                       for _ in range(3000))
        desk.save_document(rid, doc, author=f"cb{n}")  # a new author each time: a new revision each time
    want = {rid: desk.document(rid) for rid in rids}
    snap.mkdir()
    for s in SIDES:  # the state at a power cut / kill: every commit is in the (fsynced) -wal
        if Path(str(desk.db_path) + s).exists():
            shutil.copy(str(desk.db_path) + s, snap / ("nq57desk.db" + s))
    size = wal.stat().st_size
    desk.close(backup=False)
    return want, size


CHILD = ("import sqlite3, sys\ncon = sqlite3.connect(sys.argv[1])\nprint('go', flush=True)\n"
         "con.execute('PRAGMA wal_checkpoint(TRUNCATE)').fetchall()\nprint('done', flush=True)\n")


def _checkpoint_child(db: Path) -> subprocess.Popen:
    p = subprocess.Popen([sys.executable, "-c", CHILD, str(db)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, cwd=ROOT)
    line = p.stdout.readline()
    if line.strip() != "go":
        p.kill()
        _out, err = p.communicate()
        pytest.fail(f"the checkpoint child did not start: {line!r} {err}")
    return p


def _main_file_alone_ok(db: Path) -> bool:
    """The check before 0.2 (immutable=1 ignores the -wal), kept to count what it would have called damage."""
    try:
        con = sqlite3.connect(sqlite_uri(db, mode="ro", immutable="1"), uri=True)
        try:
            return con.execute("PRAGMA quick_check").fetchall() == [("ok",)]
        finally:
            con.close()
    except sqlite3.DatabaseError:
        return False


def _restore_snapshot(snap: Path, folder: Path) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir()
    for f in snap.iterdir():
        shutil.copy(f, folder / f.name)
    return folder / "nq57desk.db"


@pytest.mark.slow
def test_kill_during_checkpoint_is_not_damage(tmp_path):
    """SIGKILL (TerminateProcess on Windows) at a random moment of a checkpoint of a ~4 MB WAL, then check as the
    next start does: always sound, all data there, and the check changed neither the main file nor the -wal."""
    snap = tmp_path / "snap"
    want, wal_size = _filled_wal(tmp_path / "fill", snap)
    pre = _sha(snap / "nq57desk.db")
    run = tmp_path / "run"
    db = _restore_snapshot(snap, run)  # a full checkpoint, to know its duration and the end state
    p = _checkpoint_child(db)
    t0 = time.perf_counter()
    assert p.stdout.readline().strip() == "done"
    duration = time.perf_counter() - t0
    assert p.wait() == 0
    post = _sha(db)
    assert post != pre
    rng = random.Random(57)
    states = {"before": 0, "mid": 0, "after": 0}
    failures = []
    old_damaged = 0
    for i in range(CHECKPOINT_KILLS):
        db = _restore_snapshot(snap, run)
        p = _checkpoint_child(db)
        time.sleep(rng.random() * duration)
        p.kill()
        p.communicate()
        main = _sha(db)
        states["before" if main == pre else "after" if main == post else "mid"] += 1
        before = _files(db)
        old_damaged += not _main_file_alone_ok(db)
        res = check_database(db, run / "backups")
        if _files(db) != before:
            failures.append((i, "the check changed the database or its -wal"))
        if not res.ok:
            failures.append((i, res.problems))
            continue
        desk = Desk(run, start_backup=False)
        try:
            got = {rid: desk.document(rid) for rid in want}
        finally:
            desk.close(backup=False)
        if got != want:
            failures.append((i, "data differs after reopening"))
    print(f"\nkill during checkpoint: {CHECKPOINT_KILLS} kills of a {wal_size / 1e6:.1f} MB WAL checkpoint "
          f"({duration * 1000:.0f} ms): {states}; the main file alone (the old check) was malformed {old_damaged} times")
    assert failures == []
    assert states["mid"] > 0, f"no kill landed inside the checkpoint: {states}"


def test_readonly_check_reads_the_wal_and_writes_nothing(tmp_path):
    """What SQLite does (3.40), held here: mode=ro reads the -wal, leaves the main file and the -wal as they were;
    without a -wal the check opens the main file alone and creates no side files."""
    db = tmp_path / "x.db"
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA wal_autocheckpoint=0")
    con.execute("CREATE TABLE t(x)")
    con.executemany("INSERT INTO t VALUES (?)", [(os.urandom(500).hex(),) for _ in range(300)])
    con.commit()
    snap = tmp_path / "snap"
    snap.mkdir()
    for s in ("", "-wal"):
        shutil.copy(str(db) + s, snap / ("x.db" + s))
    con.close()
    for f in list(tmp_path.glob("x.db*")):
        f.unlink()
    for f in snap.iterdir():
        shutil.copy(f, tmp_path / f.name)
    before = _files(db)
    ro = connect_readonly(db)
    assert ro.execute("SELECT count(*) FROM t").fetchone() == (300,)  # the rows live only in the -wal
    with pytest.raises(sqlite3.OperationalError):
        ro.execute("INSERT INTO t VALUES (1)")
    ro.close()
    assert integrity_ok(db) == (True, [])
    assert _files(db) == before and Path(str(db) + "-wal").exists()
    # no -wal: nothing is created beside the file
    full = sqlite3.connect(db)
    full.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    full.close()
    for s in ("-wal", "-shm"):
        Path(str(db) + s).unlink(missing_ok=True)
    assert integrity_ok(db) == (True, [])
    assert sorted(p.name for p in tmp_path.glob("x.db*")) == ["x.db"]


@pytest.mark.parametrize("folder", ["USB%41", "a?b#c", "50% xong", "Báo cáo 2026"])
def test_paths_with_uri_characters(tmp_path, folder):
    """A folder named like an URI escape or query (USB%41, a?b#c) is opened as named, everywhere."""
    data = tmp_path / folder / "du lieu"
    data.mkdir(parents=True)
    assert sqlite_uri(data / "x.db").endswith("/du%20lieu/x.db")
    desk = Desk(data)
    rid = desk.import_report((REPORTS / "002_tan_cuong.json").read_bytes())
    backup = desk.backup()
    desk.close()
    assert sorted(p.name for p in data.iterdir() if p.suffix == ".db") == ["nq57desk.db"]
    assert integrity_ok(data / "nq57desk.db") == (True, [])
    assert check_folder(data).ok
    usb = tmp_path / folder / "USB%2F" / "b.db"
    make_backup(data / "nq57desk.db", usb)
    assert integrity_ok(usb)[0]
    restore_from_backup(data, backup)
    dk = Desk(data)
    try:
        assert dk.document(rid)["commune"]["code"] == "05503"
    finally:
        dk.close()


def test_session_marker_is_durable_and_never_fails_a_save(data_dir, monkeypatch):
    """The lost-WAL detection trusts the .phien marker: it is fsynced after every commit (folder too, once), at a
    fixed width so an overwrite in place never leaves a stale tail; if it cannot be written the save still
    succeeds and the log says why."""
    import errno

    desk = Desk(data_dir)
    rid = desk.import_report((REPORTS / "002_tan_cuong.json").read_bytes())
    marker = Path(str(desk.db_path) + SESSION_SUFFIX)
    opened: dict[int, str] = {}
    synced: list[str] = []
    real_open, real_fsync = os.open, os.fsync

    def spy_open(path, flags, *a, **kw):
        fd = real_open(path, flags, *a, **kw)
        opened[fd] = str(path)
        return fd

    def spy_fsync(fd):
        synced.append(opened.get(fd, "?"))
        return real_fsync(fd)

    monkeypatch.setattr(os, "open", spy_open)
    monkeypatch.setattr(os, "fsync", spy_fsync)
    doc = desk.document(rid)
    doc["values"]["tong_quan"] = "sửa lần một"
    desk.save_document(rid, doc)
    assert str(marker) in synced
    text = marker.read_text("ascii")
    assert len(text) == 21 and text.strip().isdigit() and int(text) >= 2

    def full(path, flags, *a, **kw):
        if str(path) == str(marker):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_open(path, flags, *a, **kw)

    monkeypatch.setattr(os, "open", full)
    doc["values"]["tong_quan"] = "sửa lần hai"
    desk.save_document(rid, doc)  # committed: the marker's failure does not undo it
    monkeypatch.undo()
    assert desk.document(rid)["values"]["tong_quan"] == "sửa lần hai"
    desk.close()
    log = (data_dir / "logs" / "nq57desk.log").read_text("utf-8")
    assert "dấu phiên làm việc" in log
