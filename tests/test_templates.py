import pytest

from nq57desk.errors import TemplateError
from nq57desk.templates import Registry, parse_template
from nq57desk.templates.expr import ExprError, evaluate, parse
from nq57desk.templates.numbering import label, number_sections

MINIMAL = """
format: nq57-template/1
id: t
version: 1
title: T
subject: "S {commune}"
sections:
  - key: a
    title: A
    blocks:
      - type: fields
        fields:
          - {key: x, label: X}
"""


def test_shipped_templates_all_load():
    reg = Registry()
    ids = {t.id for t in reg.all()}
    assert "chung" in ids
    assert not reg.broken, [str(e) for e in reg.broken]
    for t in reg.all():
        assert t.sections and t.title and t.subject


@pytest.mark.parametrize("mutation, words", [
    (("version: 1", "version: một"), ["version", "số nguyên"]),
    (("{key: x, label: X}", "{key: x, label: X, type: integr}"), ["integr", "dòng 13"]),
    (("{key: x, label: X}", "{key: x, label: X, formula: \"rate(x, y)\"}"), ["«y»"]),
    (("{key: x, label: X}", "{key: X, label: X}"), ["khóa «X»"]),
    (("title: A\n", "title: A\n    colour: red\n"), ["colour"]),
    (("format: nq57-template/1", "format: other"), ["format"]),
    (("    title: A\n", "    title: A\n    style: fancy\n"), ["fancy"]),
    (("sections:", "sections: [\n"), ["YAML"]),
])
def test_broken_template_names_file_place_problem(mutation, words):
    text = MINIMAL.replace(*mutation)
    with pytest.raises(TemplateError) as ei:
        parse_template(text, "tinh-gui.yaml")
    msg = str(ei.value)
    assert "tinh-gui.yaml" in msg
    for w in words:
        assert w in msg, msg


def test_duplicate_keys_and_cycles_are_refused():
    dup = MINIMAL.replace("{key: x, label: X}", "{key: x, label: X}\n          - {key: x, label: Y}")
    with pytest.raises(TemplateError, match="bị trùng"):
        parse_template(dup, "d.yaml")
    cyc = MINIMAL.replace("{key: x, label: X}", '{key: x, label: X, formula: "y + 1"}\n          - {key: y, label: Y, formula: "x + 1"}')
    with pytest.raises(TemplateError, match="vòng"):
        parse_template(cyc, "c.yaml")


def test_numbering_is_generated_with_vietnamese_letters():
    assert label("point", 5) == "đ)"
    assert label("decimal", 1, (5, 1)) == "5.1.1."
    assert label("part", 2) == "Phần 2"
    tpl = parse_template(MINIMAL.replace("sections:\n", "numbering: [roman, arabic]\nsections:\n  - {key: b, title: B}\n"), "n.yaml")
    nums = number_sections(tpl)
    assert nums["b"][0] == "I." and nums["a"][0] == "II."


def test_expressions_are_parsed_not_evaluated_by_python():
    with pytest.raises(ExprError):
        parse("__import__('os').system('echo x')")
    with pytest.raises(ExprError):
        parse("x; y")

    class Env:
        def resolve(self, p):
            return {"a": 1, "b": 3}.get(p)

        def table_rows(self, k):
            return [{"s": "Đã hoàn thành"}, {"s": "Chưa"}, {"s": "Đã hoàn thành"}]

    assert evaluate("a + b * 2", Env()) == 7
    assert str(round(evaluate("rate(a, b)", Env()), 2)) == "33.33"
    assert evaluate("count(t, s, 'Đã hoàn thành')", Env()) == 2
    assert evaluate("rows(t)", Env()) == 3
    assert evaluate("a + missing", Env()) is None
    assert evaluate("rate(a, 0)", Env()) is None


def test_template_cache_gives_the_same_template_and_notices_changes(tmp_path):
    import shutil

    from nq57desk.templates import builtin_dir, load_template
    from nq57desk.templates.cache import cached_template

    src = tmp_path / "tn-tien-do-thang.yaml"
    shutil.copy(builtin_dir() / "tn-tien-do-thang.yaml", src)
    cache = tmp_path / "cache"
    first = cached_template(src, cache)
    assert len(list(cache.glob("*.pickle"))) == 1
    again = cached_template(src, cache)
    assert again == first == load_template(src)
    src.write_text(src.read_text(encoding="utf-8").replace("version: 1", "version: 7", 1), encoding="utf-8")
    changed = cached_template(src, cache)
    assert changed.version == 7 and len(list(cache.glob("*.pickle"))) == 1
    next(cache.glob("*.pickle")).write_bytes(b"not a pickle")
    assert cached_template(src, cache).version == 7  # a damaged entry is ignored
