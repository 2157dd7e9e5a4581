"""Field and column types, each described once: whether it is a number, how it is stored, the unit it implies, how
wide its column is, and the Vietnamese words that name it. The form, the checks, the DOCX, the bundle and the upper
level ask here instead of keeping their own lists of type names (docs/templates.md «Field types»)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldType:
    name: str
    label: str  # what the officer picks («Số nguyên», «Số tiền (đồng)»)
    expects: str  # what a stored value must be, as a refusal says it («phải là số nguyên»)
    numeric: bool = False  # a number: right-aligned, a number cell in Excel, summed in a total row
    integer: bool = False  # stored as a whole number
    numberlike: bool = False  # may hold a number or a text («≥ 90%»): read as a number when it is one
    unit: str = ""  # the unit the value carries itself («12.000 đồng», «58,33%»): never printed again after it
    width: float = 2.0  # relative width of its column in a table
    field: bool = True  # a field may have it (stt is only a column)


TYPES: dict[str, FieldType] = {t.name: t for t in (
    FieldType("integer", "Số nguyên", "số nguyên", numeric=True, integer=True, numberlike=True, width=1.0),
    FieldType("decimal", "Số thập phân", "số", numeric=True, numberlike=True, width=1.0),
    FieldType("percent", "Tỷ lệ (%)", "số (phần trăm)", numeric=True, numberlike=True, unit="%", width=1.0),
    FieldType("money", "Số tiền (đồng)", "số tiền (đồng, số nguyên)", numeric=True, integer=True, numberlike=True,
              unit="đồng", width=1.0),
    FieldType("date", "Ngày", "ngày có thật, dạng YYYY-MM-DD"),
    FieldType("text", "Chữ", "chuỗi chữ"),
    FieldType("longtext", "Đoạn văn", "chuỗi chữ"),
    FieldType("choice", "Lựa chọn", "chuỗi chữ"),
    FieldType("yesno", "Có/Không", "true/false"),
    FieldType("measure", "Số hoặc chữ (ví dụ ≥ 90%)", "số hoặc chữ", numberlike=True, width=1.0),
    FieldType("stt", "Số thứ tự", "chuỗi chữ", width=0.6, field=False),
)}

FIELD_TYPES = tuple(n for n, t in TYPES.items() if t.field)
COLUMN_TYPES = tuple(TYPES)
NUMERIC_TYPES = tuple(n for n, t in TYPES.items() if t.numeric)
NUMBERLIKE_TYPES = tuple(n for n, t in TYPES.items() if t.numberlike)


def of(name: str | None) -> FieldType:
    """A type by name; an unknown one reads as text (a template's types are checked when it is read)."""
    return TYPES.get(name or "text", TYPES["text"])


def is_numeric(name: str | None) -> bool:
    return of(name).numeric


def shown_unit(ftype: str | None, unit: str = "") -> str:
    """The unit a figure is counted in: its own, else the one its type implies (đồng, %)."""
    return unit or of(ftype).unit


def unit_after(ftype: str | None, unit: str = "") -> str:
    """The unit to print after a formatted value: none for the types whose formatted value already carries it."""
    return "" if of(ftype).unit else unit
