"""Any commune's real report through the general template: each of the three seeds entered again through `chung`
only, by the officer's own operations (rename, hide, add sections and appendices, reorder, its own numbering), and
exported: the real report's words come back in order (recall) and nothing else is printed (precision)."""

from __future__ import annotations

import runpy

import pytest

from nq57desk.render.docx import export_docx
from nq57desk.report.document import check_document
from nq57desk.templates import Registry
from nq57desk.validation import validate

from .conftest import ROOT
from .helpers.seedentry import enter, parse, period_of

SEEDS = ROOT.parent / "shared" / "seeds"
TEXTSIM = ROOT.parent / "shared" / "tools" / "textsim.py"

CASES = {
    "000_7389be22c2e53989": ({"code": "11635", "name": "Xã An Trường", "province_code": "31",
                              "province_name": "Thành phố Hải Phòng"}, ("half", 2026, 1)),
    "002_eb2ca82ae6e157ff": ({"code": "05503", "name": "Xã Tân Cương", "province_code": "19",
                              "province_name": "Thái Nguyên"}, ("months", 2026, 5)),
    "003_dd124789fcb3a41d": ({"code": "05800", "name": "Xã Phú Thịnh", "province_code": "19",
                              "province_name": "Thái Nguyên"}, ("month", 2026, 4)),
}


@pytest.fixture(scope="module")
def textsim():
    if not TEXTSIM.exists() or not SEEDS.is_dir():
        pytest.skip("../shared (seeds, tools) is not beside the checkout")
    return runpy.run_path(str(TEXTSIM))


@pytest.mark.parametrize("name", sorted(CASES))
def test_seed_through_chung(name, textsim, tmp_path):
    tpl = Registry().get("chung")
    text = (SEEDS / f"{name}.txt").read_text(encoding="utf-8")
    commune, period = CASES[name]
    doc, used = enter(tpl, parse(text), commune, period_of(*period))
    check_document(doc, tpl)  # what the officer made is a report the app stores
    assert used["add"] > 10 and used["rename"] >= 2  # the outline is the commune's, not the template's
    validate(tpl, doc)
    out = tmp_path / f"{name}.docx"
    export_docx(tpl, doc, out)
    got = textsim["docx_text"](str(out))
    recall, precision = textsim["recall"](text, got), textsim["precision"](text, got)
    assert recall >= 0.98, recall
    assert precision >= 0.97, precision
