"""The published JSON Schemas agree with what the app writes and ships."""

import json
import os

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nq57desk.errors import NQError
from nq57desk.report.document import check_document, loads
from nq57desk.settings import resources_dir
from nq57desk.templates import Registry
from tests.conftest import golden_paths
from tests.helpers.mutate import apply_mutations, doc_paths
from tests.test_import_strict import CASES, mutated, tan_cuong

SCHEMAS = resources_dir() / "schemas"


@pytest.mark.parametrize("path", golden_paths(), ids=lambda p: p.name)
def test_golden_reports_match_report_schema(path):
    schema = json.loads((SCHEMAS / "report.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(json.loads(path.read_text(encoding="utf-8")), schema)


@pytest.mark.parametrize("path", sorted((resources_dir() / "templates").glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_templates_match_template_schema(path):
    schema = json.loads((SCHEMAS / "template.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)


# -- the app is at least as strict as the report schema ------------------------------------------------------

REGISTRY = Registry()


def _report_schema():
    return json.loads((SCHEMAS / "report.schema.json").read_text(encoding="utf-8"))


def schema_accepts(doc) -> bool:
    v = jsonschema.Draft202012Validator(_report_schema(), format_checker=jsonschema.FormatChecker())
    return v.is_valid(doc)


def app_accepts(doc) -> bool:
    """What `import` does before writing: parse, find the template, check (services.Desk.import_report)."""
    try:
        d = loads(json.dumps(doc, ensure_ascii=False).encode("utf-8", "surrogatepass"))
        tref = d.get("template")
        if not isinstance(tref, dict) or not isinstance(tref.get("id"), str) or type(tref.get("version")) is not int:
            return False
        check_document(d, REGISTRY.get(tref["id"], tref["version"]))
    except NQError:
        return False
    return True


@pytest.mark.parametrize("case", [c for c in CASES if c[4]], ids=[c[0] for c in CASES if c[4]])
def test_schema_refuses_what_it_can_express(case):
    _id, base, mutate, _words, _schema = case
    assert schema_accepts(base())
    assert not schema_accepts(mutated(base, mutate))


def test_month_only_date_is_in_the_schema():
    doc = tan_cuong()
    doc["header"]["date"] = "2026-05"
    assert schema_accepts(doc) and app_accepts(doc)


_VALID = tan_cuong()



_PATHS = [p for p in doc_paths(_VALID, 2) if p[0] != "values" or len(p) <= 4]
_JUNK = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**16), st.floats(allow_nan=False, allow_infinity=False),
                  st.sampled_from(["", "2026-02-30", "2026-05", "2026-13", "thay thế", "x", "05503", "2026-01-01"]),
                  st.lists(st.one_of(st.integers(0, 3), st.text(max_size=3)), max_size=3),
                  st.dictionaries(st.sampled_from(["revision", "kind", "a", "lines", "name"]),
                                  st.one_of(st.integers(0, 3), st.text(max_size=3)), max_size=3))


@settings(max_examples=int(os.environ.get("NQ57_FUZZ_CASES", "400")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(_PATHS), _JUNK, st.booleans()), min_size=1, max_size=3))
def test_what_the_schema_refuses_the_app_refuses(mutations):
    doc = apply_mutations(_VALID, mutations)
    if not schema_accepts(doc):
        assert not app_accepts(doc), json.dumps(doc, ensure_ascii=False)[:300]
