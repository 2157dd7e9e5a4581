"""Templates carry outlines, never one commune's words: nothing a template holds is printed unless the officer wrote
or accepted it, and a blank figure prints nothing (no "…", no 0)."""

from __future__ import annotations

import re
import unicodedata

import pytest

from nq57desk.render.tree import Heading, Para, build, to_text
from nq57desk.report.derive import render_line
from nq57desk.report.document import empty_values, make_period, new_document
from nq57desk.templates import Registry
from nq57desk.templates.model import FieldsBlock, ListBlock, TextBlock

from .conftest import ROOT

SEEDS = ROOT.parent / "shared" / "seeds"
RUN = 8


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFC", text).lower()
    return re.findall(r"\w+", text)


def _runs(words: list[str], n: int = RUN) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


@pytest.fixture(scope="module")
def seed_runs():
    files = sorted(SEEDS.glob("*.txt"))
    if not files:
        pytest.skip("../shared/seeds is not beside the checkout")
    out = set()
    for f in files:
        out |= _runs(_words(f.read_text(encoding="utf-8")))
    return out


def latest_templates():
    return Registry().latest()


@pytest.mark.parametrize("tpl", latest_templates(), ids=lambda t: t.id)
def test_nothing_a_template_prints_by_itself_shares_eight_words_with_a_seed(tpl, seed_runs):
    """What a new report holds before the officer types (empty_values) and every sentence pattern the template
    prints (lines) are the template's own, neutral words."""
    values = empty_values(tpl)
    printed_by_template = [v for v in values.values() if isinstance(v, str)]
    printed_by_template += [x for v in values.values() if isinstance(v, list) for x in v if isinstance(x, str)]
    for _c, b in tpl.blocks():
        if isinstance(b, FieldsBlock):
            printed_by_template += list(b.lines)
    shared = [" ".join(r) for t in printed_by_template for r in _runs(_words(t)) if r in seed_runs]
    assert not shared, f"{tpl.id}: {shared[:3]}"


@pytest.mark.parametrize("tpl", latest_templates(), ids=lambda t: t.id)
def test_hints_are_never_stored_or_printed(tpl):
    doc = new_document(tpl, {"code": "11635", "name": "Xã An Trường", "province_code": "31",
                             "province_name": "Thành phố Hải Phòng"}, make_period(tpl.period_kinds[0], 2026,
                                                                                   _number(tpl.period_kinds[0])))
    text = to_text(build(tpl, doc))
    for _c, b in tpl.blocks():
        if isinstance(b, TextBlock) and b.hint:
            assert doc["values"][b.key] == ""
        if isinstance(b, ListBlock) and b.hint:
            assert doc["values"][b.key] == []
    assert "…" not in text.replace("Số:", "")  # the draft number line keeps its Decree-30 blank, nothing else


def _number(kind):
    return {"month": 4, "quarter": 2, "half": 1, "months": 5}.get(kind)


@pytest.mark.parametrize("tpl", latest_templates(), ids=lambda t: t.id)
def test_a_blank_report_prints_no_heading_dots_or_zeros(tpl):
    kind = tpl.period_kinds[0]
    period = make_period(kind, 2026, _number(kind)) if kind != "custom" else \
        make_period("custom", 2026, None, "2026-01-01", "2026-05-16")
    doc = new_document(tpl, {"code": "05503", "name": "Xã Tân Cương", "province_code": "19",
                             "province_name": "Thái Nguyên"}, period)
    tree = build(tpl, doc)
    body = [n for n in tree.body if isinstance(n, (Heading, Para))]
    assert not [n for n in body if isinstance(n, Heading)]  # nothing under them: no empty headings
    text = to_text(tree)
    assert "…" not in text
    assert not re.search(r"(?<![\d.,/])0(?![\d.,/])", "\n".join(n.text for n in body))


def test_a_sentence_drops_what_is_blank():
    tpl = Registry().get("hp-6thang")
    doc = new_document(tpl, {"code": "11635", "name": "Xã An Trường", "province_code": "31",
                             "province_name": "Thành phố Hải Phòng"}, make_period("half", 2026, 1))
    line = ("Tổng số hồ sơ tiếp nhận: {hs_received} hồ sơ[, trong đó trực tuyến {hs_online} hồ sơ]; "
            "đã giải quyết {hs_resolved} hồ sơ; quá hạn {hs_late} hồ sơ.")
    assert render_line(line, tpl, doc) == ""
    doc["values"].update(hs_received=1200, hs_resolved=1150)
    assert render_line(line, tpl, doc) == "Tổng số hồ sơ tiếp nhận: 1.200 hồ sơ; đã giải quyết 1.150 hồ sơ."
    doc["values"].update(hs_online=800, hs_late=0)
    assert render_line(line, tpl, doc) == ("Tổng số hồ sơ tiếp nhận: 1.200 hồ sơ, trong đó trực tuyến 800 hồ sơ; "
                                           "đã giải quyết 1.150 hồ sơ; quá hạn 0 hồ sơ.")


def test_the_report_words_its_own_sentences():
    tpl = Registry().get("hp-6thang")
    doc = new_document(tpl, {"code": "11635", "name": "Xã An Trường", "province_code": "31",
                             "province_name": "Thành phố Hải Phòng"}, make_period("half", 2026, 1))
    key = tpl.container_of("tthc_total")
    block = next(b for b in dict(tpl.blocks()).values()) if False else None  # noqa: F841
    fb = next(b for _c, b in tpl.blocks() if isinstance(b, FieldsBlock) and any(f.key == "tthc_total" for f in b.fields))
    doc["values"]["tthc_total"] = 318
    doc["lines"] = {fb.key: ["Niêm yết công khai {tthc_total} thủ tục hành chính tại Bộ phận Một cửa."]}
    from nq57desk.report.document import check_document

    check_document(doc, tpl)
    text = to_text(build(tpl, doc))
    assert "Niêm yết công khai 318 thủ tục hành chính tại Bộ phận Một cửa." in text
    assert key


@pytest.mark.parametrize("tid", [t.id for t in latest_templates()])
def test_a_blank_report_exports_docx_pdf_and_a_bundle_read_as_not_reported(tid, tmp_path, capsys):
    """Every value blank: the DOCX and the PDF are made (DỰ THẢO), neither prints «…» nor a 0 the commune did not
    type, and the upper level reads every figure of the bundle as «chưa báo cáo»."""
    import shutil
    import subprocess

    from nq57desk.aggregate import collect, write_consolidated
    from nq57desk.cli import main

    tpl = Registry().get(tid)
    kind = tpl.period_kinds[0]
    period = {"kind": kind, "year": 2026, "number": _number(kind)}
    if kind == "custom":
        period.update(start="2026-01-01", end="2026-05-16")
    data = tmp_path / "data"
    from nq57desk.services import Desk

    desk = Desk(data, start_backup=False)
    try:
        desk.save_profile({"commune_code": "05503"})
        rid = desk.create_report(tid, period)
    finally:
        desk.close()
    out = tmp_path / "out"
    out.mkdir()
    code = main(["--data-dir", str(data), "export", str(rid), "--docx", str(out / "r.docx"), "--pdf",
                 str(out / "r.pdf"), "--xlsx", str(out / "r.xlsx")])
    assert code == 0, capsys.readouterr()
    from docx import Document

    d = Document(out / "r.docx")
    text = "\n".join(p.text for p in d.paragraphs) + "\n".join(c.text for t in d.tables for r in t.rows for c in r.cells)
    assert "…" not in text.replace("Số:", "")
    header = "\n".join(p.text for s in d.sections for p in s.header.paragraphs)
    assert "DỰ THẢO" in header or "DỰ THẢO" in text
    assert (out / "r.pdf").read_bytes()[:4] == b"%PDF"
    if shutil.which("pdftotext"):
        pdf = subprocess.run(["pdftotext", str(out / "r.pdf"), "-"], capture_output=True, text=True, check=True).stdout
        assert "DỰ THẢO" in pdf and "…" not in pdf
    res = collect([out / "r.xlsx"], Registry())
    assert [ln.status for ln in res.lines] == ["accepted"], [ln.message for ln in res.lines]
    outs = write_consolidated(res, Registry(), tmp_path / "tong_hop.xlsx")
    import openpyxl

    wb = openpyxl.load_workbook(outs[0])
    rows = [r for r in wb["Theo chỉ tiêu"].iter_rows(min_row=5, values_only=True) if r[1]]
    assert all(r[5] in (0, None) for r in rows)  # no commune reported any figure …
    assert not [r for r in rows if r[7] == 0]  # … and no area total reads 0
