"""One registry of block kinds (nq57desk/report/kinds.py): every kind a template may hold has its module there, and
every module gives the functions its callers rely on, so no file dispatches on block classes."""

import importlib
import inspect
import json
from pathlib import Path

from nq57desk.report import kinds

ROOT = Path(__file__).resolve().parents[1]
PROTOCOL = {"empty": 2, "empty_values": 2, "value": 2, "check": 3, "hint": 2, "names": 1, "resolve": 3, "findings": 2,
            "nodes": 4, "given": 2, "table": 3, "entries": 3, "lines": 3}


def test_every_template_block_kind_has_its_module():
    schema = json.loads((ROOT / "resources/schemas/template.schema.json").read_text(encoding="utf-8"))
    assert set(schema["$defs"]["block"]["properties"]["type"]["enum"]) == set(kinds.KINDS)


def test_modules_give_the_protocol_with_its_arguments():
    for kind, path in kinds.KINDS.items():
        mod = importlib.import_module(path)
        assert mod.nodes, kind  # every kind prints
        assert hasattr(mod, "empty") or hasattr(mod, "empty_values") or kind == "appendix_ref", kind
        assert hasattr(mod, "empty_values") == hasattr(mod, "value"), kind  # a spread value comes with its reader
        for name, n in PROTOCOL.items():
            f = getattr(mod, name, None)
            if f is not None:
                required = [p for p in inspect.signature(f).parameters.values() if p.default is inspect.Parameter.empty]
                assert len(required) == n, (kind, name)


def test_no_block_is_no_kind():
    assert kinds.handler(None) is None and kinds.function(None, "nodes") is None
    assert kinds.empty_values(type("B", (), {"kind": "appendix_ref", "key": "x"})()) == {}
