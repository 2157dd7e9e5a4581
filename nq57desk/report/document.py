"""The report document: one JSON value holding a whole report, checked against its template on the way in."""

from __future__ import annotations

import calendar
import copy
import datetime as dt
import json
import re

from nq57desk.errors import DocumentError
from nq57desk.templates.model import (
    AppendixRefBlock,
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
    values: dict = {}
    for _ckey, b in tpl.blocks():
        if isinstance(b, TextBlock):
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
    return nfc_deep(data)


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

MAX_NUMBER = 10**15  # a million billion: beyond any figure a commune reports, within exact float range


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool) and abs(v) <= MAX_NUMBER


def _is_num(v):
    return (isinstance(v, (int, float)) and not isinstance(v, bool) and v == v and abs(v) <= MAX_NUMBER)


def _type_ok(ftype: str, v) -> bool:
    if v is None:
        return True
    if ftype in ("integer", "money"):
        return _is_int(v) or (_is_num(v) and float(v).is_integer())
    if ftype in ("decimal", "percent"):
        return _is_num(v)
    if ftype == "date":
        return isinstance(v, str) and bool(re.match(r"^\d{4}-\d{2}-\d{2}$", v))
    if ftype in ("text", "longtext", "choice", "stt"):
        return isinstance(v, str)
    if ftype == "yesno":
        return isinstance(v, bool)
    if ftype == "measure":
        return _is_num(v) or isinstance(v, str)
    return True


TYPE_VI = {"integer": "số nguyên", "money": "số tiền (đồng, số nguyên)", "decimal": "số", "percent": "số (phần trăm)",
           "date": "ngày dạng YYYY-MM-DD", "text": "chuỗi chữ", "longtext": "chuỗi chữ", "choice": "chuỗi chữ",
           "yesno": "true/false", "measure": "số hoặc chữ", "stt": "chuỗi chữ"}


def check_document(doc: dict, tpl: Template) -> dict:
    """Raise DocumentError (Vietnamese) for anything the store must not accept; return the doc unchanged."""
    from nq57desk.units import check_commune

    if doc.get("format") != FORMAT:
        raise DocumentError(f"«format» phải là «{FORMAT}» (có: «{doc.get('format')}»)")
    unknown = set(doc) - set(TOP_ORDER)
    if unknown:
        raise DocumentError(f"không biết khóa {', '.join(sorted(unknown))}")
    c = doc.get("commune")
    if not isinstance(c, dict) or not c.get("code"):
        raise DocumentError("thiếu mã xã/phường («commune.code»)")
    extra = set(c) - {"code", "name", "province_code", "province_name"}
    if extra:
        raise DocumentError(f"«commune» không có khóa {', '.join(sorted(extra))}")
    for k in ("code", "name", "province_code", "province_name"):
        if k in c and not isinstance(c[k], str):
            raise DocumentError(f"«commune.{k}» phải là chuỗi chữ")
    u = check_commune(c)
    if c.get("province_code") and c["province_code"] != u.province_code:
        raise DocumentError(f"xã/phường mã {u.code} thuộc tỉnh mã {u.province_code}, không phải {c['province_code']}")
    _check_period(doc.get("period"))
    h = doc.get("header")
    if not isinstance(h, dict):
        raise DocumentError("thiếu «header»")
    for k in ("symbol", "place", "subject"):
        if not isinstance(h.get(k), str):
            raise DocumentError(f"«header.{k}» phải là chuỗi chữ")
    if not isinstance(h.get("number", ""), (str, int)):
        raise DocumentError("«header.number» phải là chuỗi chữ")
    if h.get("date") is not None and not _type_ok("date", h["date"]):
        raise DocumentError("«header.date» phải là ngày dạng YYYY-MM-DD hoặc null")
    if not isinstance(h.get("issuer"), list) or not all(isinstance(x, str) for x in h["issuer"]):
        raise DocumentError("«header.issuer» phải là danh sách dòng chữ (cơ quan ban hành)")
    if h.get("kinh_gui") is not None and not (isinstance(h["kinh_gui"], list) and all(isinstance(x, str) for x in h["kinh_gui"])):
        raise DocumentError("«header.kinh_gui» phải là danh sách chuỗi chữ hoặc null")
    if not isinstance(doc.get("recipients"), list) or not all(isinstance(x, str) for x in doc["recipients"]):
        raise DocumentError("«recipients» (Nơi nhận) phải là danh sách chuỗi chữ")
    sig = doc.get("signature")
    if not isinstance(sig, dict) or not isinstance(sig.get("lines"), list) or not isinstance(sig.get("name", ""), str):
        raise DocumentError("«signature» cần «lines» (danh sách) và «name»")
    if doc.get("status") not in STATUSES:
        raise DocumentError(f"«status» phải là một trong {', '.join(STATUSES)}")
    if not _is_int(doc.get("revision")) or doc["revision"] < 1:
        raise DocumentError("«revision» phải là số nguyên ≥ 1")
    rep = doc.get("replaces")
    if rep is not None and not (isinstance(rep, dict) and _is_int(rep.get("revision"))):
        raise DocumentError("«replaces» phải là null hoặc {\"revision\": số, \"kind\": …}")
    tref = doc.get("template") or {}
    if tref.get("id") != tpl.id or tref.get("version") != tpl.version:
        raise DocumentError(f"tài liệu dùng mẫu «{tref.get('id')}» phiên bản {tref.get('version')}, không phải «{tpl.id}» {tpl.version}")
    _check_values(doc.get("values"), tpl)
    carried = doc.get("carried", {})
    if not isinstance(carried, dict) or not all(_is_num(v) for v in carried.values()):
        raise DocumentError("«carried» (số liệu lũy kế mang sang) phải là bảng tên: số")
    return doc


def _check_period(p):
    from nq57desk.templates.model import PERIOD_KINDS

    if not isinstance(p, dict):
        raise DocumentError("thiếu «period» (kỳ báo cáo)")
    k = p.get("kind")
    if k not in PERIOD_KINDS:
        raise DocumentError(f"kỳ báo cáo «{k}» không có; dùng: {', '.join(PERIOD_KINDS)}")
    y = p.get("year")
    if not _is_int(y) or not 2000 <= y <= 2100:
        raise DocumentError("«period.year» phải là năm (2000–2100)")
    n = p.get("number")
    limits = {"month": 12, "quarter": 4, "half": 2, "months": 12}
    if k in limits and not (_is_int(n) and 1 <= n <= limits[k]):
        raise DocumentError(f"«period.number» của kỳ «{k}» phải từ 1 đến {limits[k]}")
    for key in ("start", "end"):
        try:
            dt.date.fromisoformat(str(p.get(key)))
        except ValueError:
            raise DocumentError(f"«period.{key}» phải là ngày dạng YYYY-MM-DD") from None
    if p["start"] > p["end"]:
        raise DocumentError("kỳ báo cáo có ngày bắt đầu sau ngày kết thúc")


def _check_values(values, tpl: Template):
    if not isinstance(values, dict):
        raise DocumentError("«values» phải là một đối tượng")
    known = {}
    for _ckey, b in tpl.blocks():
        if isinstance(b, FieldsBlock):
            for f in b.fields:
                if not f.derived:
                    known[f.key] = f
        elif not isinstance(b, AppendixRefBlock):
            known[b.key] = b
    extra = set(values) - set(known)
    if extra:
        raise DocumentError(f"mẫu «{tpl.id}» không có trường {', '.join(sorted(extra))}", "values")
    for key, v in values.items():
        spec = known[key]
        place = f"values.{key}"
        if hasattr(spec, "type") and not hasattr(spec, "kind"):  # a Field
            if not _type_ok(spec.type, v):
                raise DocumentError(f"«{spec.label}» phải là {TYPE_VI[spec.type]}, có {json.dumps(v, ensure_ascii=False)[:40]}", place)
        elif isinstance(spec, TextBlock):
            if not isinstance(v, str):
                raise DocumentError("đoạn văn phải là chuỗi chữ", place)
        elif isinstance(spec, ListBlock):
            if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                raise DocumentError("danh sách phải gồm các dòng chữ", place)
        elif isinstance(spec, DocumentsBlock):
            _list_of_dicts(v, place, set(DOC_FIELDS))
            for i, d in enumerate(v):
                if d.get("date") and not _type_ok("date", d["date"]):
                    raise DocumentError("ngày văn bản phải dạng YYYY-MM-DD", f"{place}[{i}].date")
                for k2 in ("kind", "number", "issuer", "subject"):
                    if not isinstance(d.get(k2, ""), str):
                        raise DocumentError(f"«{k2}» phải là chuỗi chữ", f"{place}[{i}]")
        elif isinstance(spec, AssessmentBlock):
            items = {k for k, _ in spec.items}
            if not isinstance(v, dict) or set(v) - items or not all(isinstance(x, str) for x in v.values()):
                raise DocumentError(f"khối đánh giá là bảng {', '.join(sorted(items))} → chữ", place)
        elif isinstance(spec, RecordsBlock):
            fields = {f.key: f for f in spec.fields}
            _list_of_dicts(v, place, set(fields))
            for i, r in enumerate(v):
                for k2, x in r.items():
                    if not _type_ok(fields[k2].type, x):
                        raise DocumentError(f"«{fields[k2].label}» phải là {TYPE_VI[fields[k2].type]}", f"{place}[{i}].{k2}")
        elif isinstance(spec, FreeSectionsBlock):
            _list_of_dicts(v, place, {"title", "text", "level"})
        elif isinstance(spec, TableBlock):
            _check_table(spec, v, place)


def _list_of_dicts(v, place, allowed):
    if not isinstance(v, list) or not all(isinstance(x, dict) for x in v):
        raise DocumentError("phải là danh sách đối tượng", place)
    for i, x in enumerate(v):
        extra = set(x) - allowed
        if extra:
            raise DocumentError(f"không biết khóa {', '.join(sorted(extra))}", f"{place}[{i}]")


def _check_table(tb: TableBlock, v, place):
    cols = {c.key: c for c in tb.columns}

    def row_ok(row, rplace):
        if not isinstance(row, dict):
            raise DocumentError("mỗi dòng là một đối tượng cột: giá trị", rplace)
        for k, x in row.items():
            if k == "_group" and not tb.fixed:
                if x not in {g for g, _ in tb.groups}:
                    raise DocumentError(f"nhóm «{x}» không có trong bảng", rplace)
                continue
            if k not in cols:
                raise DocumentError(f"bảng «{tb.title or tb.key}» không có cột «{k}»", rplace)
            col = cols[k]
            if not _type_ok(col.type, x):
                raise DocumentError(f"cột «{col.label}» phải là {TYPE_VI[col.type]}", f"{rplace}.{k}")

    if tb.fixed:
        if not isinstance(v, dict):
            raise DocumentError("bảng có dòng cố định: giá trị là bảng khóa dòng → các ô", place)
        rows = {r.key for r in tb.data_rows()}
        extra = set(v) - rows
        if extra:
            raise DocumentError(f"bảng không có dòng {', '.join(sorted(extra))}", place)
        for rk, row in v.items():
            row_ok(row, f"{place}.{rk}")
    else:
        if not isinstance(v, list):
            raise DocumentError("bảng nhập tự do: giá trị là danh sách dòng", place)
        for i, row in enumerate(v):
            row_ok(row, f"{place}[{i}]")
