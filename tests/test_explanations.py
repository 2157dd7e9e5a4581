"""Issue 13: giải trình stored in the report (strictly checked, round-tripped), blank required figures as warnings,
rule messages with their numbers, sums with blank or unlisted parts."""

from __future__ import annotations

import json

import pytest

from nq57desk.errors import DocumentError, TemplateError
from nq57desk.report.document import check_document, loads, make_period, new_document
from nq57desk.templates import Registry
from nq57desk.templates.loader import parse_template
from nq57desk.units import commune_dict
from nq57desk.validation import blocking, done_refusal, explained_count, validate
from tests.conftest import FIXTURES, REPORTS
from tests.test_schemas import app_accepts, schema_accepts

REG = Registry()
GOOD = {"key": "tthc_total", "rule": "sum", "text": "Số thủ tục lấy từ Cổng dịch vụ công ngày 16/5/2026."}


def tan_cuong() -> dict:
    return json.loads((REPORTS / "002_tan_cuong.json").read_text(encoding="utf-8"))


def _check_bytes(doc) -> None:
    """As `import` reads a file: JSON bytes (\\ud800 escapes stay lone surrogates), then the strict check."""
    d = loads(json.dumps(doc, ensure_ascii=True).encode("ascii"))
    check_document(d, REG.get("tw-de-cuong"))


# -- hostile explanations ------------------------------------------------------------------------------------------

HOSTILE = [
    ("not a list", "giải trình", "explanations", lambda: {"key": "a"}),
    ("a string", "giải trình", "explanations", lambda: "tôi giải trình"),
    ("null", "giải trình", "explanations", lambda: None),
    ("item is a number", "đối tượng", "explanations[0]", lambda: [7]),
    ("item missing text", "thiếu «text»", "explanations[0]", lambda: [{"key": "a", "rule": "sum"}]),
    ("unknown key", "không biết khóa", "explanations[0]", lambda: [{**GOOD, "author": "x"}]),
    ("key is a number", "«key»", "explanations[0].key", lambda: [{**GOOD, "key": 5}]),
    ("rule is a list", "«rule»", "explanations[0].rule", lambda: [{**GOOD, "rule": ["sum"]}]),
    ("rule has a tab", "«rule»", "explanations[0].rule", lambda: [{**GOOD, "rule": "s\tum"}]),
    ("empty key", "«key»", "explanations[0].key", lambda: [{**GOOD, "key": "   "}]),
    ("text is a number", "chuỗi chữ", "explanations[0].text", lambda: [{**GOOD, "text": 12}]),
    ("text is blank", "trống", "explanations[0].text", lambda: [{**GOOD, "text": " \n\t "}]),
    ("text of 10^6 characters", "quá 2000", "explanations[0].text", lambda: [{**GOOD, "text": "a" * 10**6}]),
    ("10^5 items", "quá 500", "explanations", lambda: [{**GOOD, "key": f"k{i}"} for i in range(10**5)]),
    ("a bell character", "U+0007", "explanations[1].text", lambda: [GOOD, {**GOOD, "key": "b", "text": "xin\x07chào"}]),
    ("an escape sequence", "U+001B", "explanations[0].text", lambda: [{**GOOD, "text": "\x1b[31mđỏ"}]),
    ("a line separator", "U+2028", "explanations[0].text", lambda: [{**GOOD, "text": "a\u2028b"}]),
    ("a lone surrogate", "\\ud800", "explanations[0].text", lambda: [{**GOOD, "text": "giải\ud800trình"}]),
    ("two for one error", "hai giải trình", "explanations[1]", lambda: [GOOD, dict(GOOD)]),
]


@pytest.mark.parametrize("case", HOSTILE, ids=[c[0] for c in HOSTILE])
def test_hostile_explanations_are_refused_naming_the_place(case):
    _id, words, place, make = case
    doc = tan_cuong()
    doc["explanations"] = make()
    with pytest.raises(DocumentError) as e:
        _check_bytes(doc)
    assert words in str(e.value) and place in str(e.value), str(e.value)
    if _id != "a lone surrogate":  # JSON Schema cannot see a lone surrogate; the app does
        assert not app_accepts(doc)


@pytest.mark.parametrize("case", [c for c in HOSTILE if c[0] not in ("two for one error", "a lone surrogate")],
                         ids=[c[0] for c in HOSTILE if c[0] not in ("two for one error", "a lone surrogate")])
def test_the_schema_refuses_them_too(case):
    doc = tan_cuong()
    doc["explanations"] = case[3]()
    assert not schema_accepts(doc)


def test_good_explanations_pass_both_and_round_trip(desk, tmp_path, capsys):
    from tests.test_cli import run

    doc = tan_cuong()
    doc["explanations"] = [GOOD, {"key": "gone", "rule": "eq", "text": "Dòng 1\nDòng 2\tcột, chữ Việt: Tân Cương"},
                           {"key": "x", "rule": "field", "text": "x" * 2000}]
    assert schema_accepts(doc) and app_accepts(doc)
    src = tmp_path / "in.json"
    src.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    data = desk.data_dir
    desk.close()
    code, out, _ = run(capsys, data, "import", str(src))
    assert code == 0
    dest = tmp_path / "out.json"
    assert run(capsys, data, "dump", out.strip(), "-o", str(dest))[0] == 0
    back = json.loads(dest.read_text(encoding="utf-8"))
    assert back["explanations"] == doc["explanations"]
    assert list(back)[-1] == "explanations"  # after the keys of the format, in a stable place
    code, _out, err = run(capsys, data, "import", str(dest))
    assert code == 0, err


def test_cli_import_refuses_a_hostile_explanation_with_exit_2(capsys, data_dir, tmp_path):
    from tests.test_cli import run

    doc = tan_cuong()
    doc["explanations"] = [{**GOOD, "text": "a" * 10**6}]
    p = tmp_path / "x.json"
    p.write_text(json.dumps(doc), encoding="utf-8")
    code, out, err = run(capsys, data_dir, "import", str(p))
    assert code == 2 and "explanations[0].text" in err and "quá 2000 ký tự" in err and not out


def test_an_explanation_whose_finding_is_gone_is_harmless():
    doc = tan_cuong()
    doc["explanations"] = [{"key": "khong_co", "rule": "sum", "text": "Không còn lỗi này."}]
    tpl = REG.get("tw-de-cuong")
    check_document(doc, tpl)
    f = validate(tpl, doc)
    assert explained_count(f, doc) == 0 and blocking(f, doc) == []


def test_explanation_matches_key_and_rule_not_message():
    doc = tan_cuong()
    tpl = REG.get("tw-de-cuong")
    doc["values"].update(tthc_total=3, tthc_toan_trinh=2, tthc_mot_phan=2)
    err = next(f for f in blocking(validate(tpl, doc), doc) if f.rule == "sum" and f.key == "tthc_total")
    doc["explanations"] = [{"key": err.key, "rule": "eq", "text": "sai quy tắc"}]
    assert err in blocking(validate(tpl, doc), doc)
    doc["explanations"] = [{"key": err.key, "rule": err.rule, "text": "đúng quy tắc"}]
    assert err not in blocking(validate(tpl, doc), doc)
    doc["values"]["tthc_total"] = 2  # other numbers, another message: the same explanation still applies
    f2 = next(f for f in validate(tpl, doc) if f.rule == "sum" and f.key == "tthc_total")
    assert f2.message != err.message and f2 not in blocking(validate(tpl, doc), doc)


# -- blank required: a warning, and «Hoàn thành» waits ------------------------------------------------------------

def _rules_template(rules: str):
    text = (FIXTURES / "templates" / "rules_sample.yaml").read_text(encoding="utf-8")
    return parse_template(text[: text.index("\nrules:")] + "\nrules:\n" + rules, "thu.yaml")


def _doc(tpl, **values):
    d = new_document(tpl, commune_dict("05503"), make_period("month", 2026, 4))
    d["values"].update(values)
    return d


def test_blank_required_is_a_warning_and_blocks_done_with_names(sample_template):
    d = _doc(sample_template)
    found = validate(sample_template, d)
    req = [f for f in found if f.rule == "required"]
    assert req and all(f.severity == "warning" for f in req)
    assert "Chưa có số liệu: Tổng số hồ sơ tiếp nhận" in [f.message for f in req]
    assert not [f for f in found if f.severity == "error"]
    why = done_refusal(found, d)
    assert "«Tổng số hồ sơ tiếp nhận»" in why and "bắt buộc" in why
    d["values"]["hs_total"] = 10
    assert "Tổng số hồ sơ tiếp nhận" not in done_refusal(validate(sample_template, d), d)


def test_done_refusal_lists_five_names_then_the_rest():
    tpl = REG.get("hp-6thang")
    d = new_document(tpl, commune_dict("11635"), make_period("half", 2026, 1))
    found = validate(tpl, d)
    blank = [f for f in found if f.rule == "required"]
    assert len(blank) > 5
    why = done_refusal(found, d)
    assert why.count("«") == 1 + 5 and f"và {len(blank) - 5} mục khác" in why  # «Hoàn thành» + five names


def test_required_text_block_blank_is_a_warning():
    tpl = REG.get("hp-6thang")
    d = new_document(tpl, commune_dict("11635"), make_period("half", 2026, 1))
    texts = [f for f in validate(tpl, d) if f.rule == "required" and f.message.startswith("Chưa có nội dung: ")]
    for f in texts:
        assert f.severity == "warning"


# -- messages with numbers ------------------------------------------------------------------------------------------

def test_a_custom_message_is_followed_by_the_numbers():
    tpl = _rules_template(
        '  - {kind: sum, parts: [hs_trong_ky, hs_ky_truoc], total: hs_total, message: "Tổng hồ sơ phải bằng hai phần."}\n'
        '  - {kind: le, left: hs_online, right: hs_trong_ky, message: "Trực tuyến không quá trong kỳ"}\n'
        '  - {kind: range, value: hs_online, min: 0, max: 5000, message: "Số hồ sơ trực tuyến bất thường."}\n'
        '  - {kind: eq, left: hs_ky_truoc, right: hs_online, message: "Phải bằng."}\n')
    d = _doc(tpl, hs_total=8682, hs_trong_ky=8633, hs_ky_truoc=4, hs_online=8700)
    msgs = {f.rule: f.message for f in validate(tpl, d)}
    assert msgs["sum"] == "Tổng hồ sơ phải bằng hai phần (8.633 + 4 = 8.637 hồ sơ, khác tổng 8.682 hồ sơ)."
    assert msgs["le"] == "Trực tuyến không quá trong kỳ (8.700 lớn hơn 8.633)"
    assert msgs["range"] == "Số hồ sơ trực tuyến bất thường (8.700, ngoài khoảng 0–5.000)."
    assert msgs["eq"] == "Phải bằng (4 khác 8.700)."


def test_sum_with_a_blank_part_checks_only_the_parts_given():
    tpl = _rules_template("  - {kind: sum, parts: [hs_trong_ky, hs_ky_truoc], total: hs_total}\n")
    over = _doc(tpl, hs_total=100, hs_trong_ky=120)  # hs_ky_truoc blank: 120 > 100 all the same
    f = [x for x in validate(tpl, over) if x.rule == "sum"]
    assert len(f) == 1 and f[0].severity == "error" and "(120 = 120) lớn hơn tổng" in f[0].message
    under = _doc(tpl, hs_total=100, hs_trong_ky=80)  # the blank part may be the other 20
    assert not [x for x in validate(tpl, under) if x.rule == "sum"]
    full = _doc(tpl, hs_total=100, hs_trong_ky=80, hs_ky_truoc=10)  # every part given: equality
    f = [x for x in validate(tpl, full) if x.rule == "sum"]
    assert len(f) == 1 and "khác tổng" in f[0].message


def test_open_sum_never_asks_for_equality():
    tpl = _rules_template("  - {kind: sum, parts: [hs_trong_ky, hs_ky_truoc], total: hs_total, open: true}\n")
    assert tpl.rules[0].args["open"] is True
    assert not [x for x in validate(tpl, _doc(tpl, hs_total=100, hs_trong_ky=80, hs_ky_truoc=10)) if x.rule == "sum"]
    f = [x for x in validate(tpl, _doc(tpl, hs_total=100, hs_trong_ky=80, hs_ky_truoc=30)) if x.rule == "sum"]
    assert len(f) == 1 and "lớn hơn tổng" in f[0].message
    with pytest.raises(TemplateError, match="«open» là true hoặc false"):
        _rules_template("  - {kind: sum, parts: [hs_trong_ky, hs_ky_truoc], total: hs_total, open: 1}\n")


def test_ward_with_procedures_not_offered_online():
    """tw-de-cuong: full online + part online + not online = the total; a blank third part is not an error."""
    tpl = REG.get("tw-de-cuong")
    d = tan_cuong()
    d["values"].update(tthc_total=120, tthc_toan_trinh=80, tthc_mot_phan=30)
    d["values"].pop("tthc_khong_tt", None)
    assert not [f for f in validate(tpl, d) if f.rule == "sum" and f.key == "tthc_total"]
    d["values"]["tthc_khong_tt"] = 10
    assert not [f for f in validate(tpl, d) if f.rule == "sum" and f.key == "tthc_total"]
    d["values"]["tthc_khong_tt"] = 5
    f = [f for f in validate(tpl, d) if f.rule == "sum" and f.key == "tthc_total"]
    assert len(f) == 1 and "80 + 30 + 5 = 115" in f[0].message and "khác tổng" in f[0].message
