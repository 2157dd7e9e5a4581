"""The published JSON Schemas agree with what the app writes and ships."""

import json

import jsonschema
import pytest
import yaml

from nq57desk.settings import resources_dir
from tests.conftest import golden_paths

SCHEMAS = resources_dir() / "schemas"


@pytest.mark.parametrize("path", golden_paths(), ids=lambda p: p.name)
def test_golden_reports_match_report_schema(path):
    schema = json.loads((SCHEMAS / "report.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(json.loads(path.read_text(encoding="utf-8")), schema)


@pytest.mark.parametrize("path", sorted((resources_dir() / "templates").glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_templates_match_template_schema(path):
    schema = json.loads((SCHEMAS / "template.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)
