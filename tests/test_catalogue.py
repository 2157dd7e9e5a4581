"""The indicator catalogue: the shipped one, hostile catalogue files, templates naming indicators, figure groups,
and `nq57desk templates --check`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nq57desk.errors import TemplateError
from nq57desk.templates import Registry
from nq57desk.templates.catalogue import (
    CatalogueError,
    catalogue_for,
    default_catalogue,
    figure_group,
    load_catalogue,
    shipped_path,
)
from nq57desk.templates.loader import load_template, parse_template
from nq57desk.templates.model import FieldsBlock
from tests.conftest import SHARED

SEEDS = SHARED / "seeds"
TEMPLATES = Path(__file__).resolve().parent.parent / "resources" / "templates"

HEAD = "format: nq57-catalogue/1\ngroups:\n"


def _cat(tmp_path, text: str, name="tinh.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _ind(code, *, extra="", dhis2=None, itype="integer"):
    d = dhis2 or "X_" + code.upper().replace(".", "_")
    return (f"      - code: {code}\n        label: Chỉ tiêu {code}\n        type: {itype}\n        unit: lần\n"
            f"        dhis2: {d}\n{extra}")


# -- the shipped catalogue ------------------------------------------------------------------------------------------

def test_shipped_catalogue_loads_and_covers_the_report_figures():
    cat = default_catalogue()
    assert default_catalogue() is cat  # read once per process
    codes = set(cat.by_code)
    for must in ("tthc.total", "tthc.full_online", "tthc.part_online", "tthc.not_online", "hs.received",
                 "hs.received.period", "hs.received.carried", "hs.online", "hs.direct", "hs.resolved",
                 "hs.resolved.ontime", "hs.resolved.late", "hs.in_progress", "hs.withdrawn", "hs.digitised",
                 "hs.e_result", "hs.payment.online", "pakn.received", "pakn.resolved", "nv.assigned", "nv.done",
                 "nv.done.ontime", "nv.overdue", "nv.in_progress", "nv.not_started", "kp.allocated", "kp.spent",
                 "kp.source.state", "kp.source.other", "nl.positions", "nl.filled", "nl.missing", "cks.organisations",
                 "cks.individuals", "email.accounts", "dt.sessions", "dt.participants", "cnscd.teams", "cnscd.members",
                 "cnscd.trained", "tb.items", "tb.quantity", "tb.amount", "hn.meetings", "vb.issued"):
        assert must in codes, must
    assert cat.get("tthc.total").dhis2 == "NQ57_TTHC_TOTAL"
    assert cat.get("kp.allocated").type == "money" and cat.get("kp.allocated").shown_unit == "đồng"
    assert cat.get("hs.resolved.ontime.rate").rate == ("hs.resolved.ontime", "hs.resolved")
    assert len({i.dhis2 for i in cat.indicators}) == len(cat)
    groups = [g for g, _c in cat.groups]
    assert groups[0] == "Thủ tục hành chính" and len(groups) == len(set(groups)) >= 10
    assert sum(len(c) for _g, c in cat.groups) == len(cat)
    rel = {(r.kind, r.parts, r.total) for r in cat.relations()}
    assert ("eq", ("hs.resolved.ontime", "hs.resolved.late"), "hs.resolved") in rel
    assert ("le", ("hs.resolved", "hs.in_progress", "hs.withdrawn"), "hs.received") in rel
    assert ("le", ("hs.online",), "hs.received.period") in rel
    for i in cat.indicators:
        assert i.label and i.sentence and re.fullmatch(r"[A-Z][A-Z0-9_]*", i.dhis2), i.code
        assert f"{{{i.code}}}" in i.sentence, i.code


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seeds are not beside this checkout")
def test_sentences_are_not_copied_from_the_seeds():
    shingles = set()
    for p in SEEDS.glob("*.txt"):
        w = _words(p.read_text(encoding="utf-8"))
        shingles |= {tuple(w[i:i + 8]) for i in range(len(w) - 7)}
    for i in default_catalogue().indicators:
        w = _words(re.sub(r"\{[^}]*\}", " ", i.sentence))
        for k in range(len(w) - 7):
            assert tuple(w[k:k + 8]) not in shingles, (i.code, " ".join(w[k:k + 8]))


# -- hostile catalogue files ----------------------------------------------------------------------------------------

def _problems(paths) -> list[str]:
    with pytest.raises(CatalogueError) as ei:
        load_catalogue(paths)
    assert str(ei.value).startswith("Danh mục chỉ tiêu lỗi")
    return ei.value.problems


def test_a_catalogue_with_several_problems_lists_them_all_with_lines(tmp_path):
    text = (HEAD + "  - name: Thử\n    indicators:\n" + _ind("a.one") + _ind("a.one", dhis2="X_OTHER")
            + _ind("a.two", itype="float") + _ind("a.three", extra="        whole: a.nowhere\n")
            + _ind("a.four", dhis2="nq57 bad"))
    probs = _problems([_cat(tmp_path, text)])
    joined = "\n".join(probs)
    assert len(probs) >= 4, probs
    assert "tinh.yaml, dòng 10: mã chỉ tiêu «a.one» đã có (tệp tinh.yaml, dòng 5)" in joined
    assert re.search(r"dòng 15: chỉ tiêu «a.two»: kiểu «float» không có", joined)
    assert re.search(r"dòng 20: chỉ tiêu «a.three»: «whole» nêu mã «a.nowhere» không có trong danh mục", joined)
    assert re.search(r"dòng 26: mã DHIS2 «nq57 bad» không hợp lệ", joined)


def test_a_province_file_adds_codes_and_cannot_redefine_one(tmp_path):
    ok = _cat(tmp_path, HEAD + "  - name: Riêng của tỉnh\n    indicators:\n" + _ind("tinh.wifi_halls"))
    cat = load_catalogue([shipped_path(), ok])
    assert "tinh.wifi_halls" in cat and "tthc.total" in cat and cat.groups[-1][0] == "Riêng của tỉnh"
    dup = _cat(tmp_path, HEAD + "  - name: Trùng\n    indicators:\n" + _ind("tthc.total", dhis2="X_DUP"), "trung.yaml")
    probs = _problems([shipped_path(), dup])
    assert re.match(r"trung\.yaml, dòng 5: mã chỉ tiêu «tthc\.total» đã có \(tệp nq57\.yaml, dòng \d+\)", probs[0])
    # through the data folder
    (tmp_path / "catalogue").mkdir()
    ok.rename(tmp_path / "catalogue" / "tinh.yaml")
    assert "tinh.wifi_halls" in catalogue_for(tmp_path)
    assert catalogue_for(tmp_path / "nothing-here") is default_catalogue()


def test_a_sum_naming_an_unknown_code_and_a_rate_over_nothing_are_refused(tmp_path):
    text = (HEAD + "  - name: Thử\n    indicators:\n"
            + _ind("b.total", extra="        sums: [{parts: [b.x, b.y], rule: eq}]\n")
            + _ind("b.x", extra="        rates: [{code: b.x.rate, label: Tỷ lệ, of: b.none, dhis2: X_BXR}]\n")
            + _ind("b.y", extra="        sentence: \"Có {b.y} và {b.z}.\"\n"))
    joined = "\n".join(_problems([_cat(tmp_path, text)]))
    assert "«sums» nêu mã «b.x» không có" not in joined
    assert "«sums» nêu mã «b.y»" not in joined
    assert "«of» nêu mã «b.none» không có trong danh mục" in joined
    assert "chỗ điền «{b.z}» không phải mã chỉ tiêu" in joined


def test_huge_and_deep_catalogues_are_refused_quickly(tmp_path):
    many = HEAD + "  - name: Nhiều\n    indicators: [" + ",".join(f"{{code: c{i}}}" for i in range(100_000)) + "]\n"
    probs = _problems([_cat(tmp_path, many, "nhieu.yaml")])
    assert "nhieu.yaml" in probs[0] and "quá nhiều phần tử" in probs[0] and "dòng 4" in probs[0]
    fewer = HEAD + "  - name: Nhiều\n    indicators:\n" + "".join(f"      - {{code: c{i}}}\n" for i in range(6_000))
    probs = _problems([_cat(tmp_path, fewer, "nhieu.yaml")])
    assert any(re.match(r"nhieu\.yaml, dòng \d+: danh mục có quá nhiều chỉ tiêu \(quá 5\.000\)", p) for p in probs)
    deep = HEAD + "  - name: Sâu\n    indicators:\n      - code: d.x\n        help: " + "[" * 200 + "]" * 200 + "\n"
    probs = _problems([_cat(tmp_path, deep, "sau.yaml")])
    assert "sau.yaml" in probs[0] and "lồng quá sâu" in probs[0] and "dòng" in probs[0]
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(8))
    probs = _problems([_cat(tmp_path, bomb, "bom.yaml")])
    assert "bom.yaml" in probs[0] and "bí danh" in probs[0]
    assert "format" in "\n".join(_problems([_cat(tmp_path, "groups: []\n", "rong.yaml")]))


def test_a_catalogue_that_is_not_text_or_not_there(tmp_path):
    bad = tmp_path / "nhi_phan.yaml"
    bad.write_bytes(b"\xff\xfe\x00\x01")
    probs = _problems([bad, tmp_path / "khong_co.yaml"])
    assert "nhi_phan.yaml: tệp không phải văn bản UTF-8" in probs and any("khong_co.yaml" in p for p in probs)


# -- templates naming indicators ------------------------------------------------------------------------------------

TPL = """format: nq57-template/1
id: thu-chi-tieu
version: 1
title: Thử chỉ tiêu
subject: Báo cáo {commune}
sections:
  - key: a
    title: Thủ tục
    blocks:
      - type: fields
        key: f1
        fields:
          - {key: tong_tthc, indicator: tthc.total}
          - {key: nhan, indicator: hs.received, label: Hồ sơ đã nhận}
  - key: b
    title: Số liệu chung
    blocks:
      - {type: fields, key: g1, label: Thủ tục và hồ sơ,
         indicators: [tthc.total, tthc.full_online, tthc.part_online, tthc.not_online, hs.received, hs.resolved]}
      - {type: fields, key: g2, indicators: [kp.allocated, kp.spent], lines: ["Kinh phí: {i_kp__allocated}."]}
"""


def test_a_template_with_indicator_and_indicators():
    tpl = parse_template(TPL, "thu.yaml")
    f = tpl.field("tong_tthc")
    assert (f.label, f.type, f.unit, f.indicator) == ("Tổng số thủ tục hành chính", "integer", "thủ tục", "tthc.total")
    assert tpl.field("nhan").label == "Hồ sơ đã nhận"  # a label given wins
    g1 = tpl.block("g1")
    keys = [x.key for x in g1.fields]
    assert keys[0] == "tong_tthc" and g1.fields[0] is f  # the figure typed once, shown in both places
    assert "i_tthc__full_online" in keys and "nhan" in keys and "i_hs__resolved" in keys
    rate = tpl.field("i_tthc__full_online__rate")
    assert rate.formula == "rate(i_tthc__full_online, tong_tthc)" and rate.type == "percent"
    assert tpl.field("i_hs__resolved__rate").formula == "rate(i_hs__resolved, nhan)"
    assert any("{tong_tthc}" in ln for ln in g1.lines) and not any("." in re.sub(r"[.]$|\.\s", "", x)
                                                                  .split("{")[1].split("}")[0] for x in g1.lines)
    assert tpl.block("g2").lines == ("Kinh phí: {i_kp__allocated}.",)
    kinds = {(r.kind, tuple(r.args.get("parts", ())) or r.args.get("left"), r.args.get("total") or r.args.get("right"))
             for r in tpl.rules}
    assert ("sum", ("i_tthc__full_online", "i_tthc__part_online", "i_tthc__not_online"), "tong_tthc") in kinds
    assert ("le", "i_hs__resolved", "nhan") in kinds and ("le", "i_kp__spent", "i_kp__allocated") in kinds
    assert all(r.line for r in tpl.rules)


def test_the_rules_of_a_figure_group_check_a_report():
    from nq57desk.report.document import make_period, new_document
    from nq57desk.units import commune_dict
    from nq57desk.validation import validate

    tpl = parse_template(TPL, "thu.yaml")
    doc = new_document(tpl, commune_dict("05503"), make_period("month", 2026, 5))
    doc["values"].update(tong_tthc=10, i_tthc__full_online=4, i_tthc__part_online=3, i_tthc__not_online=2)
    msgs = [f.message for f in validate(tpl, doc)]
    assert any("phải bằng «Tổng số thủ tục hành chính»" in m for m in msgs), msgs


@pytest.mark.parametrize("change, words", [
    ("{key: tong_tthc, indicator: tthc.total}", "dòng 13"),
    ("{key: tong_tthc, indicator: tthc.tong}", "chỉ tiêu «tthc.tong» không có trong danh mục"),
    ("{key: tong_tthc, indicator: tthc.total, type: money}", "có kiểu «integer» trong danh mục"),
    ("{key: tong_tthc, indicator: tthc.total, unit: hồ sơ}", "tính bằng «thủ tục» trong danh mục"),
])
def test_a_wrong_indicator_is_refused_naming_the_line(change, words):
    text = TPL.replace("{key: tong_tthc, indicator: tthc.total}", change.replace("tthc.total}", "tthc.totl}")
                       if words == "dòng 13" else change)
    with pytest.raises(TemplateError) as ei:
        parse_template(text, "thu.yaml")
    assert words in str(ei.value) and "thu.yaml" in str(ei.value)


def test_an_unknown_code_in_indicators_is_refused_naming_the_line():
    with pytest.raises(TemplateError) as ei:
        parse_template(TPL.replace("tthc.part_online,", "tthc.partial,"), "thu.yaml")
    assert "(dòng 18)" in str(ei.value) and "«tthc.partial» không có trong danh mục" in str(ei.value)
    with pytest.raises(TemplateError) as ei:
        parse_template(TPL.replace("indicators: [kp.allocated, kp.spent]", "indicators: []"), "thu.yaml")
    assert "«indicators» là danh sách mã chỉ tiêu" in str(ei.value)


def test_shipped_templates_mark_their_indicators():
    marks = {p.stem: {f.key: f.indicator for f in load_template(p).fields().values() if f.indicator}
             for p in TEMPLATES.glob("*.yaml")}
    assert marks["chung"] == {}
    assert marks["hp-6thang"]["tthc_total"] == "tthc.total" and marks["hp-6thang"]["hs_ontime_rate"] == "hs.resolved.ontime.rate"
    assert marks["tw-de-cuong"]["tthc_total"] == "tthc.total" and marks["tw-de-cuong"]["kinh_phi"] == "kp.allocated"
    assert marks["tn-tien-do-thang"]["nv_ty_le"] == "nv.done.rate"
    cat = default_catalogue()
    for p in TEMPLATES.glob("*.yaml"):  # a marked rate is computed from the fields that are its parts
        tpl = load_template(p)
        by = {f.indicator: f.key for f in tpl.fields().values() if f.indicator}
        for f in tpl.fields().values():
            ind = cat.get(f.indicator or "")
            if ind is not None and ind.rate and f.formula and all(c in by for c in ind.rate):
                assert f.formula == f"rate({by[ind.rate[0]]}, {by[ind.rate[1]]})", (p.stem, f.key)


def test_figure_group_reuses_the_template_keys():
    tpl = load_template(TEMPLATES / "hp-6thang.yaml")
    cat = default_catalogue()
    block, rules = figure_group("nhom_moi", ["tthc.total", "tthc.not_online", "hs.resolved", "hs.resolved.ontime",
                                             "kp.allocated"], tpl, cat)
    assert isinstance(block, FieldsBlock) and block.key == "nhom_moi"
    keys = [f.key for f in block.fields]
    assert keys[:2] == ["tthc_total", "i_tthc__not_online"]
    assert block.fields[0] is tpl.field("tthc_total")
    assert "hs_resolved" in keys and "hs_ontime" in keys and "hs_ontime_rate" in keys  # the template's own rate
    assert "i_kp__allocated" in keys
    assert any("{i_tthc__not_online}" in ln for ln in block.lines)
    # rules only where a figure is new: the template already checks ontime ≤ resolved itself
    args = [r.args for r in rules]
    assert {"left": "i_tthc__not_online", "right": "tthc_total"} in args
    assert not any(a.get("left") == "hs_ontime" for a in args)
    assert figure_group("k", ["hs.resolved", "hs.resolved.ontime"], None, cat)[0].fields[0].key == "i_hs__resolved"
    with pytest.raises(CatalogueError) as ei:
        figure_group("k", ["tthc.khong_co"], tpl, cat)
    assert "«tthc.khong_co» không có trong danh mục" in str(ei.value)


def test_a_template_can_use_a_code_the_province_added(tmp_path):
    (tmp_path / "catalogue").mkdir()
    _cat(tmp_path / "catalogue", HEAD + "  - name: Riêng\n    indicators:\n" + _ind("tinh.wifi"))
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "rieng.yaml").write_text(
        TPL.replace("id: thu-chi-tieu", "id: rieng").replace("[kp.allocated, kp.spent]", "[kp.allocated, tinh.wifi]")
        .replace("lines: [\"Kinh phí: {i_kp__allocated}.\"]", "label: Riêng"), encoding="utf-8")
    assert "rieng" not in {t.id for t in Registry([tmp_path / "templates"]).all()}  # the shipped catalogue only
    reg = Registry([tmp_path / "templates"], data_dir=tmp_path)
    tpl = reg.get("rieng")
    assert tpl.field("i_tinh__wifi").indicator == "tinh.wifi" and not reg.broken


# -- templates --check ----------------------------------------------------------------------------------------------

def test_templates_check(tmp_path, capsys):
    from nq57desk.cli import main

    data = tmp_path / "data"
    assert main(["--data-dir", str(data), "templates", "--check", str(TEMPLATES / "tw-de-cuong.yaml")]) == 0
    out = capsys.readouterr().out
    assert re.fullmatch(r"Mẫu hợp lệ: .+, \d+ mục, 14 chỉ tiêu\n", out), out
    from nq57desk import settings

    assert not settings.db_path(data).exists()  # no database is opened or created
    good = _cat(tmp_path, TPL, "thu.yaml")
    assert main(["--data-dir", str(data), "templates", "--check", str(good)]) == 0
    assert "Mẫu hợp lệ: Thử chỉ tiêu, 2 mục, 11 chỉ tiêu" in capsys.readouterr().out
    bad = _cat(tmp_path, TPL.replace("tthc.part_online,", "tthc.partial,"), "sai.yaml")
    assert main(["--data-dir", str(data), "templates", "--check", str(bad)]) == 2
    out = capsys.readouterr().out
    assert "sai.yaml" in out and "dòng 18" in out and "tthc.partial" in out
    (data / "catalogue").mkdir(parents=True)
    _cat(data / "catalogue", HEAD + "  - name: Hỏng\n    indicators:\n" + _ind("x.a", itype="so") + _ind("tthc.total"))
    assert main(["--data-dir", str(data), "templates", "--check", str(good)]) == 2
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all(ln.startswith("Lỗi danh mục chỉ tiêu: tinh.yaml, dòng ") for ln in lines), lines


def test_a_report_adds_a_province_indicator_in_a_group_and_a_table(tmp_path):
    """A province's own indicator (catalogue/ of the data folder) can be put in any report of that folder: the
    report's added figure group and table are read with the catalogue its template was read with."""
    from nq57desk.errors import DocumentError
    from nq57desk.report import outline as ops
    from nq57desk.report.document import make_period, new_document
    from nq57desk.templates import Registry

    (tmp_path / "catalogue").mkdir()
    _cat(tmp_path / "catalogue", HEAD + "  - name: Riêng của tỉnh\n    indicators:\n" + _ind("tinh.wifi_halls"))
    commune = {"code": "05503", "name": "Xã Tân Cương", "province_code": "19", "province_name": "Thái Nguyên"}
    own, shipped = Registry(data_dir=tmp_path).get("chung"), Registry().get("chung")
    for tpl in (own, shipped):
        doc = new_document(tpl, commune, make_period("month", 2026, 4))
        group = {"type": "fields", "indicators": ["tinh.wifi_halls"]}
        table = {"type": "table", "columns": [{"key": "so", "label": "Số nhà văn hóa có Wi-Fi", "type": "integer",
                                                "indicator": "tinh.wifi_halls"}]}
        if tpl is shipped:
            with pytest.raises(DocumentError, match="tinh.wifi_halls"):
                ops.add_block(tpl, doc, "ket_qua", group)
            continue
        doc, g = ops.add_block(tpl, doc, "ket_qua", group)
        doc, t = ops.add_block(tpl, doc, "ket_qua", table)
        shaped = ops.shape(tpl, doc)
        assert [f.indicator for f in shaped.block(g).fields] == ["tinh.wifi_halls"]
        assert ("eq", "tinh.wifi_halls") == (shaped.rules[-1].kind, shaped.block(g).fields[0].indicator)
