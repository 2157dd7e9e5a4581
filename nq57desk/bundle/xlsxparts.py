"""The parts of an .xlsx from outside, read with a streaming XML parser and hard limits (no openpyxl).

openpyxl pads every row to the sheet's last column and builds each row whole before anyone can look at it: one
cell in column XFD makes every row 16,384 cells. Here expat hands over each element as it comes, so a row with a
cell beyond the last column a bundle can have, a sheet longer than a bundle can be, too many cells or too much
text are refused at the first element that goes too far, with memory bounded by the limits, not by the file.

Values are read as openpyxl's read-only mode reads them for the cells a bundle holds (shared and inline strings,
numbers, booleans); number formats are not applied (a date style does not turn a number into a date). Any formula
(<f>, shared or array), conditional-format or validation formula, OLE object or control in a sheet is refused, and
so is a hidden or zero-size row or column. Each Sheet records its declared <dimension> and the last row and column
holding a cell, for the cross-check against what the template makes (nq57desk.bundle.crosscheck).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.parsers import expat

from nq57desk.bundle.format import MAX_CELL_TEXT, MAX_CELLS, MAX_COLUMNS, MAX_ROWS, MAX_TEXT

_CHUNK = 256 * 1024
_SMALL_PART = 16 * 1024 * 1024  # workbook, relationships, content types: kilobytes in a real file
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_OFFICE_DOC = "/officeDocument"
_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})$")
_FORMULA_TAGS = {"f", "formula", "formula1", "formula2"}
_ACTIVE_TAGS = {"oleObject", "oleObjects", "control", "controls", "oleSize", "webPublishItems"}
# A defined name may only be one of the print settings a bundle has, pointing at cells (no function, no link).
_SAFE_NAMES = {"_xlnm.Print_Titles", "_xlnm.Print_Area", "_xlnm._FilterDatabase"}
_RANGE = re.compile(r"^(?:(?:'(?:[^']|'')+'|[\w.]+)!)?\$?[A-Z]{0,3}\$?\d{0,7}(?::\$?[A-Z]{0,3}\$?\d{0,7})?"
                    r"(?:,(?:(?:'(?:[^']|'')+'|[\w.]+)!)?\$?[A-Z]{0,3}\$?\d{0,7}(?::\$?[A-Z]{0,3}\$?\d{0,7})?)*$")


class Refused(Exception):
    """A part goes beyond what a bundle can be: `reason` is a reader.MSG key, `args_vi` fill its message."""

    def __init__(self, reason: str, *args_vi):
        super().__init__(reason, *args_vi)
        self.reason, self.args_vi = reason, args_vi


@dataclass
class Budget:
    """What the whole workbook may still hold: every cell and every character of text counts once."""

    cells: int = MAX_CELLS
    text: int = MAX_TEXT

    def spend_cell(self) -> None:
        self.cells -= 1
        if self.cells < 0:
            raise Refused("too_many_cells", f"{MAX_CELLS:,}".replace(",", "."))

    def spend_text(self, n: int) -> None:
        self.text -= n
        if self.text < 0:
            raise Refused("too_much_text", f"{MAX_TEXT // 1_000_000}")


@dataclass
class Sheet:
    title: str
    state: str  # visible | hidden | veryHidden
    part: str  # the zip member the workbook's relationship points to
    declared: tuple[int, int] = (0, 0)  # (last row, last column) its <dimension> declares, once read
    extent: tuple[int, int] = (0, 0)  # (last row, last column) holding a cell, once read


@dataclass
class Workbook:
    sheets: list[Sheet] = field(default_factory=list)
    shared_strings: str | None = None  # the zip member, if any


def _parser(on_start=None, on_end=None, on_text=None) -> expat.XMLParserType:
    """An expat parser that refuses any DTD or entity (defusedxml's rules) and splits names as 'ns}local'."""
    p = expat.ParserCreate(encoding=None, namespace_separator="}")
    p.buffer_text = True
    p.buffer_size = 64 * 1024
    p.ordered_attributes = False

    def refuse(*_a):
        raise Refused("xml_entity_part")

    p.StartDoctypeDeclHandler = refuse
    p.EntityDeclHandler = refuse
    p.UnparsedEntityDeclHandler = refuse
    p.ExternalEntityRefHandler = refuse
    p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    if on_start:
        p.StartElementHandler = on_start
    if on_end:
        p.EndElementHandler = on_end
    if on_text:
        p.CharacterDataHandler = on_text
    return p


_LOCAL: dict[str, str] = {}


def _local(name: str) -> str:
    """'ns}row' → 'row' (memoised: a sheet repeats a handful of names hundreds of thousands of times)."""
    tag = _LOCAL.get(name)
    if tag is None:
        tag = name.rsplit("}", 1)[-1]
        if len(_LOCAL) < 10_000:
            _LOCAL[name] = tag
    return tag


def _feed(zf: zipfile.ZipFile, member: str, p, *, limit: int | None = None, after=None) -> Iterator[None]:
    """Feed a member to the parser in chunks; yields after each chunk (so rows can be handed on)."""
    try:
        info = zf.getinfo(member)
    except KeyError:
        raise Refused("missing_part", member) from None
    if limit is not None and info.file_size > limit:
        raise Refused("part_too_big", member)
    try:
        with zf.open(info) as f:
            while chunk := f.read(_CHUNK):
                p.Parse(chunk, False)
                yield
            p.Parse(b"", True)
            yield
    except expat.ExpatError as e:
        raise Refused("bad_xml", member, expat.errors.messages.get(e.code, str(e))) from None


def _parse_small(zf, member: str, on_start=None, on_end=None, on_text=None) -> None:
    for _ in _feed(zf, member, _parser(on_start, on_end, on_text), limit=_SMALL_PART):
        pass


def _rels(zf: zipfile.ZipFile, source: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (type, member) of one part; targets resolved as OPC says (relative to the source's folder)."""
    folder, base = posixpath.split(source)
    rels_name = posixpath.join(folder, "_rels", base + ".rels")
    out: dict[str, tuple[str, str]] = {}
    if rels_name not in zf.NameToInfo:
        return out

    def start(name, attrs):
        if _local(name) == "Relationship":
            target = attrs.get("Target") or ""
            member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            out[attrs.get("Id") or ""] = (attrs.get("Type") or "", member)

    _parse_small(zf, rels_name, start)
    return out


def workbook(zf: zipfile.ZipFile) -> Workbook:
    """The sheets (title, state, part) in workbook order, wherever the relationships put them."""
    doc = next((m for t, m in _rels(zf, "").values() if t.endswith(_OFFICE_DOC)), None)
    if doc is None:
        raise Refused("missing_part", "_rels/.rels")
    rels = _rels(zf, doc)
    wb = Workbook()
    names: list[tuple[str, str]] = []
    dn: dict = {"name": None, "text": []}

    def start(name, attrs):
        tag = _local(name)
        if tag == "sheet":
            rid = attrs.get(f"{_REL_NS}}}id", "")
            kind, member = rels.get(rid, ("", ""))
            if kind.endswith("/chartsheet"):
                return  # a chart drawn from cells (the consolidated workbook): no data of its own
            if not kind.endswith("/worksheet"):
                raise Refused("not_worksheet", attrs.get("name") or rid)  # chartsheet, dialog or macro sheet
            wb.sheets.append(Sheet(attrs.get("name") or "", attrs.get("state") or "visible", member))
        elif tag == "definedName":
            dn["name"], dn["text"] = attrs.get("name") or "", []

    def chars(data):
        if dn["name"] is not None:
            dn["text"].append(data)

    def end(name):
        if _local(name) == "definedName":
            names.append((dn["name"], "".join(dn["text"])))
            dn["name"] = None

    _parse_small(zf, doc, start, end, chars)
    for nm, value in names:
        if nm not in _SAFE_NAMES or not _RANGE.match(value.strip()):
            raise Refused("formula", f"tên «{nm}»")
    wb.shared_strings = next((m for t, m in rels.values() if t.endswith("/sharedStrings")), None)
    return wb


def shared_strings(zf: zipfile.ZipFile, member: str | None, budget: Budget) -> list[str]:
    """The shared string table, each string's text as openpyxl reads it (plain and rich runs, no phonetic runs)."""
    out: list[str] = []
    if member is None:
        return out
    st = {"in_si": False, "skip": 0, "t": False, "n": 0}
    parts: list[str] = []

    def start(name, _attrs):
        tag = _local(name)
        if tag == "si":
            st["in_si"], st["n"] = True, 0
            parts.clear()
            budget.spend_cell()
        elif tag == "rPh":
            st["skip"] += 1
        elif tag == "t" and st["in_si"] and not st["skip"]:
            st["t"] = True

    def end(name):
        tag = _local(name)
        if tag == "si":
            out.append("".join(parts).replace("x005F_", ""))
            st["in_si"] = False
        elif tag == "rPh":
            st["skip"] -= 1
        elif tag == "t":
            st["t"] = False

    def chars(data):
        if st["t"]:
            st["n"] += len(data)
            if st["n"] > MAX_CELL_TEXT:
                raise Refused("cell_text", "bảng chuỗi dùng chung", f"{MAX_CELL_TEXT:,}".replace(",", "."))
            budget.spend_text(len(data))
            parts.append(data)

    for _ in _feed(zf, member, _parser(start, end, chars)):
        pass
    return out


def column_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _letters(n: int) -> str:
    """3 → "C", 28 → "AB": a column as Excel names it."""
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _bounds(ref: str) -> tuple[int, int]:
    """(last row, last column) of a <dimension ref="A1:F30">."""
    last = ref.split(":")[-1].strip()
    m = _REF.match(last)
    if not m:
        return 0, 0
    return int(m.group(2)), column_index(m.group(1))


def rows(zf: zipfile.ZipFile, sheet: Sheet, strings: list[str], budget: Budget) -> Iterator[tuple[int, tuple]]:
    """(row number, values from column A) of every row that has a cell, in order; refused at the first element
    beyond the limits (a declared dimension, a row or column too far, a formula, too many cells or characters)."""
    title = sheet.title
    ready: list[tuple[int, tuple]] = []
    st = {"row": 0, "col": 0, "last": 0, "lastrow": 0, "cell": None, "type": "n", "v": False, "is": 0, "t": False,
          "skip": 0, "n": 0}
    cells: dict[int, object] = {}
    text: list[str] = []

    def start(name, attrs):
        tag = _local(name)
        if tag == "c":
            budget.spend_cell()
            ref = attrs.get("r")
            if ref:
                m = _REF.match(ref)
                if not m:
                    raise Refused("bad_cell", title, ref[:20])
                col = column_index(m.group(1))
            else:
                col = st["col"] + 1
            if col > MAX_COLUMNS:
                raise Refused("too_wide", title, ref or col)
            if col > st["last"]:
                st["last"] = col
            st["lastrow"] = st["row"]
            st["col"], st["cell"], st["type"], st["n"] = col, col, attrs.get("t", "n"), 0
            text.clear()
        elif tag == "v":
            st["v"] = True
        elif tag == "is":
            st["is"] += 1
        elif tag == "t" and st["is"] and not st["skip"]:
            st["t"] = True
        elif tag == "rPh":
            st["skip"] += 1
        elif tag == "row":
            r = attrs.get("r")
            if _hides(attrs, "ht"):
                raise Refused("hidden_cells", title, f"dòng {(r or '')[:7]}")
            if r is not None:
                if not r.isdigit() or len(r) > 7:
                    raise Refused("bad_cell", title, f"dòng {r[:20]}")
                n = int(r)
            else:
                n = st["row"] + 1
            if n > MAX_ROWS:
                raise Refused("too_long", title, n)
            if n <= st["row"]:
                raise Refused("bad_cell", title, f"dòng {n} lặp lại hoặc sai thứ tự")
            st["row"], st["col"] = n, 0
            cells.clear()
        elif tag == "dimension":
            last_row, last_col = _bounds(attrs.get("ref") or "")
            if last_col > MAX_COLUMNS:
                raise Refused("too_wide", title, attrs.get("ref"))
            if last_row > MAX_ROWS:
                raise Refused("too_long", title, last_row)
            sheet.declared = (last_row, last_col)
        elif tag == "col" and _hides(attrs, "width"):
            m = attrs.get("min") or ""
            raise Refused("hidden_cells", title, f"cột {_letters(int(m)) if m.isdigit() and len(m) < 6 else m[:5]}")
        elif tag in _FORMULA_TAGS:
            raise Refused("formula", f"trang «{title}»")
        elif tag in _ACTIVE_TAGS:
            raise Refused("active_content_vi", f"trang «{title}»")

    def chars(data):
        if st["v"] or st["t"]:
            st["n"] += len(data)
            if st["n"] > MAX_CELL_TEXT:
                raise Refused("cell_text", f"trang «{title}»", f"{MAX_CELL_TEXT:,}".replace(",", "."))
            budget.spend_text(len(data))
            text.append(data)

    def end(name):
        tag = _local(name)
        if tag == "v":
            st["v"] = False
        elif tag == "t":
            st["t"] = False
        elif tag == "is":
            st["is"] -= 1
        elif tag == "rPh":
            st["skip"] -= 1
        elif tag == "c":
            cells[st["cell"]] = _value(st["type"], "".join(text), strings, title)
        elif tag == "row":
            if cells:
                width = max(cells)
                ready.append((st["row"], tuple(cells.get(i) for i in range(1, width + 1))))
            cells.clear()

    for _ in _feed(zf, sheet.part, _parser(start, end, chars)):
        sheet.extent = (st["lastrow"], st["last"])
        if ready:
            yield from ready
            ready.clear()


def _hides(attrs, size: str) -> bool:
    """A row or column hidden, or too thin to see (the writer hides nothing and sizes every row and column): a
    value shown on no screen would still be consolidated."""
    if (attrs.get("hidden") or "").lower() in ("1", "true"):
        return True
    try:
        return size in attrs and float(attrs[size]) < 1
    except ValueError:
        return True


def _value(kind: str, raw: str, strings: list[str], title: str):
    """A cell's value as openpyxl's read-only mode gives it (formulas never get here)."""
    try:
        if kind == "inlineStr":
            return raw
        if raw == "":
            return None
        if kind == "s":
            i = int(raw)
            if not 0 <= i < len(strings):
                raise Refused("bad_cell", title, f"chuỗi số {raw[:20]}")
            return strings[i]
        if kind in ("str", "e"):
            return raw
        if kind == "b":
            return bool(int(raw))
        if kind == "d":
            return raw
        if len(raw) > 40:
            raise Refused("bad_cell", title, f"số {raw[:20]}…")
        if "." in raw or "E" in raw or "e" in raw:
            return float(raw)
        return int(raw)
    except ValueError:
        raise Refused("bad_cell", title, raw[:20]) from None
