"""Bundles written by an earlier release stay readable (issue 15).

The reader re-renders every visible sheet from the hidden document with today's writer and refuses a difference
(nq57desk.bundle.crosscheck). So a change to the visible layout of a bundle is a change of format: a province that
updates its app before its communes would refuse every bundle they send. tests/fixtures/bundles/v1/ holds the three
golden reports' bundles as this format's writer made them (signed with the test key, exported 05/06/2026), committed
once and never regenerated, like the fixture databases of each schema version. If this test fails after a change to
bundle/writer.py or bundle/sheets.py, keep the older layout readable (as crosscheck does for «Số liệu» before
«Mã chỉ tiêu»), or raise BUNDLE_VERSION and keep a reader for version 1; do not regenerate the fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from nq57desk.bundle.reader import read_bundle
from nq57desk.report.document import loads
from nq57desk.templates import Registry
from tests.conftest import REPORTS
from tests.helpers.keys import TEST_KEY

FIXTURES = Path(__file__).parent / "fixtures" / "bundles" / "v1"
NAMES = ["000_an_truong", "002_tan_cuong", "003_phu_thinh"]


@pytest.fixture(scope="module")
def registry():
    return Registry()


@pytest.mark.parametrize("name", NAMES)
def test_a_bundle_of_format_1_is_read_and_cross_checked(name, registry):
    from nq57desk.bundle.signing import public_key_text

    res = read_bundle(FIXTURES / f"{name}.xlsx", registry)
    want = loads((REPORTS / f"{name}.json").read_bytes())
    assert res.bundle_version == 1 and res.signed.public_key == public_key_text(TEST_KEY)
    assert res.doc["values"] == want["values"] and res.doc["commune"] == want["commune"]
    assert res.doc["period"] == want["period"] and res.exported_at.startswith("2026-06-05T09:30")
