"""Hostile files made as an outside attacker would: a golden report's own bundle, its zip edited by hand.

Shared by tests/test_hostile_*.py and bench/aggregate.py (the hostile 20 MB measurement).
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

from tests.helpers.keys import TEST_KEY

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "tests" / "fixtures" / "reports"
EXPORTED = dt.datetime(2026, 6, 5, 9, 30)


def golden(name: str = "003_phu_thinh.json", code: str | None = None):
    """(registry, template, document) of a golden report, as a commune of its province would send it."""
    from nq57desk.report.document import loads
    from nq57desk.templates import Registry
    from nq57desk.units import commune_dict

    doc = loads((REPORTS / name).read_bytes())
    reg = Registry()
    tpl = reg.get(doc["template"]["id"], doc["template"]["version"])
    if code is not None:
        doc = copy.deepcopy(doc)
        doc["commune"] = commune_dict(code)
    return reg, tpl, doc


def write_golden(path: Path, name: str = "003_phu_thinh.json", code: str | None = None) -> Path:
    from nq57desk.bundle.writer import write_bundle

    _reg, tpl, doc = golden(name, code)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bundle(tpl, doc, path, app_version="0.1.0-test", exported_at=EXPORTED, key=TEST_KEY)
    return path


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def rezip(path: Path, parts: dict[str, bytes], out: Path | None = None) -> Path:
    """Write the parts back as a zip (what an attacker's tool does after editing), deflated."""
    out = out or path
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    out.write_bytes(buf.getvalue())
    return out


def sheet_part(parts: dict[str, bytes], title: str) -> str:
    """The zip member of the sheet with this title (through workbook.xml and its relationships)."""
    wb = parts["xl/workbook.xml"].decode("utf-8")
    rels = parts["xl/_rels/workbook.xml.rels"].decode("utf-8")
    m = re.search(r'<sheet[^>]*name="' + re.escape(title) + r'"[^>]*r:id="([^"]+)"', wb)
    rid = m.group(1)
    t = re.search(r'<Relationship[^>]*Id="' + rid + r'"[^>]*/>', rels).group(0)
    target = re.search(r'Target="([^"]+)"', t).group(1)
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


def add_far_rows(path: Path, title: str, n: int, *, column: str = "XFD", out: Path | None = None) -> Path:
    """n extra rows after the sheet's last one, each with one text cell in `column` (XFD: the last Excel has)."""
    parts = members(path)
    part = sheet_part(parts, title)
    xml = parts[part].decode("utf-8")
    last = max(int(x) for x in re.findall(r'<row[^>]* r="(\d+)"', xml))
    rows = "".join(f'<row r="{r}"><c r="{column}{r}" t="inlineStr"><is><t>x</t></is></c></row>'
                   for r in range(last + 1, last + 1 + n))
    parts[part] = xml.replace("</sheetData>", rows + "</sheetData>").encode("utf-8")
    return rezip(path, parts, out)


def _noise(n: int, seed: int) -> str:
    """n characters that do not compress (so a 20 MB file really carries 20 MB of content)."""
    import base64
    import random

    return base64.b64encode(random.Random(seed).randbytes(n * 3 // 4 + 3)).decode()[:n]


def big_hostile(path: Path, kind: str, size_mb: int = 20) -> Path:
    """A bundle of about size_mb MB built to cost memory and time, of one kind:

    - far_rows: the hidden sheet grows rows with a long text in column XFD (openpyxl padded each to 16,384 cells);
    - many_cells: the text sheet grows 60 narrow columns of short texts on as many rows as the size allows;
    - long_texts: the text sheet grows cells of 30,000 characters each;
    - shared: the shared string table grows strings that no cell uses;
    - near_limits: the text sheet grows just under every limit (rows, cells, text): the most work a file can ask.
    """
    good = write_golden(path.with_name("golden-for-" + path.name))
    parts = members(good)
    target = size_mb * 1024 * 1024
    if kind == "shared":
        extra = "".join(f"<si><t>{_noise(2_000, i)}</t></si>" for i in range(target * 4 // 3 // 2_000))
        parts["xl/sharedStrings.xml"] = ('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                                         + extra + "</sst>").encode("utf-8")
        parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
            b"</Relationships>", b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/'
            b'2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
        return rezip(good, parts, path)
    title = "_data" if kind == "far_rows" else "Nội dung"
    part = sheet_part(parts, title)
    xml = parts[part].decode("utf-8")
    last = max(int(x) for x in re.findall(r'<row[^>]* r="(\d+)"', xml))
    rows, size, r = [], 0, last
    while size < target * 4 // 3:  # characters of noise: base64 packs 3 bytes in 4
        r += 1
        if kind == "far_rows":
            row = f'<row r="{r}"><c r="XFD{r}" t="inlineStr"><is><t>{_noise(1_000, r)}</t></is></c></row>'
        elif kind == "near_limits":
            if r >= 19_500 or size > 15_000_000:
                break
            noise = _noise(5 * 150, r)
            cells = "".join(f'<c t="inlineStr"><is><t>{noise[i * 150:(i + 1) * 150]}</t></is></c>' for i in range(5))
            row = f'<row r="{r}">{cells}</row>'
        elif kind == "many_cells":
            noise = _noise(60 * 40, r)
            cells = "".join(f'<c t="inlineStr"><is><t>{noise[i * 40:(i + 1) * 40]}</t></is></c>' for i in range(60))
            row = f'<row r="{r}">{cells}</row>'
        else:
            row = f'<row r="{r}"><c r="B{r}" t="inlineStr"><is><t>{_noise(30_000, r)}</t></is></c></row>'
        rows.append(row)
        size += {"far_rows": 1_000, "many_cells": 2_400, "near_limits": 750}.get(kind, 30_000)
    parts[part] = xml.replace("</sheetData>", "".join(rows) + "</sheetData>").encode("utf-8")
    return rezip(good, parts, path)
