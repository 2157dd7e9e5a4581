"""Every released schema revision has a fixture database, and each upgrades with all of its data, the officer's
acknowledged warnings included (tests/fixtures/db/README.md says how the fixtures are made)."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from nq57desk.services import Desk
from nq57desk.store.engine import known_revisions
from tests.conftest import FIXTURES

DB = FIXTURES / "db"


def test_one_fixture_per_released_revision():
    have = sorted(p.stem.split("-")[1] for p in DB.glob("nq57desk-*.db"))
    assert have == known_revisions()


@pytest.mark.parametrize("fixture_db", sorted(DB.glob("nq57desk-*.db")), ids=lambda p: p.stem)
def test_acknowledged_warnings_survive_the_upgrade(data_dir, fixture_db):
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_fixture_db", DB / "make_fixture_db.py")
    maker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(maker)
    con = sqlite3.connect(fixture_db)
    has_table = bool(con.execute("SELECT 1 FROM sqlite_master WHERE name = 'acknowledgement'").fetchone())
    rows = con.execute("SELECT count(*) FROM acknowledgement").fetchone()[0] if has_table else 0
    con.close()
    assert rows == (1 if has_table else 0)  # filled wherever the schema has the table
    shutil.copy(fixture_db, data_dir / "nq57desk.db")
    dk = Desk(data_dir)
    try:
        rid = dk.list_reports()[0].id
        want = {(maker.ACK_KEY, maker.ACK_MESSAGE)} if has_table else set()
        assert dk.acknowledged(rid) == want
        assert len(dk.revisions(rid)) == 2
    finally:
        dk.close()


@pytest.mark.parametrize("fixture_db", sorted(DB.glob("nq57desk-*.db")), ids=lambda p: p.stem)
def test_a_received_bundle_survives_the_upgrade(data_dir, fixture_db):
    """The upper level's store is data too: a bundle received before an upgrade is still there after it."""
    shutil.copy(fixture_db, data_dir / "nq57desk.db")
    dk = Desk(data_dir)
    try:
        con = sqlite3.connect(data_dir / "nq57desk.db")
        row = con.execute("SELECT commune_code, template_id, period_code, revision, province_code, commune_name "
                          "FROM received").fetchall()
        con.close()
        assert row == [("05503", "chung", "2026-5T", 2, "19", "Xã Tân Cương")]  # 0004 fills the new columns
    finally:
        dk.close()
