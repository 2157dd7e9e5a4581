"""Validation: per-field checks and template rules → findings with severity, place and a Vietnamese message."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from nq57desk.report.check import is_month
from nq57desk.report.derive import ReportEnv, format_value
from nq57desk.report.document import context_of, fill_placeholders
from nq57desk.report.kinds import function
from nq57desk.report.shaping import shape
from nq57desk.templates import expr
from nq57desk.templates.fieldtypes import shown_unit
from nq57desk.templates.model import (
    NUMERIC_TYPES,
    Column,
    DocumentsBlock,
    Field,
    FieldsBlock,
    Rule,
    TableBlock,
    Template,
    TextBlock,
)
from nq57desk.templates.numbering import section_paths
from nq57desk.validation.periods import check_stale_periods
from nq57desk.validation.stated import stated_findings
from nq57desk.vn import fmt_date, fmt_number, month_only, month_str, parse_date, same_words

SEVERITY_VI = {"error": "Lỗi", "warning": "Cảnh báo"}
REQUIRED = "required"  # the rule kind of a required field or text left blank


@dataclass(frozen=True)
class Finding:
    severity: str  # error | warning
    where: str  # section/appendix key, for jumping to the form
    key: str  # field key, block key or table.row.col
    place: str  # "II. KẾT QUẢ … › 2. Về chuyển đổi số › Tỷ lệ hồ sơ trực tuyến"
    message: str
    rule: str = ""  # rule kind, or "field" for per-field checks

    @property
    def severity_vi(self) -> str:
        return SEVERITY_VI[self.severity]

    def line(self) -> str:
        return f"{self.severity_vi}\t{self.place}\t{self.message}"


def validate(tpl: Template, doc: dict) -> list[Finding]:
    """Every finding for a document, errors first, in document order within each severity."""
    tpl = shape(tpl, doc).visible()  # the report's own outline; a hidden section's figures are not reported
    v = _Validator(tpl, doc)
    v.fields()
    v.tables()
    v.kinds()
    v.texts()
    v.closing()
    check_stale_periods(v)
    for r in tpl.rules:
        v.rule(r)
    stated_findings(v)
    order = {"error": 0, "warning": 1}
    return sorted(v.out, key=lambda f: order[f.severity])


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)


def error_count(findings: list[Finding]) -> int:
    return sum(f.severity == "error" for f in findings)


# -- giải trình (explanations) and what blocks -----------------------------------------------------------------
# An officer may explain an error the commune cannot fix (its figures are what they are). The explanation is
# stored in the report document ("explanations": [{key, rule, text}], docs/report-format.md), matched to a
# finding by key and rule (never by message: messages carry numbers that change). An explanation whose finding
# no longer exists is kept and simply not shown as active.

def explanations_of(doc: dict) -> dict[tuple[str, str], str]:
    """(finding key, rule kind) → explanation text, from the document."""
    out = {}
    for e in doc.get("explanations") or []:
        if isinstance(e, dict) and isinstance(e.get("key"), str) and isinstance(e.get("rule"), str):
            text = e.get("text")
            if isinstance(text, str) and text.strip():
                out[(e["key"], e["rule"])] = text
    return out


def explainable(f: Finding) -> bool:
    """Errors of the report's content can be explained; a typed text that is not a number or a failed save
    cannot (they are not in the document)."""
    return f.severity == "error" and f.rule not in ("input", "save")


def explanation(doc: dict, f: Finding) -> str:
    """The explanation written for this finding, or ""."""
    return explanations_of(doc).get((f.key, f.rule), "") if explainable(f) else ""


def blocking(findings: list[Finding], doc: dict) -> list[Finding]:
    """The one rule for "which errors block" marking «Hoàn thành» and the bundle / USB package for the upper
    level: every error without a giải trình. A draft DOCX, PDF or print is never blocked."""
    ex = explanations_of(doc)
    return [f for f in findings if f.severity == "error" and not (explainable(f) and (f.key, f.rule) in ex)]


def explained_count(findings: list[Finding], doc: dict) -> int:
    """Errors that have a giải trình (what the upper level is told beside the commune)."""
    return error_count(findings) - len(blocking(findings, doc))


def blank_required(findings: list[Finding]) -> list[Finding]:
    """Required indicators and text blocks left blank (warnings: blank means not reported, never an error)."""
    return [f for f in findings if f.rule == REQUIRED]


def names_text(names: list[str], most: int = 5) -> str:
    """«a», «b», … and «và N mục khác»: a list short enough for a message box."""
    shown = ", ".join(f"«{n}»" for n in names[:most])
    return shown + (f" và {len(names) - most} mục khác" if len(names) > most else "")


def refusal_text(errors: list[Finding], action: str) -> str:
    """Why an action waits: the blocking findings (the first five named), for «Hoàn thành», the bundle, the package."""
    where = names_text([f"{f.place}: {f.message}" if f.place else f.message for f in errors])
    return (f"Báo cáo còn {len(errors)} lỗi chưa sửa, chưa giải trình: {where}. Hãy sửa hoặc viết giải trình cho từng "
            f"lỗi (xem bảng «Kiểm tra») trước khi {action}.")


def done_refusal(findings: list[Finding], doc: dict, action: str = "đánh dấu «Hoàn thành»") -> str:
    """Why the report cannot be «Hoàn thành» now ("" when it can): an unexplained error, or a required
    indicator or text still blank."""
    block = blocking(findings, doc)
    if block:
        return refusal_text(block, action)
    blank = blank_required(findings)
    if blank:
        names = [f.place.rsplit(" › ", 1)[-1] for f in blank]
        return (f"Chưa {action} được: còn {len(blank)} mục bắt buộc chưa có số liệu hoặc nội dung: "
                f"{names_text(names)}.")
    return ""


def _fmt(v) -> str:
    if v is None:
        return "trống"
    if isinstance(v, Decimal):
        return fmt_number(round(v, 2) if abs(v) >= 1 else round(v, 4))
    return str(v)


class _Validator:
    def __init__(self, tpl: Template, doc: dict):
        self.tpl, self.doc = tpl, doc
        self.env = ReportEnv(tpl, doc)
        self.ctx = context_of(doc)
        self.paths = section_paths(tpl, self.ctx)
        self.values = doc.get("values") or {}
        self.labels: dict[str, str] = tpl.memo_in("_labels", self.ctx, dict)  # label_of's, kept with the template
        self.out: list[Finding] = []

    def add(self, sev, key, message, rule="field", where=None, label=None):
        where = where if where is not None else self.tpl.container_of(key.split(".")[0])
        place = self.paths.get(where, "")
        if label:
            place = f"{place} › {label}" if place else label
        self.out.append(Finding(sev, where, key, place, message, rule))

    def label_of(self, name: str) -> str:
        lab = self.labels.get(name)
        if lab is None:
            lab = self.labels[name] = self._label_of(name)
        return lab

    def _label_of(self, name: str) -> str:
        f = self.tpl.field(name)
        if f is not None:
            return f.label
        parts = name.split(".")
        if len(parts) == 3:
            tb = self.tpl.table(parts[0])
            if tb is not None:
                col = tb.column(parts[2])
                row = next((r for r in tb.data_rows() if r.key == parts[1]), None)
                rlabel = "dòng tổng" if parts[1] == "total" else _row_label(tb, row) if row else parts[1]
                text = f"{tb.title or tb.label or tb.key}, {rlabel}, cột «{col.label if col else parts[2]}»"
                return fill_placeholders(text, self.ctx)
        return name

    def describe(self, src) -> str:
        node = expr.parse(str(src))
        if isinstance(node, expr.Name):
            return f"«{self.label_of(node.path)}»"
        return f"«{src}»"

    # per field ------------------------------------------------------------------------------------------
    def fields(self):
        for key, f in self.tpl.fields().items():
            val = self.env.resolve(key)
            if f.formula:
                self.derived(f, val)
                continue
            raw = self.values.get(key)
            if f.required and (raw is None or raw == ""):  # not reported: a warning, never an invented zero
                what = "nội dung" if f.type in ("text", "longtext", "choice") else "số liệu"
                self.add("warning", key, f"Chưa có {what}: {f.label}", rule=REQUIRED, label=f.label)
                continue
            if raw is None or raw == "":
                continue
            self.number_range(f, f.key, val, f.label)
            if f.type == "choice" and raw not in f.choices:
                self.add("error", key, f"«{raw}» không có trong danh sách chọn.", label=f.label)
            if f.cumulative_of:
                this = self.env.resolve(f.cumulative_of)
                if isinstance(this, Decimal) and isinstance(val, Decimal) and this > val:
                    base = self.tpl.field(f.cumulative_of)
                    self.add("error", key, f"Số lũy kế ({_fmt(val)}) nhỏ hơn số trong kỳ «{base.label}» ({_fmt(this)}).",
                             label=f.label)

    def derived(self, f: Field, val):
        if not isinstance(val, Decimal):
            return
        if f.type == "percent":
            hi = Decimal(str(f.max)) if f.max is not None else Decimal(100)
            if val > hi:
                node = expr.parse(f.formula)
                extra = ""
                if isinstance(node, expr.Call) and node.fn == "rate":
                    extra = (f": tử số {self.describe_node(node.args[0])} lớn hơn mẫu số {self.describe_node(node.args[1])}")
                self.add("error", f.key, f"Tỷ lệ tính ra {format_value(f, val)} vượt quá {fmt_number(hi)}%{extra}.", label=f.label)
            elif val < 0:
                self.add("error", f.key, f"Tỷ lệ tính ra âm ({format_value(f, val)}).", label=f.label)
        elif f.type in ("integer", "money") and val < 0:
            self.add("error", f.key, f"Giá trị tính ra âm ({_fmt(val)}): kiểm tra các số thành phần.", label=f.label)

    def describe_node(self, node) -> str:
        if isinstance(node, expr.Name):
            return f"«{self.label_of(node.path)}» ({_fmt(self.env.resolve(node.path))})"
        return f"({_fmt(expr.evaluate(node, self.env))})"

    def number_range(self, spec: Field | Column, key, val, label, where=None, percent_hint=False):
        if spec.type not in NUMERIC_TYPES and not (spec.type == "measure" and isinstance(val, Decimal)):
            return
        if not isinstance(val, Decimal):
            self.add("error", key, f"Phải là số, có «{val}».", label=label, where=where)
            return
        lo = spec.min
        hi = spec.max
        if spec.type == "percent" or percent_hint:
            lo = 0 if lo is None else lo
            hi = 100 if hi is None else hi
        if spec.type in ("integer", "money") and lo is None:
            lo = 0
        if spec.type in ("integer", "money") and val != val.to_integral_value():
            self.add("error", key, f"Phải là số nguyên, có {_fmt(val)}.", label=label, where=where)
        if lo is not None and val < Decimal(str(lo)):
            self.add("error", key, f"Giá trị {_fmt(val)} nhỏ hơn mức tối thiểu {fmt_number(lo)}.", label=label, where=where)
        if hi is not None and val > Decimal(str(hi)):
            unit = "%" if spec.type == "percent" or percent_hint else ""
            self.add("error", key, f"Giá trị {_fmt(val)}{unit} vượt quá mức tối đa {fmt_number(hi)}{unit}.", label=label, where=where)

    # tables -----------------------------------------------------------------------------------------------
    def tables(self):
        for _ckey, b in self.tpl.blocks():
            if not isinstance(b, TableBlock):
                continue
            if b.fixed:
                for r in b.data_rows():
                    pct = any(str(v).strip() == "%" for _k, v in r.cells)
                    for c in b.columns:
                        if r.cell(c.key) is not None or c.type in ("stt", "text", "longtext"):
                            continue
                        val = self.env.cell(b, r.key, c.key)
                        if val is None or val == "":
                            continue
                        key = f"{b.key}.{r.key}.{c.key}"
                        self.number_range(c, key, val, self.label_of(key), percent_hint=pct and c.type == "measure")
                        self.choice(c, key, val, self.label_of(key))
                        if c.cumulative_of:
                            this = self.env.cell(b, r.key, c.cumulative_of)
                            if isinstance(this, Decimal) and isinstance(val, Decimal) and this > val:
                                self.add("error", key, f"Số lũy kế ({_fmt(val)}) nhỏ hơn số trong kỳ ({_fmt(this)}).",
                                         label=self.label_of(key))
            else:
                for i, row in enumerate(self.values.get(b.key) or [], start=1):
                    for c in b.columns:
                        raw = row.get(c.key)
                        if raw is None or raw == "" or c.type in ("stt", "text", "longtext"):
                            continue
                        lab = f"{b.title or b.label or b.key}, dòng {i}, cột «{c.label}»"
                        val = Decimal(str(raw)) if isinstance(raw, (int, float)) and not isinstance(raw, bool) else raw
                        self.number_range(c, f"{b.key}[{i}].{c.key}", val, lab, where=self.tpl.container_of(b.key))
                        self.choice(c, f"{b.key}[{i}].{c.key}", raw, lab, where=self.tpl.container_of(b.key))

    def kinds(self):
        """The blocks whose findings live in their own module (report/kinds.py)."""
        for ckey, b in self.tpl.blocks():
            if (findings := function(b, "findings")) is not None:
                for sev, key, label, message in findings(b, self.values.get(b.key)):
                    self.add(sev, key, message, where=ckey, label=label)

    def choice(self, c: Column, key, val, label, where=None):
        if c.choices and not c.allow_other and val not in c.choices:
            self.add("error", key, f"«{val}» không có trong danh sách chọn ({', '.join(c.choices)}).", label=label, where=where)

    def texts(self):
        for _ckey, b in self.tpl.blocks():
            if isinstance(b, TextBlock) and b.required and not (self.values.get(b.key) or "").strip():
                self.add("warning", b.key, f"Chưa có nội dung: {b.label or 'Nội dung'}", rule=REQUIRED,
                         label=b.label or "Nội dung")
            if isinstance(b, DocumentsBlock):
                for i, d in enumerate(self.values.get(b.key) or [], start=1):
                    if not (d.get("kind") or "").strip():
                        self.add("warning", b.key, f"Văn bản thứ {i} chưa ghi loại văn bản (Kế hoạch, Quyết định…).",
                                 label=b.label or "Văn bản")

    def closing(self):
        rec = self.doc.get("recipients") or []
        if not rec:
            self.add("warning", "recipients", "Chưa có Nơi nhận.", where="_closing", label="Nơi nhận")
        elif not rec[-1].strip().startswith("Lưu"):
            self.add("warning", "recipients", "Dòng cuối của Nơi nhận phải là «Lưu: …».", where="_closing", label="Nơi nhận")
        if not ((self.doc.get("signature") or {}).get("name") or "").strip():
            self.add("warning", "signature", "Chưa có họ tên người ký.", where="_closing", label="Chữ ký")
        h = self.doc.get("header") or {}
        if h.get("date"):
            d, what = parse_date(h["date"]), ""
            if d is None and is_month(h["date"]):  # month only: its last day is the latest it can be signed
                y, m = month_only(h["date"])
                d, what = dt.date(y, m, calendar.monthrange(y, m)[1]), f"Tháng báo cáo {month_str(m)}/{y}"
            start = parse_date(self.doc["period"]["start"])
            if d and start and d < start:
                self.add("warning", "header.date", f"{what or f'Ngày báo cáo {fmt_date(d)}'} trước ngày đầu kỳ báo cáo.",
                         where="_intro", label="Ngày báo cáo")

    # rules ------------------------------------------------------------------------------------------------
    def rule(self, r: Rule):
        a = r.args
        names: list[str] = []
        for k in ("left", "right", "total", "value", "expr", "equals"):
            if k in a and not (r.kind == "table_count" and k == "value"):
                names += sorted(expr.names(expr.parse(str(a[k]))))
        for p in a.get("parts", []):
            names += sorted(expr.names(expr.parse(str(p))))
        where = r.where or (self.tpl.container_of(names[0].split(".")[0]) if names else "")
        if r.kind == "table_count":
            where = r.where or self.tpl.container_of(str(a["table"]))
        if r.kind == "in_period":
            key = str(a["field"])
            where = r.where or self.tpl.container_of(key)
        key = names[0] if names else (str(a["field"]) if r.kind == "in_period" else r.kind)

        def emit(msg, label=None, numbers=""):
            """A template's own message is kept and followed by the computed numbers; else the built-in one."""
            text = r.message or msg
            if r.message and numbers:  # "… Phụ lục IV (24 thủ tục khác 25 thủ tục)."
                m = r.message.rstrip()
                text = f"{m.rstrip('.')} ({numbers})" + ("." if m.endswith(".") else "")
            self.add(r.severity, key, text, rule=r.kind, where=where, label=label)

        ev = lambda src: expr.evaluate(str(src), self.env)  # noqa: E731
        if r.kind in ("le", "lt", "eq"):
            lv, rv = ev(a["left"]), ev(a["right"])
            if not isinstance(lv, Decimal) or not isinstance(rv, Decimal):
                return
            bad = {"le": lv > rv, "lt": lv >= rv, "eq": lv != rv}[r.kind]
            if bad:
                rel = {"le": "lớn hơn", "lt": "không nhỏ hơn", "eq": "khác"}[r.kind]
                emit(f"{self.describe(a['left'])} ({_fmt(lv)}) {rel} {self.describe(a['right'])} ({_fmt(rv)}).",
                     label=self.label_of(names[0]) if names else None,
                     numbers=f"{self.amount(a['left'], lv)} {rel} {self.amount(a['right'], rv)}")
        elif r.kind == "sum":
            self.sum_rule(r, ev, emit)
        elif r.kind == "range":
            val = ev(a["value"])
            if not isinstance(val, Decimal):
                return
            lo, hi = a.get("min"), a.get("max")
            if (lo is not None and val < Decimal(str(lo))) or (hi is not None and val > Decimal(str(hi))):
                rng = f"{fmt_number(lo) if lo is not None else '…'}–{fmt_number(hi) if hi is not None else '…'}"
                emit(f"{self.describe(a['value'])} = {_fmt(val)} nằm ngoài khoảng {rng}.", label=self.label_of(key),
                     numbers=f"{self.amount(a['value'], val)}, ngoài khoảng {rng}")
        elif r.kind == "in_period":
            self.in_period(r, emit)
        elif r.kind == "table_count":
            tb = self.tpl.table(str(a["table"]))
            col = tb.column(str(a["column"]))
            n = sum(1 for row in self.env.table_rows(tb.key) if same_words(row.get(col.key), a["value"]))
            want = ev(a["equals"])
            if isinstance(want, Decimal) and Decimal(n) != want:
                emit(f"Bảng «{tb.title or tb.label}» có {n} dòng «{a['value']}» ở cột «{col.label}», nhưng báo cáo ghi "
                     f"{self.describe(a['equals'])} = {_fmt(want)}.", label=self.label_of(str(a["equals"])),
                     numbers=f"bảng có {n} dòng «{a['value']}», báo cáo ghi {_fmt(want)}")
        elif r.kind == "check":
            ok = ev(a["expr"])
            if ok is False:
                emit(f"Điều kiện «{a['expr']}» không thỏa.", label=self.check_label(a["expr"], names))

    def sum_rule(self, r: Rule, ev, emit):
        """Parts and their total. Blank parts are not reported, never zero: the parts given must not exceed the
        total, and they must equal it only when every part is given and the rule is not `open` (open: the listed
        parts need not be all of the total)."""
        a = r.args
        tv = ev(a["total"])
        vals = [ev(p) for p in a["parts"]]
        known = [(p, v) for p, v in zip(a["parts"], vals, strict=True) if isinstance(v, Decimal)]
        if not isinstance(tv, Decimal) or not known:
            return
        s = sum((v for _p, v in known), Decimal(0))
        complete = len(known) == len(vals)
        total_txt = f"tổng {self.amount(a['total'], tv)}"
        expr_txt = " + ".join(_fmt(v) for _p, v in known)
        label = self.label_of(str(a["total"]))
        if s > tv:
            what = "Các phần cộng lại" if complete else "Các phần đã có số liệu cộng lại"
            emit(f"{what} ({expr_txt} = {_fmt(s)}) lớn hơn tổng {self.describe(a['total'])} ({_fmt(tv)}).", label=label,
                 numbers=f"{expr_txt} = {self.amount(a['total'], s)}, lớn hơn {total_txt}")
        elif complete and not a.get("open") and s != tv:
            emit(f"Các phần cộng lại ({expr_txt} = {_fmt(s)}) khác tổng {self.describe(a['total'])} ({_fmt(tv)}).",
                 label=label, numbers=f"{expr_txt} = {self.amount(a['total'], s)}, khác {total_txt}")

    def amount(self, src, val) -> str:
        """A computed number as the officer reads it (1.234, 99,83%), with the unit of the field it comes from."""
        node = expr.parse(str(src))
        spec = None
        if isinstance(node, expr.Name):
            spec = self.tpl.field(node.path)
            parts = node.path.split(".")
            if spec is None and len(parts) == 3 and self.tpl.table(parts[0]) is not None:
                spec = self.tpl.table(parts[0]).column(parts[2])
        unit = (getattr(spec, "unit", "") or "") if spec is not None else ""
        if spec is not None and shown_unit(spec.type) and not unit:
            return format_value(spec, val)
        return f"{_fmt(val)} {unit}" if unit else _fmt(val)

    def check_label(self, src, names: list[str]) -> str | None:
        """What a «check» finding points at, as the officer sees it: its first field or cell, else its first table."""
        if names:
            return self.label_of(names[0])
        tables = sorted(expr.table_refs(expr.parse(str(src))), key=str)
        tb = self.tpl.table(tables[0][0]) if tables else None
        return fill_placeholders(tb.title or tb.label or tb.key, self.ctx) if tb else None

    def in_period(self, r: Rule, emit):
        p = self.doc["period"]
        start = dt.date.fromisoformat(p["start"])  # «đến thời điểm báo cáo» (no end): up to the report's date
        end = dt.date.fromisoformat(p["end"]) if p.get("end") else parse_date(self.doc["header"].get("date")) or dt.date.max
        key = r.args["field"]
        f = self.tpl.field(key)
        if f is not None:
            d = parse_date(self.values.get(key))
            if d and not start <= d <= end:
                emit(f"Ngày {fmt_date(d)} nằm ngoài kỳ báo cáo ({fmt_date(start)}–{fmt_date(end)}).", label=f.label)
            return
        b = self.tpl.block(key)
        if isinstance(b, DocumentsBlock):
            for d in self.values.get(key) or []:
                dd = parse_date(d.get("date"))
                if dd and dd > end:
                    emit(f"Văn bản {d.get('number') or d.get('kind', '')} ngày {fmt_date(dd)} ban hành sau ngày cuối kỳ "
                         f"báo cáo ({fmt_date(end)}).", label=b.label or "Văn bản")
        if isinstance(b, FieldsBlock):
            return


def _row_label(tb: TableBlock, row) -> str:
    texts = [str(v) for k, v in row.cells if tb.column(k) and tb.column(k).type not in ("stt",) and isinstance(v, str)]
    first = texts[0] if texts else row.key
    if len(first) > 50:  # cut at a word, never inside one ("… điện tử", not "… đi")
        first = first[:50].rsplit(" ", 1)[0] + " …"
    return f"dòng «{first}»"
