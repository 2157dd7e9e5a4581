"""The report document: one JSON value holding a whole report, checked against its template on the way in."""

from __future__ import annotations

import calendar
import copy
import datetime as dt
import json
import re

from nq57desk.errors import DocumentError
from nq57desk.templates.model import Template
from nq57desk.templates.placeholders import fill_placeholders  # noqa: F401  (its home; imported from here too)
from nq57desk.vn import XML_ILLEGAL, fmt_date, nfc_deep, parse_date, roman

FORMAT = "nq57-report/2"  # 2: the report may carry its own outline («outline») and sentence wording («lines»)
FORMATS = ("nq57-report/1", FORMAT)  # every older document still imports and prints the same words
STATUSES = ("draft", "done", "sent")
STATUS_VI = {"draft": "Nháp", "done": "Hoàn thành", "sent": "Đã gửi"}
PERIOD_VI = {"month": "Tháng", "quarter": "Quý", "half": "6 tháng", "year": "Năm", "months": "Số tháng đầu năm",
             "cutoff": "Tính đến ngày", "custom": "Từ ngày … đến ngày …", "none": "Không nêu kỳ"}
TOP_ORDER = ("format", "template", "commune", "period", "header", "outline", "lines", "values", "carried", "recipients",
             "signature", "status", "revision", "replaces")
DOC_FIELDS = ("kind", "number", "date", "issuer", "subject")
DEMO_MARK = "Báo cáo mẫu"  # how every list and title marks the demo report
DEMO_TIP = "Báo cáo mẫu để xem thử cách làm; không gửi cấp trên được. Xóa bằng «Báo cáo › Xóa báo cáo mẫu»."
DEMO_REFUSAL = ("Đây là báo cáo mẫu, chỉ để xem thử cách làm: không {action} được. Hãy tạo báo cáo của đơn vị "
                "(«Tạo báo cáo mới…») và xóa báo cáo mẫu («Báo cáo › Xóa báo cáo mẫu»).")


def is_demo(doc: dict) -> bool:
    """The app's demo report (resources/demo/bao-cao-mau.json carries `"demo": true`): shown as one, never sent."""
    return doc.get("demo") is True


# -- periods ------------------------------------------------------------------------------------------------
# A period is what a report says it covers. Fixed kinds (month, quarter, half, year, months) follow from
# kind/year/number; `cutoff` is «tính đến ngày dd/mm/yyyy» (end = the cut-off, start = 1 January unless given);
# `custom` is «từ ngày … đến ngày …» (end null: «đến thời điểm báo cáo»); `none` states no period at all (its
# start/end are the bounds of its year, the report's year).

def period_bounds(kind: str, year: int, number: int | None) -> tuple[dt.date, dt.date]:
    """The bounds of a fixed kind (a `none` period counts as its whole year)."""
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


def _day(value, what: str) -> dt.date | None:
    """A date typed or stored ("2026-03-26", "26/3/2026", a date); None when blank; a Vietnamese error otherwise."""
    if value in (None, ""):
        return None
    d = parse_date(value)
    if d is None or not 2000 <= d.year <= 2100:
        raise DocumentError(f"{what.lower()} «{value}» không phải ngày có thật (ngày/tháng/năm, năm 2000–2100)", "period")
    return d


def make_period(kind: str, year: int | None = None, number: int | None = None, start=None, end=None,
                label: str = "") -> dict:
    """A period value; start and end follow from kind/year/number except for a cut-off or custom period."""
    if kind in ("cutoff", "custom"):
        s, e = _day(start, "Ngày bắt đầu"), _day(end, "Ngày kết thúc" if kind == "custom" else "Ngày tính đến")
        if kind == "cutoff":
            if e is None:
                raise DocumentError("kỳ «tính đến ngày» cần ngày tính đến", "period.end")
            s = s or dt.date(e.year, 1, 1)
        elif s is None:
            raise DocumentError("kỳ «từ ngày … đến ngày …» cần ngày bắt đầu", "period.start")
        if e is not None and s > e:
            raise DocumentError(f"ngày bắt đầu {fmt_date(s)} sau ngày kết thúc {fmt_date(e)}", "period")
        y = e.year if kind == "cutoff" else int(year) if year and (e is None or s.year <= int(year) <= e.year) else s.year
        p = {"kind": kind, "year": y, "number": None, "start": s.isoformat(), "end": e.isoformat() if e else None}
    else:
        if isinstance(year, str) and year.strip().isdigit():
            year = int(year)
        if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
            raise DocumentError(f"năm «{year}» của kỳ báo cáo phải từ 2000 đến 2100", "period.year")
        p = {"kind": kind, "year": year, "number": None if kind in ("year", "none") else number}
        s, e = period_bounds(kind, int(year), p["number"])
        p.update(start=s.isoformat(), end=e.isoformat())
    if label:
        p["label"] = label
    return p


def period_label(p: dict) -> str:
    """How the period reads inside a sentence: "6 tháng đầu năm 2026", "tháng 4/2026", "quý II năm 2026",
    "tính đến ngày 06/11/2025", "từ ngày 01/7/2025 đến thời điểm báo cáo"; "" for a report that states none."""
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
    if k == "none":
        return ""
    if k == "cutoff":
        return f"tính đến ngày {fmt_date(p.get('end'))}"
    end = f"đến ngày {fmt_date(p['end'])}" if p.get("end") else "đến thời điểm báo cáo"
    return f"từ ngày {fmt_date(p.get('start'))} {end}"


def period_title(p: dict) -> str:
    """The period named on its own (lists, the bundle's info sheet): its label, or «Không nêu kỳ (năm 2026)»."""
    return period_label(p) or f"Không nêu kỳ (năm {p['year']})"


def period_code(p: dict) -> str:
    """A short ASCII code for file names, sorting and grouping at the upper level: 2026-T05, 2026-Q2, 2026-H1,
    2026-N, 2026-5T; a cut-off 2025-D1106 (from the cut-off date alone, so communes of the same cut-off line up
    whatever start they typed); a custom period 2025-K20250701 (from its start); no period 2026-X."""
    k, y, n = p["kind"], p["year"], p.get("number")
    if k == "cutoff":
        e = str(p.get("end") or "")
        return f"{e[:4]}-D{e[5:7]}{e[8:10]}"
    return {"month": f"{y}-T{n:02d}" if n else f"{y}-T", "quarter": f"{y}-Q{n}", "half": f"{y}-H{n}",
            "months": f"{y}-{n}T", "year": f"{y}-N", "none": f"{y}-X"}.get(k, f"{y}-K{str(p.get('start', '')).replace('-', '')}")


def period_of_code(code: str) -> dict | None:
    """The period a code of period_code() stands for (2026-T04, 2026-Q2, 2026-H1, 2026-5T, 2026-N, 2026-X, 2025-D1106,
    2025-K20250701), None when the text is no such code. A code carries no custom end: that period reads «từ ngày …»."""
    m = re.fullmatch(r"(\d{4})-(?:T(\d{1,2})|Q([1-4])|H([12])|(\d{1,2})T|(N)|(X)|D(\d{2})(\d{2})|K(\d{4})(\d{2})(\d{2}))",
                     code.strip(), re.I)
    if not m:
        return None
    y = int(m.group(1))
    try:
        if m.group(2):
            return make_period("month", y, int(m.group(2)))
        if m.group(3):
            return make_period("quarter", y, int(m.group(3)))
        if m.group(4):
            return make_period("half", y, int(m.group(4)))
        if m.group(5):
            return make_period("months", y, int(m.group(5)))
        if m.group(6) or m.group(7):
            return make_period("year" if m.group(6) else "none", y)
        if m.group(8):
            return make_period("cutoff", y, end=f"{y}-{m.group(8)}-{m.group(9)}")
        return make_period("custom", y, start=f"{m.group(10)}-{m.group(11)}-{m.group(12)}")
    except (DocumentError, ValueError):
        return None


def previous_period(p: dict) -> dict | None:
    """The period the same template reported before this one (for carrying cumulative values); None for a cut-off,
    custom or unstated period (nothing is carried then)."""
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


def next_period_label(p: dict) -> str:
    """What the tasks ahead are for, as reports word it: after "6 tháng đầu năm 2026" "6 tháng cuối năm 2026", after
    "tháng 5/2026" "tháng 6/2026", after "5 tháng đầu năm 2026" "tháng 6 và 6 tháng cuối năm 2026" (seeds/002);
    "" for a cut-off, custom or unstated period."""
    k, y, n = p["kind"], p["year"], p.get("number")
    if k == "month":
        return f"tháng 1/{y + 1}" if n == 12 else f"tháng {n + 1}/{y}"
    if k == "quarter":
        return f"quý I năm {y + 1}" if n == 4 else f"quý {roman(n + 1)} năm {y}"
    if k == "half":
        return f"6 tháng đầu năm {y + 1}" if n == 2 else f"6 tháng cuối năm {y}"
    if k == "year":
        return f"năm {y + 1}"
    if k == "months":
        if n == 12:
            return f"năm {y + 1}"
        if n == 11:
            return f"tháng 12/{y}"
        if n == 6:
            return f"6 tháng cuối năm {y}"
        if n == 5:
            return f"tháng 6 và 6 tháng cuối năm {y}"
        return f"tháng {n + 1} và những tháng còn lại năm {y}"
    return ""


# -- empty values from a template ---------------------------------------------------------------------------

def context_of(doc: dict) -> dict:
    """Names a text default, a title or a sentence may use besides field keys."""
    c = doc.get("commune") or {}
    name = c.get("name", "")
    lower = (name[:1].lower() + name[1:]) if name else ""  # "Xã An Trường" → "xã An Trường" inside a sentence
    h = doc.get("header") or {}
    return {"commune": lower, "commune_name": name, "commune_upper": name.upper(), "province": c.get("province_name", ""),
            **period_context(doc.get("period")),
            "place": h.get("place", ""), "symbol": h.get("symbol", ""), "report_number": h.get("number", ""),
            "report_date": h.get("date") or ""}


def period_context(p: dict | None) -> dict:
    """The period's names alone: for what many communes' reports of one period share (the upper level)."""
    per, nxt = (period_label(p), next_period_label(p)) if p else ("", "")
    year = (p or {}).get("year", "")
    return {"period": per, "period_upper": per.upper(), "next_period": nxt, "next_period_upper": nxt.upper(),
            "year": year, "next_year": year + 1 if isinstance(year, int) else ""}


def empty_values(tpl: Template, ctx: dict | None = None) -> dict:
    """An empty value for every input block of the template: a new report holds only what its officer writes
    (a template's example wording is a hint, shown in the form, never put into the report)."""
    values: dict = {}
    for _ckey, b in tpl.blocks():
        values.update(empty_block_values(b))
    return values


def empty_block_values(b) -> dict:
    """The empty value(s) of one block, by key (a fields block has one per typed field): its kind's (report/kinds.py)."""
    from nq57desk.report.kinds import empty_values

    return empty_values(b, {})


def hint_text(b, doc: dict):
    """A block's hint as it would read in this report (placeholders filled): what «Dùng gợi ý» puts in."""
    from nq57desk.report.kinds import function

    hint = function(b, "hint")
    return hint(b, context_of(doc)) if hint is not None else None


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
        "recipients": list(profile.get("recipients") or default_recipients(commune.get("name", ""))),
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


def default_recipients(commune_name: str = "") -> list[str]:
    """The Nơi nhận most communes' reports list (the seeds), for a profile that has none yet: the officer edits it
    once in «Thông tin đơn vị». The unit word follows the commune's kind (xã, phường, đặc khu)."""
    low = commune_name.strip().lower()
    unit = next((k for k in ("phường", "đặc khu") if low.startswith(k)), "xã")
    return ["Sở Khoa học và Công nghệ;", "Thường trực Đảng ủy;", f"Thường trực HĐND {unit};", f"Lãnh đạo UBND {unit};",
            f"Các cơ quan, đơn vị trên địa bàn {unit};", "Lưu: VT."]


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


def stored_text(doc: dict) -> str:
    """The document as the database keeps it: compact (json's C encoder: a 6-level outline of 200 sections costs
    a few milliseconds per save instead of ~50 with indentation); `dumps` is for people and files."""
    return json.dumps(canonical(doc), ensure_ascii=False, separators=(",", ":"))


def loads(text: str | bytes) -> dict:
    """Parse JSON text into a document dict (not yet checked against a template)."""
    from nq57desk import jsonbound

    try:
        data = jsonbound.load_bytes(text) if isinstance(text, bytes) else jsonbound.loads(text)
    except jsonbound.JSONRefused as e:
        raise DocumentError(e.problem) from None
    except json.JSONDecodeError as e:
        raise DocumentError(f"JSON hỏng ở dòng {e.lineno}, cột {e.colno} ({_json_msg(e.msg)})") from None
    if not isinstance(data, dict):
        raise DocumentError("tệp phải chứa một đối tượng JSON { … }")
    try:
        refuse_unwritable(data, "")
        return nfc_deep(data)
    except RecursionError:
        raise DocumentError("JSON lồng quá sâu") from None


def refuse_unwritable(v, place: str) -> None:
    """Text that XML 1.0 cannot carry (a control character, U+FFFE/U+FFFF, half a UTF-16 pair that JSON may spell
    "\\ud800") could be stored but never exported to DOCX or Excel: refused here, naming the place."""
    if isinstance(v, str):
        m = XML_ILLEGAL.search(v)
        if m is not None:
            c = ord(m.group(0))
            if 0xD800 <= c <= 0xDFFF:
                what = f"ký tự lỗi \\u{c:04x} (nửa cặp mã UTF-16, không phải chữ)"
            elif c < 0x20:
                what = f"ký tự điều khiển U+{c:04X} (không in ra được)"
            else:
                what = f"ký tự U+{c:04X} (không phải chữ)"
            raise DocumentError(f"chuỗi chữ chứa {what} mà tệp Word, Excel không chứa được; hãy xóa ký tự này "
                                "trong tệp", place or "đầu tệp")
    elif isinstance(v, dict):
        for k, x in v.items():
            refuse_unwritable(k, place)
            refuse_unwritable(x, f"{place}.{k}" if place else k)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            refuse_unwritable(x, f"{place}[{i}]")


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
