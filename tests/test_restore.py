"""«Khôi phục» accepts only a sound nq57desk database this app can open; anything else changes nothing."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from nq57desk.cli import main
from nq57desk.errors import NQError
from nq57desk.services import Desk, restore_from_backup
from tests.conftest import FIXTURES, REPORTS


def _state(data_dir: Path) -> dict[str, str]:
    return {str(p.relative_to(data_dir)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(data_dir.rglob("*")) if p.is_file() and "logs" not in p.parts}


@pytest.fixture
def folder(data_dir, capsys):
    assert main(["--data-dir", str(data_dir), "import", str(REPORTS / "002_tan_cuong.json")]) == 0
    capsys.readouterr()
    return data_dir


def _foreign(tmp_path) -> Path:
    p = tmp_path / "places.sqlite"  # a browser's history, found on the same USB stick
    con = sqlite3.connect(p)
    con.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    con.execute("INSERT INTO moz_places (url) VALUES ('https://dichvucong.gov.vn')")
    con.commit()
    con.close()
    return p


def _newer(tmp_path) -> Path:
    p = tmp_path / "nq57desk-moi-hon.db"
    shutil.copy(FIXTURES / "db" / "nq57desk-0003.db", p)
    con = sqlite3.connect(p)
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    return p


def _not_sqlite(tmp_path) -> Path:
    p = tmp_path / "anh.db"
    p.write_bytes(b"\xff\xd8\xff\xe0 not a database" * 100)
    return p


@pytest.mark.parametrize("make, words", [
    (_foreign, "không phải bản sao lưu của nq57desk"),
    (_newer, "phiên bản mới hơn"),
    (_not_sqlite, "không phải là cơ sở dữ liệu"),
    (lambda t: t / "khong-co.db", "Không tìm thấy tệp sao lưu"),
    (lambda t: t, "là thư mục"),
])
def test_restore_refuses_what_is_not_an_nq57desk_backup(folder, tmp_path, capsys, make, words):
    src = make(tmp_path)
    before = _state(folder)
    code = main(["--data-dir", str(folder), "restore", str(src)])
    _out, err = capsys.readouterr()
    assert code == 2 and err.startswith("Lỗi: ") and words in err, err
    assert _state(folder) == before  # nothing written: no backup made, no file replaced
    dk = Desk(folder)
    try:
        assert len(dk.list_reports()) == 1
    finally:
        dk.close()


def test_restore_of_an_older_schema_upgrades_it(folder):
    restore_from_backup(folder, FIXTURES / "db" / "nq57desk-0001.db")
    dk = Desk(folder)
    try:
        assert [r.commune_code for r in dk.list_reports()] == ["05503"]
    finally:
        dk.close()


def test_restore_reads_the_wal_beside_a_backup_and_leaves_it_untouched(folder, tmp_path):
    """A live database copied with its -wal (from another PC's folder): the rows still in the -wal come along,
    and the chosen files keep their bytes."""
    other = tmp_path / "may-khac"
    dk = Desk(other)
    dk.import_report((REPORTS / "003_phu_thinh.json").read_bytes())
    dk.import_report((REPORTS / "002_tan_cuong.json").read_bytes())
    src = tmp_path / "usb"
    src.mkdir()
    for s in ("", "-wal"):
        shutil.copy(str(dk.db_path) + s, src / ("nq57desk.db" + s))
    dk.close(backup=False)
    chosen = {p.name: p.read_bytes() for p in src.iterdir()}
    restore_from_backup(folder, src / "nq57desk.db")
    assert {p.name: p.read_bytes() for p in src.iterdir() if p.name in chosen} == chosen
    dk = Desk(folder)
    try:
        assert len(dk.list_reports()) == 2
    finally:
        dk.close()


def test_refusal_is_an_nqerror(folder, tmp_path):
    with pytest.raises(NQError, match="không phải bản sao lưu"):
        restore_from_backup(folder, _foreign(tmp_path))
