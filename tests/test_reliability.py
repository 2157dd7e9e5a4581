"""Never lose an officer's work: crashes, damaged files, backups, injected faults, fuzzed input, file names."""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from nq57desk.bundle.package import export_package
from nq57desk.errors import NQError
from nq57desk.safety import atomic
from nq57desk.safety.backup import backup_now, integrity_ok, list_backups, rotate
from nq57desk.safety.integrity import DamagedDatabase
from nq57desk.safety.lock import FolderLocked
from nq57desk.services import Desk, restore_from_backup
from tests.conftest import FIXTURES, REPORTS, ROOT

CRASH_RUNS = int(os.environ.get("NQ57_CRASH_RUNS", "200"))


def _sample_report(desk) -> int:
    shutil.copy(FIXTURES / "templates" / "rules_sample.yaml", desk.data_dir / "templates" / "rules_sample.yaml")
    desk.save_profile({"commune_code": "05503"})
    rid = desk.create_report("mau-kiem-thu", {"kind": "month", "year": 2026, "number": 4})
    return rid


@pytest.mark.slow
def test_crash_while_saving_never_loses_a_reported_edit(data_dir):
    """SIGKILL at random moments while saving; every edit the app reported saved is there after restart."""
    if os.name != "posix":
        pytest.skip("SIGKILL is POSIX")
    desk = Desk(data_dir)
    rid = _sample_report(desk)
    desk.close()
    rng = random.Random(57)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    last_reported = 0
    failures = []
    for run in range(CRASH_RUNS):
        p = subprocess.Popen([sys.executable, "-m", "tests.helpers.crash_child", str(data_dir), str(rid)],
                             stdout=subprocess.PIPE, cwd=ROOT, env=env, text=True)
        want = rng.randint(1, 6)  # kill after a few confirmed saves, then at a random moment in the next one
        for _ in range(want):
            line = p.stdout.readline()
            if not line:
                break
            last_reported = int(line)
        time.sleep(rng.random() * 0.01)
        p.send_signal(signal.SIGKILL)
        rest, _ = p.communicate()
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
    with pytest.raises(OSError):
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


FAULTS = [errno.ENOSPC, errno.EIO, errno.EACCES]


def _inject(monkeypatch, rng, counter):
    """Make the k-th low-level file operation fail with a random errno."""
    k = rng.randint(1, 12)
    err = rng.choice(FAULTS)
    targets = [(os, "fsync"), (os, "replace"), (os, "write")]
    for mod, name in targets:
        real = getattr(mod, name)

        def wrapper(*a, _real=real, **kw):
            counter[0] += 1
            if counter[0] == k:
                raise OSError(err, os.strerror(err))
            return _real(*a, **kw)

        monkeypatch.setattr(mod, name, wrapper)


def _final_files_ok(folder: Path, finals: list[Path], checker):
    for f in finals:
        if f.exists():
            assert checker(f), f"partial file under final name: {f}"
    assert not [p for p in folder.rglob("*.tmp")], "temp file left behind"


def test_injected_faults_never_leave_a_partial_final_file(data_dir, tmp_path, monkeypatch):
    desk, rid = _desk_with_data(data_dir)
    rng = random.Random(2026)
    out = tmp_path / "out"
    out.mkdir()
    trials = {"backup": 0, "dump": 0, "docx": 0, "xlsx": 0, "package": 0}
    kinds = ["backup", "dump", "package"]
    try:
        import nq57desk.render.docx  # noqa: F401

        kinds.append("docx")
    except ImportError:
        pass
    try:
        import nq57desk.bundle.writer  # noqa: F401

        kinds.append("xlsx")
    except ImportError:
        pass
    from nq57desk.cli import main

    for i in range(100):
        kind = kinds[i % len(kinds)]
        trials[kind] += 1
        final = out / f"{kind}-{i}.{ {'backup': 'db', 'dump': 'json', 'docx': 'docx', 'xlsx': 'xlsx', 'package': 'zip'}[kind]}"
        if kind == "package" and i % 2:
            final = out / f"package-{i}"  # a folder on the stick instead of a .zip
        counter = [0]
        with monkeypatch.context() as m:
            _inject(m, rng, counter)
            try:
                if kind == "backup":
                    desk.backup(final)
                elif kind == "dump":
                    atomic.atomic_write_bytes(final, desk.dump(rid).encode())
                elif kind == "package":
                    export_package(desk, rid, final)
                elif kind == "docx":
                    desk.export_docx(rid, final)
                else:
                    desk.export_xlsx(rid, final)
            except (OSError, NQError):
                pass
        checks = {"backup": lambda f: integrity_ok(f)[0], "dump": lambda f: json.loads(f.read_text("utf-8")),
                  "docx": _zip_ok, "xlsx": _zip_ok, "package": _package_ok}
        _final_files_ok(out, [final], checks[kind])
    desk.close()
    assert sum(trials.values()) == 100
    del main


def _package_ok(path: Path) -> bool:
    """A package on the stick is whole or absent: a zip that tests clean, or a folder with nothing or everything."""
    if path.suffix == ".zip":
        return _zip_ok(path)
    names = sorted(p.name for p in path.iterdir())
    if not names:
        return True
    if "manifest.json" not in names or len(names) != 3:
        return False
    man = json.loads((path / "manifest.json").read_text("utf-8"))
    import hashlib

    return all(hashlib.sha256((path / f["name"]).read_bytes()).hexdigest() == f["sha256"] for f in man["files"])


def _zip_ok(path: Path) -> bool:
    import zipfile

    with zipfile.ZipFile(path) as z:
        return z.testzip() is None


VALID = json.loads((REPORTS / "003_phu_thinh.json").read_text(encoding="utf-8"))
JUNK = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**12), st.floats(allow_nan=True),
                 st.text(max_size=20), st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=3))


def _paths(obj, prefix=()):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield prefix + (k,)
            yield from _paths(v, prefix + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj[:3]):
            yield prefix + (i,)
            yield from _paths(v, prefix + (i,))


ALL_PATHS = list(_paths(VALID))


@settings(max_examples=int(os.environ.get("NQ57_FUZZ_CASES", "1000")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(ALL_PATHS), JUNK, st.booleans()), min_size=1, max_size=4))
def test_fuzzed_documents_are_rejected_cleanly(fuzz_desk, mutations):
    doc = json.loads(json.dumps(VALID))
    for path, junk, delete in mutations:
        parent = doc
        try:
            for k in path[:-1]:
                parent = parent[k]
            if delete and isinstance(parent, dict):
                parent.pop(path[-1], None)
            else:
                parent[path[-1]] = junk
        except (KeyError, IndexError, TypeError):
            continue
    before = len(fuzz_desk.list_reports())
    try:
        data = json.dumps(doc, ensure_ascii=False, allow_nan=True).encode()
    except (TypeError, ValueError):
        return
    try:
        fuzz_desk.import_report(data)
    except NQError:
        assert len(fuzz_desk.list_reports()) == before
        return
    assert len(fuzz_desk.list_reports()) == before + 1  # accepted: then it must be a valid document
    from nq57desk.validation import validate

    rid = fuzz_desk.list_reports()[0].id
    validate(fuzz_desk.template_of(rid), fuzz_desk.document(rid))


@pytest.fixture(scope="module")
def fuzz_desk(tmp_path_factory):
    dk = Desk(tmp_path_factory.mktemp("fuzz"))
    yield dk
    dk.close()


@pytest.mark.parametrize("name", ["CON", "aux.txt", "Xã: An?Trường*", "xa\u0300 Ta\u0302n", "Đ" * 400, "  .", "LPT1"])
def test_exported_names_are_fat32_safe(name):
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

    doc = loads((REPORTS / "003_phu_thinh.json").read_bytes())
    reg = Registry()
    tpl = reg.get(doc["template"]["id"], doc["template"]["version"])
    path = tmp_path_factory.mktemp("bundle") / "NQ57_05800_2026-T04_r1.xlsx"
    write_bundle(tpl, doc, path, app_version="0.1.0")
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
