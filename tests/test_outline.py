"""A report's own outline: rename, hide, add, reorder, move — kept in the document, printed, checked, carried."""

from __future__ import annotations

import copy
import json

import pytest

from nq57desk.errors import DocumentError
from nq57desk.render.tree import Heading, build, to_text
from nq57desk.report import outline as ops
from nq57desk.report.document import check_document, dumps, loads, make_period, new_document
from nq57desk.services import Desk
from nq57desk.templates import Registry
from nq57desk.templates.model import MAX_DEPTH
from nq57desk.validation import validate
from tests.helpers.keys import TEST_KEY

from .helpers.outline import written

COMMUNE = {"code": "05503", "name": "Xã Tân Cương", "province_code": "19", "province_name": "Thái Nguyên"}


@pytest.fixture(scope="module")
def chung():
    return Registry().get("chung")


def fresh(tpl):
    return new_document(tpl, COMMUNE, make_period("half", 2026, 1))


def headings(tpl, doc) -> list[str]:
    return [n.text for n in build(tpl, written(tpl, doc)).body if isinstance(n, Heading)]


def test_no_outline_is_the_template(chung):
    doc = fresh(chung)
    assert "outline" not in doc
    assert ops.shape(chung, doc) is chung


def test_rename_keeps_keys_and_prints_the_new_title(chung):
    doc = fresh(chung)
    first = chung.sections[0]
    new = ops.rename(chung, doc, first.key, "Công tác lãnh đạo của Đảng ủy")
    assert "outline" not in doc  # the input is never changed
    shaped = ops.shape(chung, new)
    assert shaped.sections[0].key == first.key and shaped.sections[0].title == "Công tác lãnh đạo của Đảng ủy"
    assert any(h.endswith("CÔNG TÁC LÃNH ĐẠO CỦA ĐẢNG ỦY") or h.endswith("Công tác lãnh đạo của Đảng ủy")
               for h in headings(chung, new))
    # renaming back to the template's title keeps no override
    back = ops.rename(chung, new, first.key, first.title)
    assert "title" not in ops.outline_of(chung, back)["sections"][0]
    check_document(new, chung)


@pytest.mark.parametrize("bad", ["", "   ", "a\nb", "x" * 501, 5])
def test_rename_refuses_bad_titles(chung, bad):
    with pytest.raises(DocumentError):
        ops.rename(chung, fresh(chung), chung.sections[0].key, bad)


def test_hidden_section_is_not_printed_checked_or_numbered(chung):
    doc = fresh(chung)
    first, second = chung.sections[0], chung.sections[1]
    new = ops.set_hidden(chung, doc, first.key, True)
    hs = headings(chung, new)
    assert not any(first.title.upper() in h.upper() for h in hs)
    assert hs[0].startswith("I. ")  # the next section takes number I.
    assert second.title.upper() in hs[0].upper()
    vis = ops.shape(chung, new).visible()
    assert first.key not in {s.key for s in vis.sections}
    assert all(f.where != first.key for f in validate(chung, new))
    shown = ops.set_hidden(chung, new, first.key, False)
    assert ops.shape(chung, shown).visible().sections[0].key == first.key


def test_add_sections_to_depth_six_and_no_deeper(chung):
    doc, parent = fresh(chung), chung.sections[0].key
    keys = []
    for level in range(1, MAX_DEPTH):
        doc, parent = ops.add_section(chung, doc, parent, f"Mục cấp {level + 1}")
        keys.append(parent)
    with pytest.raises(DocumentError, match="tối đa 6 cấp"):
        ops.add_section(chung, doc, parent, "Quá sâu")
    check_document(doc, chung)
    hs = headings(chung, doc)
    labels = [h.split(" ")[0] for h in hs if "Mục cấp" in h]
    assert len(labels) == MAX_DEPTH - 1
    assert len(set(labels)) == len(labels)  # every level numbered differently: 1. a) - + …
    # each added section got a text block to write in, printed once written
    shaped = ops.shape(chung, doc)
    deepest = next(s for _a, s in shaped.walk_sections() if s.key == keys[-1])
    doc["values"][deepest.blocks[0].key] = "Nội dung ở cấp sâu nhất."
    assert "Nội dung ở cấp sâu nhất." in to_text(build(chung, doc))
    # a section with nothing written prints no heading, and its siblings' numbers do not jump
    doc["values"] = {k: ("" if isinstance(v, str) else v) for k, v in doc["values"].items()}
    doc["values"][chung.sections[2].blocks[0].key] = {"uu_diem": "Tốt."}
    assert headings(chung, doc)[0].startswith("I. ") and [h for h in
                                                           [n.text for n in build(chung, doc).body if isinstance(n, Heading)]][0].startswith("I. ")


def test_reorder_and_move_section_and_block(chung):
    doc = fresh(chung)
    a, b = chung.sections[0].key, chung.sections[1].key
    new = ops.move_section(chung, doc, b, -1)
    assert [s.key for s in ops.shape(chung, new).sections][:2] == [b, a]
    assert ops.move_section(chung, new, b, -1) is new  # already first: nothing changes
    new, added = ops.add_section(chung, new, None, "Phần tự thêm")
    new = ops.move_section_to(chung, new, added, a, 0)
    shaped = ops.shape(chung, new)
    assert next(s for s in shaped.sections if s.key == a).children[0].key == added
    with pytest.raises(DocumentError):
        ops.move_section_to(chung, new, a, added)  # into its own child
    # a template block moved into the added section prints there
    blk = next(s for s in chung.sections if s.blocks).blocks[0]
    new = ops.move_block(chung, new, blk.key, added)
    assert ops.shape(chung, new).container_of(blk.key) == added
    check_document(new, chung)
    # removing the added section puts the template block back where the template has it
    gone = ops.remove_section(chung, new, added)
    assert ops.shape(chung, gone).container_of(blk.key) == chung.container_of(blk.key)


def test_template_sections_cannot_be_removed_only_hidden(chung):
    with pytest.raises(DocumentError, match="ẩn"):
        ops.remove_section(chung, fresh(chung), chung.sections[0].key)


def test_added_blocks_of_every_kind(chung):
    doc = fresh(chung)
    sec = chung.sections[0].key
    for kind in ops.ADDABLE_KINDS:
        if kind == "figures":  # a figure group is picked from the catalogue (test below)
            continue
        spec = {"type": kind, "label": ops.ADDABLE_KINDS[kind]}
        if kind == "table":  # the officer describes its columns (tests/test_free_tables.py)
            spec["columns"] = [{"key": "noi_dung", "label": "Nội dung"}, {"key": "so", "label": "Số", "type": "integer"}]
        doc, key = ops.add_block(chung, doc, sec, spec)
        assert key in doc["values"]
    check_document(doc, chung)
    doc2 = loads(dumps(doc))
    check_document(doc2, chung)
    added = {b.kind for b in ops.shape(chung, doc2).sections[0].blocks}
    assert {"text", "list", "documents", "assessment", "amounts", "tasks", "table"} <= added


def test_numbering_of_the_report(chung):
    doc = fresh(chung)
    new = ops.set_numbering(chung, doc, ["upper", "roman", "arabic"])
    hs = headings(chung, new)
    assert hs[0].startswith("A. ") and hs[1].startswith("B. ")
    with pytest.raises(DocumentError):
        ops.set_numbering(chung, doc, ["bogus"])


def test_older_documents_import_unchanged(chung):
    doc = fresh(chung)
    doc["format"] = "nq57-report/1"
    check_document(doc, chung)


# -- hostile outlines, as an attacker would write them -------------------------------------------------------------

def _with_outline(tpl, o):
    doc = fresh(tpl)
    doc["outline"] = o
    return doc


def _nest(n):
    node = {"key": "muc_x", "title": "x", "added": True, "blocks": [], "children": []}
    for i in range(n):
        node = {"key": f"muc_{i}", "title": "x", "added": True, "blocks": [], "children": [node]}
    return node


@pytest.mark.parametrize("o", [
    [],
    {"sections": []},
    {"sections": "x"},
    {"sections": [{"key": "Bad Key"}]},
    {"sections": [{"key": "khong_co"}]},  # not a template section, not marked added
    {"sections": [{"key": "muc_1", "added": True}]},  # added without a title
    {"sections": [{"key": "muc_1", "added": True, "title": "\x00"}]},
    {"sections": [{"key": "muc_1", "added": True, "title": "x", "blocks": ["khong_co"]}]},
    {"sections": [{"key": "muc_1", "added": True, "title": "x", "blocks": []}], "blocks": {"b1": {"type": "text"}}},
    {"sections": [{"key": "muc_1", "added": True, "title": "x", "blocks": ["b1"]}], "blocks": {"b1": {"type": "evil"}}},
    {"sections": [{"key": "muc_1", "added": True, "title": "x", "blocks": ["b1", "b1"]}],
     "blocks": {"b1": {"type": "text"}}},
    {"sections": [{"key": "muc_1", "added": True, "title": "x"}, {"key": "muc_1", "added": True, "title": "y"}]},
    {"sections": [{"key": "muc_1", "added": True, "title": "x", "extra": 1}]},
    {"sections": [_nest(10)]},
    {"sections": [{"key": f"muc_{i}", "added": True, "title": "x"} for i in range(3000)]},
    {"sections": [{"key": "muc_1", "added": True, "title": "x"}], "numbering": ["roman"] * 50},
])
def test_hostile_outlines_refused_in_vietnamese(chung, o):
    doc = _with_outline(chung, o)
    with pytest.raises(DocumentError) as e:
        check_document(doc, chung)
    assert e.value.problem and e.value.place.startswith("outline")


def test_outline_nested_5000_deep_refused_on_import():
    text = '{"outline": {"sections": [' + '{"key": "muc_1", "children": [' * 5000 + ']}' * 5000 + ']}}'
    with pytest.raises(DocumentError, match="sâu"):
        loads(text)


def test_added_section_key_may_not_shadow_a_template_key(chung):
    fkey = next(iter(chung.fields()), None) or chung.sections[0].key
    o = ops.outline_of(chung, fresh(chung))
    o["sections"].append({"key": fkey, "title": "x", "added": True, "blocks": [], "children": []})
    with pytest.raises(DocumentError):
        check_document(_with_outline(chung, o), chung)


def test_sections_missing_from_an_outline_come_back(chung):
    """An outline written for an older template (or by hand) that leaves sections out loses none of them."""
    o = {"sections": [{"key": chung.sections[-1].key, "blocks": [], "children": []}]}
    doc = _with_outline(chung, o)
    check_document(doc, chung)
    shaped = ops.shape(chung, doc)
    assert {s.key for _a, s in shaped.walk_sections()} == {s.key for _a, s in chung.walk_sections()}
    assert {b.key for _c, b in shaped.blocks()} == {b.key for _c, b in chung.blocks()}


# -- through the desk: stored, exported, carried to the next period ------------------------------------------------

def test_shape_is_stored_exported_and_carried(tmp_path, chung):
    desk = Desk(tmp_path / "data", start_backup=False)
    try:
        desk.save_profile({"commune_code": "05503"})
        rid = desk.create_report("chung", {"kind": "half", "year": 2026, "number": 1})
        doc = desk.document(rid)
        tpl = desk.template_of(rid)
        doc = ops.rename(tpl, doc, chung.sections[0].key, "Lãnh đạo, chỉ đạo của cấp ủy")
        doc, added = ops.add_section(tpl, doc, None, "Nguyên nhân khách quan, chủ quan")
        bkey = ops.shape(tpl, doc).sections[-1].blocks[0].key
        doc = written(tpl, doc)
        doc["values"][bkey] = "Do thiếu kinh phí."
        doc = ops.set_hidden(tpl, doc, chung.sections[1].key, True)
        desk.save_document(rid, doc)
        stored = desk.document(rid)
        assert stored["outline"] == doc["outline"] and stored["format"] == "nq57-report/2"
        out = tmp_path / "r.docx"
        desk.export_docx(rid, out)
        from docx import Document

        text = "\n".join(p.text for p in Document(out).paragraphs)
        assert "LÃNH ĐẠO, CHỈ ĐẠO CỦA CẤP ỦY" in text.upper() and "Do thiếu kinh phí." in text
        assert chung.sections[1].title.upper() not in text.upper()
        # the next period keeps the shape, with the added block empty
        rid2 = desk.create_report("chung", {"kind": "half", "year": 2026, "number": 2}, from_previous=True)
        nxt = desk.document(rid2)
        assert nxt["outline"]["sections"] == stored["outline"]["sections"]
        assert ops.shape(tpl, nxt).sections[-1].title == "Nguyên nhân khách quan, chủ quan"
        assert "6 tháng đầu năm 2026" not in json.dumps(nxt["values"], ensure_ascii=False)
        # a dump of the report imports again with its shape
        rid3 = desk.import_report(desk.dump(rid))
        assert desk.document(rid3)["outline"] == stored["outline"]
    finally:
        desk.close()


def test_bundle_leaves_hidden_figures_out(tmp_path):
    tpl = Registry().get("hp-6thang")
    doc = new_document(tpl, {"code": "11635", "name": "Xã An Trường", "province_code": "31",
                             "province_name": "Thành phố Hải Phòng"}, make_period("half", 2026, 1))
    key = tpl.container_of("tthc_total")
    doc["values"]["tthc_total"] = 120
    hidden = ops.set_hidden(tpl, doc, key, True)
    from nq57desk.bundle.writer import build_workbook

    wb = build_workbook(tpl, copy.deepcopy(hidden), key=TEST_KEY, app_version="test")
    figures = [c.value for row in wb.worksheets[1].iter_rows() for c in row]
    assert 120 not in figures
    wb2 = build_workbook(tpl, doc, key=TEST_KEY, app_version="test")
    assert 120 in [c.value for row in wb2.worksheets[1].iter_rows() for c in row]


def test_a_figure_group_from_the_catalogue_is_one_figure_with_the_report():
    """hp-6thang already asks for procedures (tthc_total, tthc_full, tthc_partial: catalogue indicators): a figure
    group added elsewhere shows those same figures, typed once; its rate is computed."""
    tpl = Registry().get("hp-6thang")
    doc = new_document(tpl, {"code": "11635", "name": "Xã An Trường", "province_code": "31",
                             "province_name": "Thành phố Hải Phòng"}, make_period("half", 2026, 1))
    doc["values"]["tthc_total"] = 381
    doc, key = ops.add_block(tpl, doc, tpl.sections[-1].key, {
        "type": "fields", "label": "Thủ tục", "indicators": ["tthc.total", "tthc.full_online", "tthc.part_online"]})
    by = {f.indicator: f.key for f in ops.shape(tpl, doc).block(key).fields}
    assert (by["tthc.total"], by["tthc.full_online"], by["tthc.part_online"]) == ("tthc_total", "tthc_full",
                                                                                  "tthc_partial")
    assert doc["values"]["tthc_total"] == 381  # the same figure, not a copy
    assert ops.shape(tpl, doc).field(by["tthc.full_online.rate"]).derived  # computed, never typed
    check_document(doc, tpl)


def test_a_figure_group_brings_its_checks_with_the_numbers(chung):
    """In chung (no figures of its own) the group's parts may not exceed its total; «not offered online» is not
    listed, so the listed parts need not add up to it."""
    doc = fresh(chung)
    doc, key = ops.add_block(chung, doc, chung.sections[1].key, {
        "type": "fields", "label": "Thủ tục", "indicators": ["tthc.total", "tthc.full_online", "tthc.part_online"]})
    by = {f.indicator: f.key for f in ops.shape(chung, doc).block(key).fields}
    doc["values"].update({by["tthc.total"]: 381, by["tthc.full_online"]: 222, by["tthc.part_online"]: 170})
    check_document(doc, chung)
    errors = [f for f in validate(chung, doc) if f.severity == "error"]
    assert any("222" in f.message and "170" in f.message and "381" in f.message for f in errors), errors
    doc["values"][by["tthc.part_online"]] = 150  # 372 ≤ 381: the rest may be procedures not offered online
    assert not [f for f in validate(chung, doc) if f.severity == "error" and "381" in f.message]
