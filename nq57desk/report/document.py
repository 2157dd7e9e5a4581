"""The report document: one JSON value holding a whole report, checked against its template on the way in."""

from __future__ import annotations

import calendar
import copy
import datetime as dt
import json
import re

from nq57desk.errors import DocumentError
from nq57desk.templates.model import (
    AssessmentBlock,
    DocumentsBlock,
    FieldsBlock,
    FreeSectionsBlock,
    ListBlock,
    RecordsBlock,
    TableBlock,
    Template,
    TextBlock,
)
from nq57desk.vn import nfc_deep, roman

FORMAT = "nq57-report/1"
STATUSES = ("draft", "done", "sent")
STATUS_VI = {"draft": "Nháp", "done": "Hoàn thành", "sent": "Đã gửi"}
PERIOD_VI = {"month": "Tháng", "quarter": "Quý", "half": "6 tháng", "year": "Năm", "months": "Số tháng đầu năm",
             "custom": "Kỳ khác"}
TOP_ORDER = ("format", "template", "commune", "period", "header", "values", "carried", "recipients", "signature",
             "status", "revision", "replaces")
DOC_FIELDS = ("kind", "number", "date", "issuer", "subject")


# -- periods ------------------------------------------------------------------------------------------------

def period_bounds(kind: str, year: int, number: int | None) -> tuple[dt.date, dt.date]:
    if kind == "month":
        return dt.date(year, number, 1), dt.date(year, number, calendar.monthrange(year, number)[1])
    if kind == "quarter":
        m = 3 * (number - 1) + 1
        return dt.date(year, m, 1), dt.date(year, m + 2, calendar.monthrange(year, m + 2)[1])
    if kind == "half":
        return (dt.date(year, 1, 1), dt.date(year, 6, 30)) if number == 1 else (dt.date(year, 7, 1), dt.date(year, 12, 31))
    if kind == "months":
        return dt.date(year, 1, 1), dt.date(year, number, calendar.monthrange(year, number)[1])
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def make_period(kind: str, year: int, number: int | None = None, start=None, end=None, label: str = "") -> dict:
    """A period value; start and end follow from kind/year/number except for a custom period."""
    p = {"kind": kind, "year": int(year), "number": number}
    if kind == "custom":
        p.update(start=str(start), end=str(end), label=label)
    else:
        s, e = period_bounds(kind, int(year), number)
        p.update(start=s.isoformat(), end=e.isoformat())
        if label:
            p["label"] = label
    return p


def period_label(p: dict) -> str:
    """How the period reads inside a sentence: "6 tháng đầu năm 2026", "tháng 4/2026", "quý II năm 2026"."""
    if p.get("label"):
        return p["label"]
    k, y, n = p["kind"], p["year"], p.get("number")
    if k == "month":
        return f"tháng {n}/{y}"
    if k == "quarter":
        return f"quý {roman(n)} năm {y}"
    if k == "half":
        return f"6 tháng {'đầu' if n == 1 else 'cuối'} năm {y}"
    if k == "months":
        return f"{n} tháng đầu năm {y}"
    if k == "year":
        return f"năm {y}"
    return f"từ {p.get('start')} đến {p.get('end')}"


def period_code(p: dict) -> str:
    """A short ASCII code for file names and sorting: 2026-T05, 2026-Q2, 2026-H1, 2026-N, 2026-5T."""
    k, y, n = p["kind"], p["year"], p.get("number")
    return {"month": f"{y}-T{n:02d}" if n else f"{y}-T", "quarter": f"{y}-Q{n}", "half": f"{y}-H{n}",
            "months": f"{y}-{n}T", "year": f"{y}-N"}.get(k, f"{y}-K{str(p.get('start', '')).replace('-', '')}")


def previous_period(p: dict) -> dict | None:
    """The period the same template reported before this one (for carrying cumulative values)."""
    k, y, n = p["kind"], p["year"], p.get("number")
    if k == "month":
        return make_period(k, y - 1, 12) if n == 1 else make_period(k, y, n - 1)
    if k == "quarter":
        return make_period(k, y - 1, 4) if n == 1 else make_period(k, y, n - 1)
    if k == "half":
        return make_period(k, y - 1, 2) if n == 1 else make_period(k, y, 1)
    if k == "year":
        return make_period(k, y - 1, None)
    if k == "months":
        return make_period(k, y, n - 1) if n and n > 1 else None
    return None


# -- empty values from a template ---------------------------------------------------------------------------

def fill_placeholders(text: str, ctx: dict) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(ctx.get(m.group(1), m.group(0))), text)


def context_of(doc: dict) -> dict:
    """Names a text default or a sentence may use besides field keys."""
    c = doc.get("commune") or {}
    name = c.get("name", "")
    lower = (name[:1].lower() + name[1:]) if name else ""  # "Xã An Trường" → "xã An Trường" inside a sentence
    h = doc.get("header") or {}
    return {"commune": lower, "commune_name": name, "commune_upper": name.upper(), "province": c.get("province_name", ""),
            "period": period_label(doc["period"]) if doc.get("period") else "", "year": (doc.get("period") or {}).get("year", ""),
            "place": h.get("place", ""), "symbol": h.get("symbol", ""), "report_number": h.get("number", ""),
            "report_date": h.get("date") or ""}


def empty_values(tpl: Template, ctx: dict) -> dict:
    """A value for every input block of the template, with its defaults filled in."""
    from nq57desk.report.kinds import handler

    values: dict = {}
    for _ckey, b in tpl.blocks():
        if (kind := handler(b)) is not None:
            values[b.key] = kind.empty(b, ctx)
        elif isinstance(b, TextBlock):
            values[b.key] = fill_placeholders(b.default, ctx)
        elif isinstance(b, FieldsBlock):
            for f in b.fields:
                if not f.derived:
                    values[f.key] = f.default
        elif isinstance(b, ListBlock):
            values[b.key] = [fill_placeholders(x, ctx) for x in b.default]
        elif isinstance(b, (DocumentsBlock, RecordsBlock, FreeSectionsBlock)):
            values[b.key] = []
        elif isinstance(b, AssessmentBlock):
            values[b.key] = {k: "" for k, _ in b.items}
        elif isinstance(b, TableBlock):
            if b.fixed:
                values[b.key] = {r.key: {} for r in b.data_rows()}
            else:
                values[b.key] = []
    return values


def new_document(tpl: Template, commune: dict, period: dict, profile: dict | None = None) -> dict:
    profile = profile or {}
    doc = {
        "format": FORMAT,
        "template": {"id": tpl.id, "version": tpl.version},
        "commune": dict(commune),
        "period": dict(period),
        "header": {
            "issuer": list(profile.get("issuer") or ["ỦY BAN NHÂN DÂN", commune.get("name", "").upper()]),
            "number": "",
            "symbol": profile.get("symbol") or tpl.doc_symbol,
            "place": profile.get("place") or _place_of(commune.get("name", "")),
            "date": None,
            "kinh_gui": list(tpl.kinh_gui) if tpl.kinh_gui is not None else None,
            "subject": "",
        },
        "values": {},
        "carried": {},
        "recipients": list(profile.get("recipients") or ["Lưu: VT."]),
        "signature": dict(profile.get("signature") or {"lines": ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"], "name": ""}),
        "status": "draft",
        "revision": 1,
        "replaces": None,
    }
    ctx = context_of(doc)
    doc["header"]["subject"] = fill_placeholders(tpl.subject, ctx)
    if doc["header"]["kinh_gui"]:
        doc["header"]["kinh_gui"] = [fill_placeholders(x, ctx) for x in doc["header"]["kinh_gui"]]
    doc["values"] = empty_values(tpl, ctx)
    return doc


def _place_of(name: str) -> str:
    for prefix in ("Xã ", "Phường ", "Đặc khu ", "Thị trấn "):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


# -- reading and writing ------------------------------------------------------------------------------------

def canonical(doc: dict) -> dict:
    """Top-level keys in their documented order; everything else as given."""
    out = {k: doc[k] for k in TOP_ORDER if k in doc}
    out.update({k: v for k, v in doc.items() if k not in out})
    return out


def dumps(doc: dict) -> str:
    return json.dumps(canonical(doc), ensure_ascii=False, indent=2) + "\n"


def loads(text: str | bytes) -> dict:
    """Parse JSON text into a document dict (not yet checked against a template)."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise DocumentError("tệp không phải văn bản UTF-8") from None
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as e:
        raise DocumentError(f"JSON hỏng ở dòng {e.lineno}, cột {e.colno} ({_json_msg(e.msg)})") from None
    except RecursionError:
        raise DocumentError("JSON lồng quá sâu") from None
    if not isinstance(data, dict):
        raise DocumentError("tệp phải chứa một đối tượng JSON { … }")
    try:
        refuse_surrogates(data, "")
        return nfc_deep(data)
    except RecursionError:
        raise DocumentError("JSON lồng quá sâu") from None


def refuse_surrogates(v, place: str) -> None:
    """JSON may spell half a UTF-16 pair ("\\ud800"); such text can be neither stored nor printed."""
    if isinstance(v, str):
        try:
            v.encode("utf-8")
        except UnicodeEncodeError as e:
            bad = f"\\u{ord(v[e.start]):04x}"
            raise DocumentError(f"chuỗi chữ chứa ký tự lỗi {bad} (nửa cặp mã UTF-16, không phải chữ); hãy xóa ký tự "
                                "này trong tệp", place or "đầu tệp") from None
    elif isinstance(v, dict):
        for k, x in v.items():
            refuse_surrogates(k, place)
            refuse_surrogates(x, f"{place}.{k}" if place else k)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            refuse_surrogates(x, f"{place}[{i}]")


def _no_constant(name: str):
    raise DocumentError(f"JSON chứa giá trị «{name}» không phải là số")


def _json_msg(msg: str) -> str:
    table = {"Expecting value": "thiếu giá trị", "Expecting ',' delimiter": "thiếu dấu phẩy",
             "Expecting property name enclosed in double quotes": "tên khóa phải nằm trong ngoặc kép",
             "Unterminated string starting at": "chuỗi chưa đóng ngoặc kép", "Extra data": "thừa dữ liệu sau đối tượng",
             "Expecting ':' delimiter": "thiếu dấu hai chấm"}
    for en, vi in table.items():
        if msg.startswith(en):
            return vi
    return "cú pháp sai"


def copy_doc(doc: dict) -> dict:
    return copy.deepcopy(doc)


# -- checking a document against its template ---------------------------------------------------------------

def check_document(doc: dict, tpl: Template) -> dict:
    """Raise DocumentError (Vietnamese) for anything the store must not accept; return the doc unchanged."""
    from nq57desk.report.check import check_document as check

    return check(doc, tpl)
