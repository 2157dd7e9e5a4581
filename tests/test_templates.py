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
    (("title: T\n", "title: T\nprovinces: [\"99\"]\n"), ["mã tỉnh/thành «99»", "provinces"]),
    (("title: T\n", "title: T\nprovinces: 19\n"), ["provinces", "danh sách"]),
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
    src.write_text(src.read_text(encoding="utf-8").replace("version: 2", "version: 7", 1), encoding="utf-8")
    changed = cached_template(src, cache)
    assert changed.version == 7 and len(list(cache.glob("*.pickle"))) == 1
    next(cache.glob("*.pickle")).write_bytes(b"not a pickle")
    assert cached_template(src, cache).version == 7  # a damaged entry is ignored

# -- hostile or broken files from a USB stick -----------------------------------------------------------------

def _bomb(levels=8, width=9) -> str:
    text = 'l0: &l0 [' + ", ".join(['"x"'] * width) + ']\n'
    for i in range(1, levels + 1):
        text += f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]\n"
    return text


HOSTILE = {
    "alias-bomb": MINIMAL + "description: &d x\nrules: []\n" + _bomb().replace("l0: &l0", "intro: &l0"),
    "self-reference": "a: &a [*a]\n",
    "self-reference-map": "a: &a {b: *a}\n",
    "deep-nesting": "[" * 100_000 + "]" * 100_000,  # crashes the C parser if it ever reaches it
    "formula-3000-brackets": MINIMAL.replace("{key: x, label: X}", '{key: x, label: X, formula: "'
                                             + "(" * 3000 + "1" + ")" * 3000 + '"}'),
    "formula-40-brackets": MINIMAL.replace("{key: x, label: X}", '{key: x, label: X, formula: "'
                                           + "(" * 40 + "1" + ")" * 40 + '"}'),
    "formula-long-chain": MINIMAL.replace("{key: x, label: X}", '{key: x, label: X, formula: "'
                                          + " + ".join(["1"] * 2000) + '"}'),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_template_ends_quickly_with_exit_2(tmp_path, name):
    """Through the real command line in a child process: a hang, a crash or a traceback would show here."""
    import subprocess
    import sys
    import time

    f = tmp_path / f"tinh-{name}.yaml"
    f.write_text(HOSTILE[name], encoding="utf-8")
    t0 = time.monotonic()
    res = subprocess.run([sys.executable, "-m", "nq57desk", "--data-dir", str(tmp_path / "d"), "templates", "--import",
                          str(f)], capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert res.returncode == 2, (res.returncode, res.stderr)
    assert time.monotonic() - t0 < 60
    assert f"Mẫu báo cáo lỗi ({f.name}" in res.stderr and "Traceback" not in res.stderr, res.stderr
    assert not (tmp_path / "d" / "templates" / f.name).exists()


@pytest.mark.parametrize("name, words", [
    ("alias-bomb", ["bí danh", "dòng"]),
    ("self-reference", ["lặp vô tận"]),
    ("self-reference-map", ["lặp vô tận", "dòng 1"]),
    ("deep-nesting", ["lồng quá sâu", "dòng 1"]),
    ("formula-3000-brackets", ["quá dài", "trường 1 «x» (dòng 13)"]),
    ("formula-40-brackets", ["lồng quá sâu", "trường 1 «x» (dòng 13)"]),
    ("formula-long-chain", ["quá dài"]),
])
def test_hostile_template_messages(name, words):
    with pytest.raises(TemplateError) as ei:
        parse_template(HOSTILE[name], "tinh.yaml")
    for w in words:
        assert w in str(ei.value), str(ei.value)


def test_one_bad_file_does_not_break_every_command(data_dir, monkeypatch, capsys):
    from nq57desk.cli import main

    tdir = data_dir / "templates"
    tdir.mkdir(exist_ok=True)
    (tdir / "bom.yaml").write_text(HOSTILE["alias-bomb"], encoding="utf-8")
    (tdir / "vong.yaml").write_text(HOSTILE["self-reference"], encoding="utf-8")
    (tdir / "la.yaml").write_text(MINIMAL, encoding="utf-8")
    real = Registry._load

    def flaky(self, path):
        if path.name == "la.yaml":
            raise ValueError("something nobody foresaw")
        return real(self, path)

    monkeypatch.setattr(Registry, "_load", flaky)
    reg = Registry([tdir])
    assert {"chung", "tw-de-cuong"} <= {t.id for t in reg.all()}
    broken = {e.source: str(e) for e in reg.broken}
    assert set(broken) == {"bom.yaml", "vong.yaml", "la.yaml"}
    assert "ValueError" in broken["la.yaml"] and "Mẫu báo cáo lỗi (la.yaml)" in broken["la.yaml"]
    assert main(["--data-dir", str(data_dir), "templates"]) == 0, capsys.readouterr()
    out, err = capsys.readouterr()
    assert "tw-de-cuong\t" in out and err.count("Cảnh báo: Mẫu báo cáo lỗi") == 3


@pytest.mark.parametrize("mutation, words", [
    (("sections:", "sections: [\n"), ["dòng 9, cột 3", "thiếu giá trị"]),
    (("title: T\n", "title: [T, U\n"), ["thiếu dấu phẩy", "ngoặc đóng «]»", "(while parsing a flow sequence"]),
    (("title: T\n", "title: {a: 1\n"), ["ngoặc đóng «}»"]),
    (("    title: A\n", "\ttitle: A\n"), ["tab", "dấu cách"]),
    (("title: T\n", "title: T: x\n"), ["dấu hai chấm", "ngoặc kép", "dòng 5, cột 9"]),
    (("title: T\n", "title: @T\n"), ["ký tự «@»", "ngoặc kép"]),
    (("title: T\n", 'title: "T\\q"\n'), ["ký tự thoát"]),
    (("title: T\n", "title: *khong\n"), ["bí danh", "chưa khai báo"]),
    (("title: T\n", "title: !!python/object:os.system T\n"), ["thẻ «!…»"]),
    (("title: T\n", "title: T\x01\n"), ["ký tự điều khiển", "U+0001", "dòng 5"]),
    (("title: T\n", "title: T\n---\nx: 1\n"), ["một tài liệu"]),
])
def test_yaml_syntax_errors_are_told_in_vietnamese(mutation, words):
    with pytest.raises(TemplateError) as ei:
        parse_template(MINIMAL.replace(*mutation), "tinh-gui.yaml")
    msg = str(ei.value)
    assert "tinh-gui.yaml" in msg and "không đọc được YAML/JSON: " in msg
    for w in words:
        assert w in msg, msg
    assert msg.split("không đọc được YAML/JSON: ")[1][:1].islower()  # a Vietnamese sentence first, not PyYAML's


@pytest.mark.parametrize("mutation, words", [
    (("{key: x, label: X}", '{key: x, label: X, formula: "rows(khong_co)"}'), ["khong_co", "(dòng 13)"]),
    (("{key: x, label: X}", '{key: x, label: X, formula: "colsum(t, c)"}'), ["«t»", "(dòng 13)"]),
    (("      - type: fields", "      - {type: appendix_ref, appendix: pl9}\n      - type: fields"), ["pl9", "(dòng 11)"]),
    (("{key: x, label: X}", '{key: x, label: X, formula: "y + 1"}\n          - {key: y, label: Y, formula: "x + 1"}'),
     ["vòng", "x → y → x", "(dòng 13)"]),
    (("{key: x, label: X}", "{key: x, label: X, cumulative_of: khong}"), ["cumulative_of", "(dòng 13)"]),
    (("sections:", "rules:\n  - {kind: le, left: x, right: khong}\nsections:"), ["«khong»", "(dòng 8)"]),
    (("sections:", "rules:\n  - {kind: le, left: x, right: x, where: dau}\nsections:"), ["where", "(dòng 8)"]),
])
def test_reference_errors_give_the_line(mutation, words):
    with pytest.raises(TemplateError) as ei:
        parse_template(MINIMAL.replace(*mutation), "tinh-gui.yaml")
    for w in words:
        assert w in str(ei.value), str(ei.value)


def test_registry_with_a_cache_gives_the_same_templates(tmp_path):
    """The data folder's registry keeps parsed templates between runs; what it gives is what parsing gives."""
    cache = tmp_path / "cache"
    plain = Registry().all()
    first = Registry(cache_dir=cache).all()
    assert first == plain and len(list(cache.glob("*.pickle"))) == len(plain)
    for entry in cache.glob("*.pickle"):
        entry.write_bytes(b"not a pickle")  # damaged entries are parsed again, not trusted
    assert Registry(cache_dir=cache).all() == plain
    assert Registry(cache_dir=cache).all() == plain  # from the rewritten entries


def test_a_province_template_names_its_provinces():
    t = parse_template(MINIMAL.replace("title: T\n", 'title: T\nprovinces: ["19", "31"]\n'), "t.yaml")
    assert t.provinces == ("19", "31")
    assert parse_template(MINIMAL, "t.yaml").provinces == ()
