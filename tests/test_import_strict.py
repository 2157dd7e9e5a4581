"""Wrong types and impossible values are refused at `import` (exit 2, Vietnamese message, database unchanged),
instead of being stored and failing later at export or in a bundle."""

import json
import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nq57desk.cli import main
from nq57desk.errors import NQError
from nq57desk.render.text import report_text
from nq57desk.report.document import check_document, dumps, loads, make_period, new_document
from nq57desk.templates import Registry
from nq57desk.units import commune_dict
from nq57desk.validation import validate
from tests.conftest import REPORTS
from tests.helpers.mutate import apply_mutations, doc_paths

VI_LETTER = re.compile(r"[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]", re.I)


def tan_cuong() -> dict:
    return json.loads((REPORTS / "002_tan_cuong.json").read_text(encoding="utf-8"))


def chung_half_year() -> dict:
    """A general-template report (free sections) for the first half of 2026."""
    tpl = Registry().get("chung")
    return json.loads(dumps(new_document(tpl, commune_dict("05503"), make_period("half", 2026, 1))))


def _set(path, value):
    def apply(doc):
        obj = doc
        for k in path[:-1]:
            obj = obj[k]
        obj[path[-1]] = value
    return apply


def _free_key(doc):
    tpl = Registry().get("chung")
    return next(b.key for _c, b in tpl.blocks() if b.kind == "free_sections")


def _free(items):
    def apply(doc):
        doc["values"][_free_key(doc)] = items
    return apply


def _replaces(rep):
    def apply(doc):
        doc["revision"] = 2
        doc["replaces"] = rep
    return apply


def _del(path):
    def apply(doc):
        obj = doc
        for k in path[:-1]:
            obj = obj[k]
        del obj[path[-1]]
    return apply


# (id, base document, mutation, words the message must hold, does the JSON Schema also refuse it?)
CASES = [
    ("free-sections-types", chung_half_year, _free([{"title": 5, "text": ["a"], "level": "x"}]), "mục tự thêm", False),
    ("free-sections-level", chung_half_year, _free([{"title": "A", "text": "B", "level": 7}]), "level", False),
    ("free-sections-extra", chung_half_year, _free([{"title": "A", "nd": "B"}]), "nd", False),
    ("signature-lines", tan_cuong, _set(["signature", "lines"], [1, {"a": 2}, None]), "signature.lines", True),
    ("signature-no-name", tan_cuong, _del(["signature", "name"]), "name", True),
    ("signature-extra", tan_cuong, _set(["signature", "chuc_vu"], "x"), "chuc_vu", True),
    ("header-date-feb-30", tan_cuong, _set(["header", "date"], "2026-02-30"), "header.date", True),
    ("header-date-month-13", tan_cuong, _set(["header", "date"], "2026-13"), "header.date", True),
    ("header-date-compact", tan_cuong, _set(["header", "date"], "20260305"), "header.date", True),
    ("header-extra", tan_cuong, _set(["header", "ghi_chu"], "x"), "ghi_chu", True),
    ("header-missing-kinh-gui", tan_cuong, _del(["header", "kinh_gui"]), "kinh_gui", True),
    ("document-date", tan_cuong, lambda d: d["values"]["van_ban"][0].update(date="2026-99-99"), "ngày có thật", False),
    ("document-date-number", tan_cuong, lambda d: d["values"]["van_ban"][0].update(date=0), "ngày có thật", False),
    ("period-start", chung_half_year, _set(["period", "start"], "2020-01-01"), "01/01/2026", False),
    ("period-end", tan_cuong, _set(["period", "end"], "2026-06-30"), "31/5/2026", False),
    ("period-impossible-date", tan_cuong, _set(["period", "end"], "2026-05-32"), "period.end", True),
    ("period-extra", tan_cuong, _set(["period", "tuan"], 3), "tuan", True),
    ("period-year-number", chung_half_year, lambda d: d.update(period=make_period("year", 2026) | {"number": 3}),
     "period.number", True),
    ("replaces-kind", tan_cuong, _replaces({"revision": 1, "kind": 12345}), "replaces.kind", True),
    ("replaces-kind-word", tan_cuong, _replaces({"revision": 1, "kind": "sửa"}), "replaces.kind", True),
    ("replaces-extra", tan_cuong, _replaces({"revision": 1, "ly_do": "x"}), "ly_do", True),
    ("replaces-itself", tan_cuong, _replaces({"revision": 2}), "replaces.revision", False),
    ("carried-unknown", tan_cuong, _set(["carried"], {"khong_co": 1}), "khong_co", False),
    ("carried-this-period-alone", tan_cuong, _set(["carried"], {"pl4_ho_so.cap_xa.tt_ky": 3199}), "tt_ky", False),
    ("carried-not-a-number", tan_cuong, _set(["carried"], {"tap_huan_luy_ke": "750"}), "carried", True),
    ("template-version-bool", tan_cuong, _set(["template", "version"], True), "template.version", True),
    ("template-extra", tan_cuong, _set(["template", "ban"], 1), "ban", True),
    ("province-name", tan_cuong, _set(["commune", "province_name"], "Thành phố Hà Nội"), "Thái Nguyên", False),
    ("lone-surrogate", tan_cuong, _set(["signature", "name"], "\ud800"), "\\ud800", False),
    ("lone-surrogate-key", tan_cuong, _set(["values", "van_ban"], [{"\udfff": "x"}]), "\\udfff", False),
]


def mutated(base, mutate) -> dict:
    doc = base()
    mutate(doc)
    return doc


def run(capsys, data_dir, *args):
    code = main(["--data-dir", str(data_dir), *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_document_is_refused_at_import(capsys, data_dir, tmp_path, case):
    _id, base, mutate, words, _schema = case
    code, out, _ = run(capsys, data_dir, "import", str(REPORTS / "003_phu_thinh.json"))
    assert code == 0
    rid = out.strip()
    before_list = run(capsys, data_dir, "list")[1]
    run(capsys, data_dir, "dump", rid, "-o", str(tmp_path / "before.json"))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(mutated(base, mutate)), encoding="utf-8")  # ASCII escapes: "\ud800" stays spelt out
    code, out, err = run(capsys, data_dir, "import", str(bad))
    assert (code, out) == (2, ""), err
    assert err.startswith("Lỗi: Tài liệu báo cáo không hợp lệ") and VI_LETTER.search(err), err
    assert words in err, err
    assert "Traceback" not in err and "Error" not in err
    assert run(capsys, data_dir, "list")[1] == before_list
    run(capsys, data_dir, "dump", rid, "-o", str(tmp_path / "after.json"))
    assert (tmp_path / "after.json").read_bytes() == (tmp_path / "before.json").read_bytes()


def test_the_unmutated_bases_are_accepted(desk):
    for base in (tan_cuong, chung_half_year):
        desk.import_report(json.dumps(base(), ensure_ascii=False).encode("utf-8"))
    assert len(desk.list_reports()) == 2



_BASE = tan_cuong()
_JUNK = st.one_of(st.none(), st.booleans(), st.integers(-3, 10**15), st.floats(allow_nan=False, allow_infinity=False),
                  st.sampled_from(["", "x", "2026-05", "2026-01-01", "a\u0001b", "\t\n"]),
                  st.lists(st.one_of(st.integers(0, 3), st.text(max_size=3), st.dictionaries(st.text(max_size=3),
                                                                                                st.integers(), max_size=2)),
                           max_size=3),
                  st.dictionaries(st.text(max_size=5), st.one_of(st.integers(), st.text(max_size=3)), max_size=3))


@settings(max_examples=int(os.environ.get("NQ57_FUZZ_CASES", "300")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(list(doc_paths(_BASE, 2))), _JUNK, st.booleans()), min_size=1, max_size=3))
def test_what_is_accepted_can_be_checked_and_printed(mutations):
    """Refused cleanly, or accepted and then validated and rendered without a fault."""
    doc = apply_mutations(_BASE, mutations)
    tpl = Registry().get("tw-de-cuong")
    try:
        d = check_document(loads(json.dumps(doc, ensure_ascii=False)), tpl)
    except NQError:
        return
    validate(tpl, d)
    report_text(tpl, d)
