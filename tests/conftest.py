"""Shared setup: paths, a fresh data folder per test, the golden fixtures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
REPORTS = FIXTURES / "reports"

def _shared() -> Path:
    """The team's shared folder (seeds, acceptance tools): beside the checkout, or named by NQ57_SHARED.

    Tests that need it skip when it is absent (a checkout elsewhere); CI clones may live anywhere.
    """
    import os

    for cand in (os.environ.get("NQ57_SHARED"), ROOT.parent / "shared", "/work/shared"):
        if cand and (Path(cand) / "tools").is_dir():
            return Path(cand)
    return ROOT.parent / "shared"


SHARED = _shared()
GOLDEN = {  # fixture → (template id, seed text)
    "000_an_truong.json": ("hp-6thang", "000_7389be22c2e53989.txt"),
    "002_tan_cuong.json": ("tw-de-cuong", "002_eb2ca82ae6e157ff.txt"),
    "003_phu_thinh.json": ("tn-tien-do-thang", "003_dd124789fcb3a41d.txt"),
}


@pytest.fixture
def data_dir(tmp_path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    return d


@pytest.fixture
def desk(data_dir):
    from nq57desk.services import Desk
    from tests.helpers.keys import trust

    dk = Desk(data_dir)
    trust(dk)  # the upper level knows the test key of every commune, as if from the province's registry file
    yield dk
    dk.close()


@pytest.fixture
def sample_template():
    from nq57desk.templates import load_template

    return load_template(FIXTURES / "templates" / "rules_sample.yaml")


@pytest.fixture
def sample_desk(desk, data_dir):
    """A Desk that also knows the rules sample template, with a profile for Xã Tân Cương."""
    import shutil

    shutil.copy(FIXTURES / "templates" / "rules_sample.yaml", data_dir / "templates" / "rules_sample.yaml")
    desk.save_profile({"commune_code": "05503"})
    return desk


def golden_paths() -> list[Path]:
    return [REPORTS / name for name in GOLDEN if (REPORTS / name).exists()]


def load_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))
