"""Check a report document against its template before the store takes it.

Everything refused here would otherwise fail later (at export, in a bundle, in the GUI), so the check is at
least as strict as resources/schemas/report.schema.json (tests/test_schemas.py keeps the two agreeing), and
every refusal is a DocumentError with a Vietnamese sentence and the place in the JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from nq57desk.errors import DocumentError
from nq57desk.report.document import (
    FORMAT,
    FORMATS,
    PERIOD_VI,
    STATUSES,
    TOP_ORDER,
    period_bounds,
    period_label,
    refuse_unwritable,
)
from nq57desk.report.shaping import check_outline, shape
from nq57desk.templates import fieldtypes
from nq57desk.templates.model import (
    PERIOD_KINDS,
    FieldsBlock,
    TableBlock,
    Template,
    fields_of,
)
from nq57desk.vn import fmt_date, month_only

MAX_NUMBER = 10**15  # a million billion: beyond any figure a commune reports, within exact float range
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
YEARS = (1900, 2100)  # a cited document or a report date outside these is a typing mistake
REPLACE_KINDS = ("thay thế", "bổ sung")
HEADER_KEYS = ("issuer", "number", "symbol", "place", "date", "kinh_gui", "subject")
PERIOD_KEYS = {"kind", "year", "number", "start", "end", "label"}
NUMBER_LIMITS = {"month": 12, "quarter": 4, "half": 2, "months": 12}
NO_NUMBER = ("year", "cutoff", "none")  # kinds that a number does not choose: it must be null
EXPLANATIONS = "explanations"  # giải trình of errors: optional, after the keys of TOP_ORDER (docs/report-format.md)
DEMO = "demo"  # the app's demo report (resources/demo/): optional, `true`; never goes to the upper level
DOC_KEYS = (*TOP_ORDER, EXPLANATIONS, DEMO)
MAX_EXPLANATIONS = 500
MAX_EXPLANATION_CHARS = 2000
MAX_EXPLANATION_KEY = 200  # a finding key or rule kind (field key, table.row.col, table[3].col)
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")  # tab and line feed are text

TYPE_VI = {name: t.expects for name, t in fieldtypes.TYPES.items()}


def is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and abs(v) <= MAX_NUMBER


def is_num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v == v and abs(v) <= MAX_NUMBER


def is_date(v) -> bool:
    """An ISO date that exists: "2026-02-30" and "2026-99-99" are not dates."""
    if not isinstance(v, str) or not DATE_RE.match(v):
        return False
    try:
        d = dt.date.fromisoformat(v)
    except ValueError:
        return False
    return YEARS[0] <= d.year <= YEARS[1]


def is_month(v) -> bool:
    """"2026-05": a report dated by month only, the day left blank for signing."""
    ym = month_only(v) if isinstance(v, str) and v == v.strip() else None
    return bool(ym) and YEARS[0] <= ym[0] <= YEARS[1] and 1 <= ym[1] <= 12


def type_ok(ftype: str, v) -> bool:
    if v is None:
        return True
    if ftype in ("integer", "money"):
        return is_int(v) or (is_num(v) and float(v).is_integer())
    if ftype in ("decimal", "percent"):
        return is_num(v)
    if ftype == "date":
        return is_date(v)
    if ftype in ("text", "longtext", "choice", "stt"):
        return isinstance(v, str)
    if ftype == "yesno":
        return isinstance(v, bool)
    if ftype == "measure":
        return is_num(v) or isinstance(v, str)
    return True


def _show(v) -> str:
    return json.dumps(v, ensure_ascii=False)[:40]


def _keys(obj: dict, allowed, place: str, required=()) -> None:
    extra = set(obj) - set(allowed)
    if extra:
        raise DocumentError(f"không biết khóa {', '.join(sorted(extra))}", place)
    for k in required:
        if k not in obj:
            raise DocumentError(f"thiếu «{k}»", place)


def _str_list(v, place: str, what: str) -> None:
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise DocumentError(f"{what} phải là danh sách dòng chữ", place)


def check_document(doc: dict, tpl: Template) -> dict:
    """Raise DocumentError (Vietnamese) for anything the store must not accept; return the doc unchanged."""
    refuse_unwritable(doc, "")
    if doc.get("format") not in FORMATS:
        raise DocumentError(f"«format» phải là «{FORMAT}» (có: «{doc.get('format')}»)")
    if doc["format"] != FORMAT and (doc.get("outline") is not None or doc.get("lines") is not None):
        raise DocumentError(f"«outline» và «lines» chỉ có từ «format» «{FORMAT}»", "format")
    _keys(doc, DOC_KEYS, "", required=("template", "commune", "period", "header", "values", "recipients",
                                        "signature", "status", "revision"))
    _check_template_ref(doc["template"], tpl)
    _check_commune(doc["commune"])
    _check_period(doc["period"])
    _check_header(doc["header"])
    _str_list(doc["recipients"], "recipients", "«recipients» (Nơi nhận)")
    sig = doc["signature"]
    if not isinstance(sig, dict):
        raise DocumentError("«signature» cần «lines» (danh sách dòng chữ) và «name» (họ tên)", "signature")
    _keys(sig, ("lines", "name"), "signature", required=("lines", "name"))
    _str_list(sig["lines"], "signature.lines", "các dòng chức danh người ký")
    if not isinstance(sig["name"], str):
        raise DocumentError("họ tên người ký phải là chuỗi chữ", "signature.name")
    if doc["status"] not in STATUSES:
        raise DocumentError(f"«status» phải là một trong {', '.join(STATUSES)}", "status")
    if not is_int(doc["revision"]) or doc["revision"] < 1:
        raise DocumentError("«revision» phải là số nguyên ≥ 1", "revision")
    _check_replaces(doc.get("replaces"), doc["revision"])
    for k in ("outline", "lines"):  # absent when the report has none: null is not a value here (as the schema says)
        if k in doc and doc[k] is None:
            raise DocumentError(f"«{k}» không được là null; bỏ hẳn khóa này nếu báo cáo không có", k)
    check_outline(doc.get("outline"), tpl)
    tpl = shape(tpl, doc)  # the values are those of the report's own outline (added blocks, hidden sections too)
    _check_lines(doc.get("lines"), tpl, doc)
    _check_values(doc["values"], tpl)
    _check_carried(doc.get("carried", {}), tpl)
    if EXPLANATIONS in doc:
        check_explanations(doc[EXPLANATIONS])
    if DEMO in doc and doc[DEMO] is not True:
        raise DocumentError("«demo» chỉ có thể là true (báo cáo mẫu); bỏ hẳn khóa này với báo cáo thật", DEMO)
    return doc


MAX_LINE = 2000


def _check_lines(lines, tpl: Template, doc: dict) -> None:
    """The report's own wording of a figure group's sentences: the figures in it must stay figures of the group."""
    if lines is None:
        return
    if not isinstance(lines, dict):
        raise DocumentError("«lines» (câu của báo cáo) là bảng khóa khối số liệu → danh sách câu", "lines")
    for key, pats in lines.items():
        check_block_lines(tpl, doc, key, pats)


def check_block_lines(tpl: Template, doc: dict, key, pats) -> None:
    """One figure group's own sentences: a list of patterns whose {names} are figures of the report."""
    from nq57desk.report.derive import line_names
    from nq57desk.report.document import context_of

    ctx = context_of(doc)
    place = f"lines.{key}"
    b = tpl.block(key) if isinstance(key, str) else None
    if not isinstance(b, FieldsBlock):
        raise DocumentError(f"không có khối số liệu «{key}» để ghi câu", place)
    if not isinstance(pats, list) or len(pats) > 100 or not all(isinstance(x, str) for x in pats):
        raise DocumentError("câu của khối số liệu là danh sách chuỗi chữ (tối đa 100 câu)", place)
    for i, p in enumerate(pats):
        if len(p) > MAX_LINE:
            raise DocumentError(f"câu dài quá {MAX_LINE} ký tự", f"{place}[{i}]")
        if p.count("[") != p.count("]"):
            raise DocumentError("dấu [ ] (phần in khi có số liệu) không khớp nhau", f"{place}[{i}]")
        unknown = [n for n in line_names(p) if tpl.field(n) is None and n not in ctx and not _is_cell(tpl, n)]
        if unknown:
            raise DocumentError(f"câu nhắc số liệu không có: {', '.join('{' + n + '}' for n in unknown)}",
                                f"{place}[{i}]")


def _is_cell(tpl: Template, name: str) -> bool:
    parts = name.split(".")
    return len(parts) == 3 and tpl.table(parts[0]) is not None


def check_explanations(items) -> None:
    """The giải trình list: [{"key", "rule", "text"}]; strict, since it travels in bundles from outside."""
    place = EXPLANATIONS
    if not isinstance(items, list):
        raise DocumentError("«explanations» (giải trình) phải là danh sách các {key, rule, text}", place)
    if len(items) > MAX_EXPLANATIONS:
        raise DocumentError(f"có {len(items)} giải trình, quá {MAX_EXPLANATIONS}", place)
    seen = set()
    for i, e in enumerate(items):
        at = f"{place}[{i}]"
        if not isinstance(e, dict):
            raise DocumentError("mỗi giải trình là một đối tượng {key, rule, text}", at)
        _keys(e, ("key", "rule", "text"), at, required=("key", "rule", "text"))
        for k in ("key", "rule"):
            v = e[k]
            if not isinstance(v, str) or not v.strip() or len(v) > MAX_EXPLANATION_KEY or CONTROL_CHARS.search(v) or \
                    "\t" in v or "\n" in v:
                raise DocumentError(f"«{k}» của giải trình phải là chuỗi chữ một dòng, không rỗng, tối đa "
                                    f"{MAX_EXPLANATION_KEY} ký tự", f"{at}.{k}")
        t = e["text"]
        if not isinstance(t, str):
            raise DocumentError(f"nội dung giải trình phải là chuỗi chữ, có {_show(t)}", f"{at}.text")
        if not t.strip():
            raise DocumentError("nội dung giải trình đang trống; hãy viết giải trình hoặc xóa nó", f"{at}.text")
        if len(t) > MAX_EXPLANATION_CHARS:
            raise DocumentError(f"giải trình dài {len(t)} ký tự, quá {MAX_EXPLANATION_CHARS} ký tự", f"{at}.text")
        bad = CONTROL_CHARS.search(t)
        if bad:
            raise DocumentError(f"giải trình chứa ký tự điều khiển U+{ord(bad.group()):04X} (không phải chữ); hãy xóa "
                                "ký tự này", f"{at}.text")
        if (e["key"], e["rule"]) in seen:
            raise DocumentError(f"lỗi «{e['key']}» ({e['rule']}) có hai giải trình; chỉ giữ một", at)
        seen.add((e["key"], e["rule"]))


def _check_template_ref(tref, tpl: Template) -> None:
    if not isinstance(tref, dict):
        raise DocumentError("«template» phải là {\"id\": …, \"version\": …}", "template")
    _keys(tref, ("id", "version"), "template", required=("id", "version"))
    if not isinstance(tref["id"], str) or not is_int(tref["version"]) or tref["version"] < 1:
        raise DocumentError("«template.id» là chuỗi chữ và «template.version» là số nguyên ≥ 1", "template")
    if tref["id"] != tpl.id or tref["version"] != tpl.version:
        raise DocumentError(f"tài liệu dùng mẫu «{tref['id']}» phiên bản {tref['version']}, không phải «{tpl.id}» {tpl.version}")


def _check_commune(c) -> None:
    from nq57desk.units import check_commune

    if not isinstance(c, dict) or not c.get("code"):
        raise DocumentError("thiếu mã xã/phường («commune.code»)")
    _keys(c, ("code", "name", "province_code", "province_name"), "commune")
    for k, v in c.items():
        if not isinstance(v, str):
            raise DocumentError(f"«commune.{k}» phải là chuỗi chữ", f"commune.{k}")
    u = check_commune(c)
    if c.get("province_code") and c["province_code"] != u.province_code:
        raise DocumentError(f"xã/phường mã {u.code} thuộc tỉnh mã {u.province_code}, không phải {c['province_code']}")
    if c.get("province_name") and c["province_name"].strip() != u.province_name:
        raise DocumentError(f"xã/phường mã {u.code} thuộc «{u.province_name}», không phải «{c['province_name']}»",
                            "commune.province_name")


def _check_period(p) -> None:
    if not isinstance(p, dict):
        raise DocumentError("thiếu «period» (kỳ báo cáo)")
    _keys(p, PERIOD_KEYS, "period", required=("kind", "year", "start", "end"))
    k = p["kind"]
    if k not in PERIOD_KINDS:
        raise DocumentError(f"kỳ báo cáo «{k}» không có; dùng: {', '.join(PERIOD_KINDS)}", "period.kind")
    y = p["year"]
    if not is_int(y) or not 2000 <= y <= 2100:
        raise DocumentError("«period.year» phải là năm (2000–2100)", "period.year")
    n = p.get("number")
    if k in NUMBER_LIMITS:
        if not (is_int(n) and 1 <= n <= NUMBER_LIMITS[k]):
            raise DocumentError(f"«period.number» của kỳ «{k}» phải từ 1 đến {NUMBER_LIMITS[k]}", "period.number")
    elif k in NO_NUMBER and n is not None:
        raise DocumentError(f"kỳ «{k}» ({PERIOD_VI[k]}) không có «period.number»; để null", "period.number")
    elif n is not None and not (is_int(n) and 1 <= n <= 12):
        raise DocumentError("«period.number» phải từ 1 đến 12 hoặc null", "period.number")
    if "label" in p and not isinstance(p["label"], str):
        raise DocumentError("«period.label» phải là chuỗi chữ", "period.label")
    if k == "none" and p.get("label"):
        raise DocumentError("kỳ «none» (Không nêu kỳ) không có «period.label»; bỏ đi hoặc để trống", "period.label")
    for key in ("start", "end"):
        if key == "end" and k == "custom" and p[key] is None:
            continue  # «từ ngày … đến thời điểm báo cáo»
        if not is_date(p[key]):
            raise DocumentError(f"«period.{key}» phải là ngày có thật, dạng YYYY-MM-DD (có {_show(p[key])})"
                                + ("; kỳ «từ ngày …» chưa có ngày kết thúc thì để null" if k == "custom" and key == "end"
                                   else ""), f"period.{key}")
    start = dt.date.fromisoformat(p["start"])
    end = dt.date.fromisoformat(p["end"]) if p["end"] is not None else None
    if k in ("custom", "cutoff"):
        if end is not None and start > end:
            raise DocumentError(f"kỳ báo cáo có ngày bắt đầu {fmt_date(start)} sau ngày kết thúc {fmt_date(end)}", "period")
        if k == "cutoff" and y != end.year:
            raise DocumentError(f"«period.year» của kỳ «tính đến ngày {fmt_date(end)}» phải là {end.year} (có {y})",
                                "period.year")
        if not start.year <= y <= (end or start).year:
            last = f"đến ngày {fmt_date(end)}" if end else "đến thời điểm báo cáo"
            raise DocumentError(f"«period.year» {y} không nằm trong kỳ từ ngày {fmt_date(start)} {last}", "period.year")
        return
    s, e = period_bounds(k, y, n)
    if (start, end) != (s, e):
        name = period_label({"kind": k, "year": y, "number": n}) or f"không nêu kỳ, năm {y}"
        raise DocumentError(f"kỳ «{name}» là từ {fmt_date(s)} đến {fmt_date(e)} («start»: «{s.isoformat()}», «end»: "
                            f"«{e.isoformat()}»), nhưng tệp ghi từ {fmt_date(start)} đến {fmt_date(end)}", "period")


def _check_header(h) -> None:
    if not isinstance(h, dict):
        raise DocumentError("thiếu «header»")
    _keys(h, HEADER_KEYS, "header", required=HEADER_KEYS)
    for k in ("symbol", "place", "subject"):
        if not isinstance(h[k], str):
            raise DocumentError(f"«header.{k}» phải là chuỗi chữ", f"header.{k}")
    num = h["number"]
    if not (isinstance(num, str) or (is_int(num) and num >= 1)):
        raise DocumentError("«header.number» (số văn bản) phải là chuỗi chữ hoặc số nguyên dương", "header.number")
    d = h["date"]
    if d is not None and not (is_date(d) or is_month(d)):
        raise DocumentError(f"«header.date» phải là ngày có thật dạng YYYY-MM-DD, chỉ tháng dạng YYYY-MM (ngày để "
                            f"trống khi ký), hoặc null; có {_show(d)}", "header.date")
    _str_list(h["issuer"], "header.issuer", "«header.issuer» (cơ quan ban hành)")
    if h["kinh_gui"] is not None:
        _str_list(h["kinh_gui"], "header.kinh_gui", "«header.kinh_gui» (Kính gửi)")


def _check_replaces(rep, revision: int) -> None:
    if rep is None:
        return
    if not isinstance(rep, dict):
        raise DocumentError("«replaces» phải là null hoặc {\"revision\": số, \"kind\": \"thay thế\" | \"bổ sung\"}",
                            "replaces")
    _keys(rep, ("revision", "kind"), "replaces", required=("revision",))
    if not is_int(rep["revision"]) or not 1 <= rep["revision"] < revision:
        raise DocumentError("«replaces.revision» là số của bản đã gửi, nhỏ hơn «revision»", "replaces.revision")
    if "kind" in rep and rep["kind"] not in REPLACE_KINDS:
        raise DocumentError(f"«replaces.kind» là «thay thế» hoặc «bổ sung», không phải {_show(rep['kind'])}",
                            "replaces.kind")


def carried_keys(tpl: Template) -> dict[str, str]:
    """Keys `carried` may hold: each cumulative field/cell → its this-period field/cell (docs/templates.md)."""
    out = {}
    for _ckey, b in tpl.blocks():
        if isinstance(b, FieldsBlock):
            out.update({f.key: f.cumulative_of for f in b.fields if f.cumulative_of})
        elif isinstance(b, TableBlock) and b.fixed:
            for r in b.data_rows():
                for c in b.columns:
                    if c.cumulative_of:
                        out[f"{b.key}.{r.key}.{c.key}"] = f"{b.key}.{r.key}.{c.cumulative_of}"
    return out


def _check_carried(carried, tpl: Template) -> None:
    if not isinstance(carried, dict) or not all(is_num(v) for v in carried.values()):
        raise DocumentError("«carried» (số liệu lũy kế mang sang) phải là bảng tên: số", "carried")
    pairs = carried_keys(tpl)
    bases = {base: cum for cum, base in pairs.items()}
    for k in carried:
        if k in pairs:
            continue
        if k in bases:
            if bases[k] not in carried:
                raise DocumentError(f"«{k}» (số trong kỳ trước) chỉ mang sang cùng số lũy kế «{bases[k]}»", "carried")
            continue
        raise DocumentError(f"mẫu «{tpl.id}» không có số lũy kế «{k}»", "carried")


def _check_values(values, tpl: Template) -> None:
    from nq57desk.report.kinds import empty_values, function

    if not isinstance(values, dict):
        raise DocumentError("«values» phải là một đối tượng", "values")
    known = {}
    for _ckey, b in tpl.blocks():  # the keys each block holds: a spread kind's are its fields (report/kinds.py)
        own = {f.key: f for f in fields_of(b)} if function(b, "empty_values") is not None else {}
        known.update({key: own.get(key, b) for key in empty_values(b)})
    extra = set(values) - set(known)
    if extra:
        raise DocumentError(f"mẫu «{tpl.id}» không có trường {', '.join(sorted(extra))}", "values")
    for key, v in values.items():
        spec = known[key]
        place = f"values.{key}"
        if hasattr(spec, "type") and not hasattr(spec, "kind"):  # a Field
            if not type_ok(spec.type, v):
                raise DocumentError(f"«{spec.label}» phải là {TYPE_VI[spec.type]}, có {_show(v)}", place)
        elif (check := function(spec, "check")) is not None:
            check(spec, v, place)
