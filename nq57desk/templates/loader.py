"""Load and check template files (YAML or JSON) with messages that name the file, the place and the problem."""

from __future__ import annotations

import re
from pathlib import Path

from nq57desk.errors import TemplateError
from nq57desk.templates import expr
from nq57desk.templates.model import (
    CAUSES_ASSESSMENT,
    COLUMN_TYPES,
    DEFAULT_ASSESSMENT,
    DOCUMENT_LAYOUTS,
    FIELD_TYPES,
    KEY_RE,
    NUMBER_STYLES,
    PERIOD_KINDS,
    RULE_KINDS,
    SEVERITIES,
    AmountsBlock,
    Appendix,
    AppendixRefBlock,
    AssessmentBlock,
    Block,
    Column,
    DocumentsBlock,
    Field,
    FieldsBlock,
    FreeSectionsBlock,
    ListBlock,
    RecordsBlock,
    RowDef,
    Rule,
    Section,
    TableBlock,
    TasksBlock,
    Template,
    TextBlock,
)
from nq57desk.templates.refs import check_references
from nq57desk.templates.yamlsafe import LineDict, read_yaml
from nq57desk.vn import nfc_deep

FORMAT = "nq57-template/1"


class _Ctx:
    def __init__(self, source: str, catalogue=None):
        self.source = source
        self.keys: dict[str, str] = {}
        self.lines: dict[str, int] = {}  # key → line where it is defined, for the reference checks
        self.auto = 0
        self._catalogue = catalogue
        self.known: dict = {}  # indicator code → the first field that is it (figure groups reuse it)
        self.group_rules: list[Rule] = []  # the catalogue's checks among the figures of `indicators:` blocks

    @property
    def catalogue(self):
        """The indicator catalogue, read only when a template names an indicator."""
        if self._catalogue is None:
            from nq57desk.templates.catalogue import default_catalogue

            self._catalogue = default_catalogue()
        return self._catalogue

    def fail(self, place: str, problem: str, node=None):
        line = getattr(node, "line", None)
        where = place + (f" (dòng {line})" if line else "")
        raise TemplateError(self.source, where, problem)

    def claim(self, key, place, node):
        if not isinstance(key, str) or not KEY_RE.match(key):
            self.fail(place, f"khóa «{key}» không hợp lệ: chỉ dùng chữ thường không dấu, số và dấu _ , bắt đầu bằng chữ", node)
        if key in self.keys:
            self.fail(place, f"khóa «{key}» bị trùng (đã dùng ở {self.keys[key]})", node)
        self.keys[key] = place
        if getattr(node, "line", None):
            self.lines[key] = node.line


def _allowed(ctx, node, place, allowed):
    if not isinstance(node, dict):
        ctx.fail(place, "cần một bảng khóa: giá trị", node)
    extra = set(node) - set(allowed)
    if extra:
        ctx.fail(place, f"không biết khóa {', '.join(sorted(map(str, extra)))} (được dùng: {', '.join(sorted(allowed))})", node)


def _req(ctx, node, key, place, kind=str):
    if key not in node or node[key] in (None, ""):
        ctx.fail(place, f"thiếu «{key}»", node)
    v = node[key]
    if kind is not None and not isinstance(v, kind):
        ctx.fail(place, f"«{key}» phải là {_kind_vi(kind)}", node)
    return v


def _opt(ctx, node, key, place, kind, default=None):
    v = node.get(key, default)
    if v is None:
        return default
    if kind is float:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            ctx.fail(place, f"«{key}» phải là số", node)
        return v
    if not isinstance(v, kind):
        ctx.fail(place, f"«{key}» phải là {_kind_vi(kind)}", node)
    return v


def _kind_vi(kind):
    return {str: "chuỗi chữ", int: "số nguyên", bool: "true/false", list: "danh sách", dict: "bảng khóa"}.get(kind, str(kind))


def _str_list(ctx, node, key, place):
    v = node.get(key)
    if v is None:
        return ()
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        ctx.fail(place, f"«{key}» phải là danh sách chuỗi chữ", node)
    return tuple(v)


FIELD_KEYS = {"key", "label", "type", "unit", "required", "min", "max", "decimals", "choices", "formula",
              "cumulative_of", "default", "help", "print_label", "indicator", "stated_of"}


def _field(ctx, node, place) -> Field:
    _allowed(ctx, node, place, FIELD_KEYS)
    key = _req(ctx, node, "key", place)
    place = f"{place} «{key}»"
    ctx.claim(key, place, node)
    ind = _indicator_of(ctx, node, place)
    ftype = node.get("type", ind.type if ind else "integer")
    if ftype not in FIELD_TYPES:
        ctx.fail(place, f"kiểu «{ftype}» không có; dùng một trong: {', '.join(FIELD_TYPES)}", node)
    choices = _str_list(ctx, node, "choices", place)
    if ftype == "choice" and not choices:
        ctx.fail(place, "trường lựa chọn cần danh sách «choices»", node)
    formula = _opt(ctx, node, "formula", place, str)
    if formula:
        try:
            expr.parse(formula)
        except expr.ExprError as e:
            ctx.fail(place, str(e), node)
    if ind is not None:
        _check_indicator(ctx, node, place, ind, ftype)
    f = Field(
        key=key,
        label=_req(ctx, node, "label", place) if ind is None or "label" in node else ind.label,
        type=ftype,
        unit=_opt(ctx, node, "unit", place, str, "" if ind is None or ind.type == "money" else ind.unit),
        required=_opt(ctx, node, "required", place, bool, False),
        min=_opt(ctx, node, "min", place, float),
        max=_opt(ctx, node, "max", place, float),
        decimals=_opt(ctx, node, "decimals", place, int),
        choices=choices,
        formula=formula,
        cumulative_of=_opt(ctx, node, "cumulative_of", place, str),
        default=node.get("default"),
        help=_opt(ctx, node, "help", place, str, ""),
        print_label=_opt(ctx, node, "print_label", place, bool, True),
        indicator=ind.code if ind is not None else None,
        stated_of=_opt(ctx, node, "stated_of", place, str),
    )
    if f.stated_of and (f.type != "percent" or f.formula):
        ctx.fail(place, "«stated_of» là tỷ lệ báo cáo ghi (kiểu percent, gõ tay) của một tỷ lệ được tính", node)
    if ind is not None:
        ctx.known.setdefault(ind.code, f)
    return f


def _indicator_of(ctx, node, place):
    """The catalogue indicator a field names (`indicator: tthc.total`), or None."""
    code = node.get("indicator")
    if code is None:
        return None
    ind = ctx.catalogue.get(code) if isinstance(code, str) else None
    if ind is None:
        ctx.fail(place, f"chỉ tiêu «{code}» không có trong danh mục chỉ tiêu (resources/catalogue/; xem "
                        "docs/templates.md, «Danh mục chỉ tiêu»)", node)
    return ind


def _check_indicator(ctx, node, place, ind, ftype) -> None:
    """A field that is a catalogue indicator keeps its kind and unit: the upper level adds communes up by code."""
    if ftype != ind.type:
        ctx.fail(place, f"chỉ tiêu «{ind.code}» có kiểu «{ind.type}» trong danh mục, trường ghi kiểu «{ftype}»", node)
    unit = node.get("unit") or ""
    if unit and unit != ind.shown_unit:
        ctx.fail(place, f"chỉ tiêu «{ind.code}» tính bằng «{ind.shown_unit}» trong danh mục, trường ghi đơn vị "
                        f"«{unit}»; cấp trên cộng các xã theo mã chỉ tiêu nên đơn vị phải như nhau", node)


def _figure_block(ctx, node, place, key, label):
    """`{type: fields, key: K, indicators: [mã, …]}`: the fields, lines and checks come from the catalogue."""
    from nq57desk.templates.catalogue import CatalogueError, build_group

    codes = node.get("indicators")
    if not isinstance(codes, list) or not codes or not all(isinstance(c, str) for c in codes):
        ctx.fail(place, "«indicators» là danh sách mã chỉ tiêu không rỗng (ví dụ [tthc.total, tthc.full_online])", node)
    if "fields" in node:
        ctx.fail(place, "khối số liệu dùng «fields» hoặc «indicators», không dùng cả hai", node)
    stated = node.get("stated", [])
    if not isinstance(stated, list) or not all(isinstance(c, str) for c in stated):
        ctx.fail(place, "«stated» là danh sách mã tỷ lệ mà báo cáo ghi số (ví dụ [hs.payment.online.rate])", node)
    try:
        block, rules = build_group(key, codes, ctx.known, ctx.catalogue, label=label, stated=stated)
    except CatalogueError as e:
        ctx.fail(place, "; ".join(e.problems), node)
    for f in block.fields:
        if f.indicator not in ctx.known:
            ctx.claim(f.key, f"{place} › chỉ tiêu «{f.indicator}»", node)
            ctx.known[f.indicator] = f
    ctx.group_rules += [Rule(r.kind, r.severity, r.args, r.message, r.where, getattr(node, "line", None)) for r in rules]
    lines = _str_list(ctx, node, "lines", place) if "lines" in node else block.lines
    return FieldsBlock(kind="fields", key=key, label=label, fields=block.fields, lines=lines)


def _fields(ctx, node, place):
    lst = node.get("fields")
    if not isinstance(lst, list) or not lst:
        ctx.fail(place, "cần danh sách «fields» không rỗng", node)
    return tuple(_field(ctx, f, f"{place} › trường {i + 1}") for i, f in enumerate(lst))


COLUMN_KEYS = {"key", "label", "type", "group", "width", "unit", "choices", "allow_other", "min", "max", "decimals",
               "cumulative_of", "total", "indicator", "counts"}


def _column(ctx, node, place, seen) -> Column:
    _allowed(ctx, node, place, COLUMN_KEYS)
    key = _req(ctx, node, "key", place)
    if not KEY_RE.match(key) or key in seen:
        ctx.fail(place, f"khóa cột «{key}» không hợp lệ hoặc bị trùng", node)
    seen.add(key)
    ctype = node.get("type", "text")
    if ctype not in COLUMN_TYPES:
        ctx.fail(place, f"kiểu cột «{ctype}» không có; dùng một trong: {', '.join(COLUMN_TYPES)}", node)
    counts = node.get("counts") or {}
    if not isinstance(counts, dict) or not all(isinstance(t, str) and t.strip() and "'" not in t and "\n" not in t
                                               and isinstance(c, str) for t, c in counts.items()):
        ctx.fail(place, "«counts» là bảng «chữ trong ô»: mã chỉ tiêu (ví dụ «Đã hoàn thành»: nv.done); chữ không chứa "
                        "dấu ' hay xuống dòng", node)
    indicator = node.get("indicator")
    if indicator is not None and not isinstance(indicator, str):
        ctx.fail(place, "«indicator» là một mã chỉ tiêu (ví dụ hs.online)", node)
    group = node.get("group", ())
    if isinstance(group, str):
        group = (group,)
    elif not isinstance(group, (list, tuple)) or not all(isinstance(g, str) for g in group):
        ctx.fail(place, "«group» phải là chuỗi hoặc danh sách chuỗi (tiêu đề nhóm cột, ngoài cùng trước)", node)
    return Column(
        key=key,
        label=_req(ctx, node, "label", place) if "label" in node else "",
        type=ctype,
        group=tuple(group),
        width=_opt(ctx, node, "width", place, float),
        unit=_opt(ctx, node, "unit", place, str, ""),
        choices=_str_list(ctx, node, "choices", place),
        allow_other=_opt(ctx, node, "allow_other", place, bool, True),
        min=_opt(ctx, node, "min", place, float),
        max=_opt(ctx, node, "max", place, float),
        decimals=_opt(ctx, node, "decimals", place, int),
        cumulative_of=_opt(ctx, node, "cumulative_of", place, str),
        total=_opt(ctx, node, "total", place, bool, False),
        indicator=indicator,
        counts=tuple((t.strip(), c) for t, c in counts.items()),
    )


def _table(ctx, node, place, key, label):
    _allowed(ctx, node, place, {"type", "key", "label", "title", "columns", "rows", "groups", "total_label", "landscape",
                                "rows_indicator"})
    cols_node = node.get("columns")
    if not isinstance(cols_node, list) or not cols_node:
        ctx.fail(place, "bảng cần danh sách «columns» không rỗng", node)
    seen: set[str] = set()
    columns = tuple(_column(ctx, c, f"{place} › cột {i + 1}", seen) for i, c in enumerate(cols_node))
    for c in columns:
        if c.cumulative_of and c.cumulative_of not in seen:
            ctx.fail(place, f"cột «{c.key}»: «cumulative_of» trỏ tới cột không có «{c.cumulative_of}»", node)
    rows = None
    if "rows" in node and node["rows"] != "free":
        rnode = node["rows"]
        if not isinstance(rnode, list) or not rnode:
            ctx.fail(place, "«rows» phải là «free» hoặc danh sách dòng cố định", node)
        rows, rkeys = [], set()
        for i, r in enumerate(rnode):
            rplace = f"{place} › dòng {i + 1}"
            _allowed(ctx, r, rplace, {"key", "group", "cells"})
            rk = _req(ctx, r, "key", rplace)
            if not KEY_RE.match(rk) or rk in rkeys:
                ctx.fail(rplace, f"khóa dòng «{rk}» không hợp lệ hoặc bị trùng", r)
            rkeys.add(rk)
            if "group" in r:
                rows.append(RowDef(key=rk, kind="group", label=_req(ctx, r, "group", rplace)))
                continue
            cells = r.get("cells") or {}
            if not isinstance(cells, dict):
                ctx.fail(rplace, "«cells» phải là bảng khóa cột: giá trị", r)
            for ck in cells:
                if ck not in seen:
                    ctx.fail(rplace, f"ô «{ck}» không phải là cột của bảng", r)
            rows.append(RowDef(key=rk, cells=tuple(cells.items())))
        rows = tuple(rows)
    groups = []
    for i, g in enumerate(node.get("groups") or []):
        gplace = f"{place} › nhóm {i + 1}"
        _allowed(ctx, g, gplace, {"key", "label", "number"})
        groups.append((_req(ctx, g, "key", gplace), f"{g.get('number', '')}|{_req(ctx, g, 'label', gplace)}"))
    title = _opt(ctx, node, "title", place, str, "")
    rows_code = _opt(ctx, node, "rows_indicator", place, str)
    figures = ()
    if rows_code or any(c.indicator or c.counts for c in columns):
        from nq57desk.templates.catalogue import CatalogueError, table_figures

        try:
            figures, rules = table_figures(key, title or label, columns, rows_code, ctx.known, ctx.catalogue,
                                           taken=set(ctx.keys))
        except CatalogueError as e:
            ctx.fail(place, "; ".join(e.problems), node)
        for f in figures:
            ctx.claim(f.key, f"{place} › chỉ tiêu «{f.indicator}»", node)
        ctx.group_rules += [Rule(r.kind, r.severity, r.args, r.message, r.where, getattr(node, "line", None))
                            for r in rules]
    return TableBlock(kind="table", key=key, label=label, title=title,
                      columns=columns, rows=rows, groups=tuple(groups),
                      total_label=_opt(ctx, node, "total_label", place, str, ""),
                      landscape=_opt(ctx, node, "landscape", place, bool, False),
                      rows_indicator=rows_code, figures=tuple(figures))


def _block(ctx, node, place):
    if not isinstance(node, dict) or "type" not in node:
        ctx.fail(place, "mỗi khối cần «type» (text, fields, list, documents, assessment, records, table, amounts, tasks, "
                        "appendix_ref, free_sections)", node)
    kind = node["type"]
    key = node.get("key")
    if key is None:
        if kind not in ("fields", "appendix_ref"):
            ctx.fail(place, f"khối «{kind}» cần «key»", node)
        ctx.auto += 1
        key = f"_{kind}_{ctx.auto}"
        if getattr(node, "line", None):
            ctx.lines[key] = node.line
    else:
        ctx.claim(key, place, node)
    place = f"{place} ({kind} «{key}»)"
    label = node.get("label", "") or ""
    if kind == "text":
        _allowed(ctx, node, place, {"type", "key", "label", "hint", "default", "style", "required"})
        style = node.get("style", "body")
        if style not in ("body", "note", "subtitle"):
            ctx.fail(place, "«style» là body, note hoặc subtitle", node)
        # «default» of older templates is read as a hint: a template never puts words in a report by itself
        hint = _opt(ctx, node, "hint", place, str, "") or _opt(ctx, node, "default", place, str, "")
        return TextBlock(kind=kind, key=key, label=label, hint=hint,
                         style=style, required=_opt(ctx, node, "required", place, bool, False))
    if kind == "fields":
        _allowed(ctx, node, place, {"type", "key", "label", "fields", "lines", "indicators", "stated"})
        if "indicators" in node:
            return _figure_block(ctx, node, place, key, label)
        return FieldsBlock(kind=kind, key=key, label=label, fields=_fields(ctx, node, place),
                           lines=_str_list(ctx, node, "lines", place))
    if kind == "list":
        _allowed(ctx, node, place, {"type", "key", "label", "marker", "hint", "default"})
        marker = node.get("marker", "arabic")
        if marker not in ("arabic", "-", "+"):
            ctx.fail(place, "«marker» là arabic, \"-\" hoặc \"+\"", node)
        hint = _str_list(ctx, node, "hint", place) or _str_list(ctx, node, "default", place)
        return ListBlock(kind=kind, key=key, label=label, marker=marker, hint=hint)
    if kind == "documents":
        _allowed(ctx, node, place, {"type", "key", "label", "bullet", "layout", "lead", "default_issuer"})
        layout = node.get("layout", "lines")
        if layout not in DOCUMENT_LAYOUTS:
            ctx.fail(place, "«layout» là lines, paragraph hoặc grouped", node)
        return DocumentsBlock(kind=kind, key=key, label=label, bullet=_opt(ctx, node, "bullet", place, str, "-"),
                              layout=layout, lead=_opt(ctx, node, "lead", place, str, ""),
                              default_issuer=_opt(ctx, node, "default_issuer", place, str, ""))
    if kind == "assessment":
        _allowed(ctx, node, place, {"type", "key", "label", "items"})
        items = DEFAULT_ASSESSMENT
        if node.get("items") == "causes":
            items = CAUSES_ASSESSMENT
        elif "items" in node:
            raw = node["items"]
            if not isinstance(raw, list) or not raw:
                ctx.fail(place, "«items» là «causes» hoặc danh sách {key, label}", node)
            items, ik = [], set()
            for it in raw:
                _allowed(ctx, it, place + " › items", {"key", "label"})
                k = _req(ctx, it, "key", place)
                if k in ik:
                    ctx.fail(place, f"mục đánh giá «{k}» bị trùng", it)
                ik.add(k)
                items.append((k, _req(ctx, it, "label", place)))
            items = tuple(items)
        return AssessmentBlock(kind=kind, key=key, label=label, items=items)
    if kind == "records":
        _allowed(ctx, node, place, {"type", "key", "label", "fields", "title_field", "item_label"})
        sub = _Ctx(ctx.source, ctx._catalogue)  # record fields are local to a record
        fields = _fields(sub, node, place)
        tf = node.get("title_field", "title")
        if tf not in {f.key for f in fields}:
            ctx.fail(place, f"«title_field» «{tf}» không phải trường của bản ghi", node)
        return RecordsBlock(kind=kind, key=key, label=label, fields=fields, title_field=tf,
                            item_label=_opt(ctx, node, "item_label", place, str, "mục"))
    if kind == "table":
        return _table(ctx, node, place, key, label)
    if kind == "amounts":
        _allowed(ctx, node, place, {"type", "key", "label", "lead", "title"})
        return AmountsBlock(kind=kind, key=key, label=label, lead=_opt(ctx, node, "lead", place, str, ""),
                            title=_opt(ctx, node, "title", place, str, ""))
    if kind == "tasks":
        _allowed(ctx, node, place, {"type", "key", "label", "layout", "title"})
        layout = node.get("layout", "sentences")
        if layout not in ("sentences", "table"):
            ctx.fail(place, "«layout» là sentences (mỗi dòng một câu) hoặc table (bảng)", node)
        return TasksBlock(kind=kind, key=key, label=label, layout=layout, title=_opt(ctx, node, "title", place, str, ""))
    if kind == "appendix_ref":
        _allowed(ctx, node, place, {"type", "key", "label", "appendix", "text"})
        return AppendixRefBlock(kind=kind, key=key, label=label, appendix=_req(ctx, node, "appendix", place),
                                text=_opt(ctx, node, "text", place, str, "({label} kèm theo)"))
    if kind == "free_sections":
        _allowed(ctx, node, place, {"type", "key", "label"})
        return FreeSectionsBlock(kind=kind, key=key, label=label)
    ctx.fail(place, f"kiểu khối «{kind}» không có", node)


def _blocks(ctx, node, place, key="blocks"):
    lst = node.get(key) or []
    if not isinstance(lst, list):
        ctx.fail(place, f"«{key}» phải là danh sách khối", node)
    return tuple(_block(ctx, b, f"{place} › khối {i + 1}") for i, b in enumerate(lst))


def _section(ctx, node, place) -> Section:
    _allowed(ctx, node, place, {"key", "title", "numbered", "style", "blocks", "children", "show_title"})
    key = _req(ctx, node, "key", place)
    title = _req(ctx, node, "title", place)
    place = f"mục «{title}»"
    ctx.claim(key, place, node)
    style = node.get("style")
    if style is not None and style not in NUMBER_STYLES:
        ctx.fail(place, f"kiểu đánh số «{style}» không có; dùng: {', '.join(NUMBER_STYLES)}", node)
    children = node.get("children") or []
    if not isinstance(children, list):
        ctx.fail(place, "«children» phải là danh sách mục", node)
    return Section(key=key, title=title, numbered=_opt(ctx, node, "numbered", place, bool, True), style=style,
                   show_title=_opt(ctx, node, "show_title", place, bool, True),
                   blocks=_blocks(ctx, node, place),
                   children=tuple(_section(ctx, c, f"{place} › mục con {i + 1}") for i, c in enumerate(children)))


RULE_ARGS = {
    "le": {"left", "right"}, "lt": {"left", "right"}, "eq": {"left", "right"},
    "sum": {"parts", "total", "open"}, "range": {"value", "min", "max"}, "in_period": {"field"},
    "table_count": {"table", "column", "value", "equals"}, "check": {"expr"},
}


def _rule(ctx, node, place) -> Rule:
    kind = node.get("kind") if isinstance(node, dict) else None
    if kind not in RULE_KINDS:
        ctx.fail(place, f"quy tắc cần «kind» là một trong: {', '.join(RULE_KINDS)}", node)
    _allowed(ctx, node, place, RULE_ARGS[kind] | {"kind", "severity", "message", "where"})
    sev = node.get("severity", "error")
    if sev not in SEVERITIES:
        ctx.fail(place, "«severity» là error hoặc warning", node)
    args = {k: node[k] for k in RULE_ARGS[kind] if k in node}
    missing = RULE_ARGS[kind] - set(args) - ({"min", "max"} if kind == "range" else set()) - {"open"}
    if missing:
        ctx.fail(place, f"quy tắc «{kind}» thiếu {', '.join(sorted(missing))}", node)
    for k, v in args.items():
        if k in ("left", "right", "total", "value", "expr", "equals") and not (kind == "table_count" and k == "value"):
            try:
                expr.parse(str(v))
            except expr.ExprError as e:
                ctx.fail(place, str(e), node)
        if k == "open" and not isinstance(v, bool):  # the listed parts may not be all of the total
            ctx.fail(place, "«open» là true hoặc false", node)
        if k == "parts":
            if not isinstance(v, list) or len(v) < 2:
                ctx.fail(place, "«parts» là danh sách ít nhất hai biểu thức", node)
            for p in v:
                try:
                    expr.parse(str(p))
                except expr.ExprError as e:
                    ctx.fail(place, str(e), node)
    return Rule(kind=kind, severity=sev, args=args, message=node.get("message", "") or "",
                where=node.get("where", "") or "", line=getattr(node, "line", None))


TOP_KEYS = {"format", "id", "version", "title", "description", "period_kinds", "provinces", "subject", "doc_symbol",
            "kinh_gui", "numbering", "intro", "sections", "closing", "appendices", "appendix_heading", "rules"}


def parse_template(text: str, source: str = "<mẫu>", catalogue=None) -> Template:
    """A Template, or TemplateError (file, place, problem in Vietnamese) whatever the text holds.

    `catalogue`: the indicator catalogue fields may name (default: the shipped one)."""
    try:
        return _parse(text, source, catalogue)
    except RecursionError:  # a backstop: read_yaml and expr bound nesting, this must never be reached
        raise TemplateError(source, "", "mẫu lồng nhau quá sâu, không đọc được") from None


def _parse(text: str, source: str, catalogue=None) -> Template:
    ctx = _Ctx(source, catalogue)
    data = read_yaml(text, source)  # bounded: no alias bomb, no endless or too deep nesting
    data = _relined(nfc_deep(data), data)
    _allowed(ctx, data, "đầu tệp", TOP_KEYS)
    if data.get("format") != FORMAT:
        ctx.fail("đầu tệp", f"«format» phải là «{FORMAT}»", data)
    tid = _req(ctx, data, "id", "đầu tệp")
    if not re.match(r"^[a-z0-9][a-z0-9._-]*$", tid):
        ctx.fail("đầu tệp", f"«id» «{tid}» chỉ dùng chữ thường không dấu, số, dấu chấm, gạch", data)
    version = _req(ctx, data, "version", "đầu tệp", int)
    pk = _str_list(ctx, data, "period_kinds", "đầu tệp") or PERIOD_KINDS
    for k in pk:
        if k not in PERIOD_KINDS:
            ctx.fail("đầu tệp", f"kỳ báo cáo «{k}» không có; dùng: {', '.join(PERIOD_KINDS)}", data)
    provinces = _str_list(ctx, data, "provinces", "đầu tệp")
    if provinces:
        from nq57desk.units import provinces as known_provinces

        known = {code for code, _name in known_provinces()}
        for code in provinces:
            if code not in known:
                ctx.fail("đầu tệp", f"mã tỉnh/thành «{code}» trong «provinces» không có trong danh mục (ví dụ «19» là "
                         "Thái Nguyên)", data)
    numbering = _str_list(ctx, data, "numbering", "đầu tệp") or ("roman", "arabic", "point")
    for s in numbering:
        if s not in NUMBER_STYLES:
            ctx.fail("đầu tệp", f"kiểu đánh số «{s}» không có; dùng: {', '.join(NUMBER_STYLES)}", data)
    kg = data.get("kinh_gui")
    if kg is not None and (not isinstance(kg, list) or not all(isinstance(x, str) for x in kg)):
        ctx.fail("đầu tệp", "«kinh_gui» là danh sách nơi nhận (hoặc bỏ đi nếu báo cáo không có Kính gửi)", data)
    secs = data.get("sections")
    if not isinstance(secs, list) or not secs:
        ctx.fail("đầu tệp", "cần danh sách «sections» không rỗng", data)
    intro = _blocks(ctx, data, "phần mở đầu", "intro")
    sections = tuple(_section(ctx, s, f"mục {i + 1}") for i, s in enumerate(secs))
    closing = _blocks(ctx, data, "phần kết", "closing")
    appendices = []
    for i, a in enumerate(data.get("appendices") or []):
        place = f"phụ lục {i + 1}"
        _allowed(ctx, a, place, {"key", "label", "title", "blocks", "landscape"})
        akey = _req(ctx, a, "key", place)
        ctx.claim(akey, place, a)
        appendices.append(Appendix(key=akey, label=_req(ctx, a, "label", place), title=_opt(ctx, a, "title", place, str, ""),
                                   blocks=_blocks(ctx, a, f"{place} «{a.get('label')}»"),
                                   landscape=_opt(ctx, a, "landscape", place, bool, False)))
    rules = tuple(_rule(ctx, r, f"quy tắc {i + 1}") for i, r in enumerate(data.get("rules") or [])) + tuple(ctx.group_rules)
    tpl = Template(
        id=tid, version=version, title=_req(ctx, data, "title", "đầu tệp"),
        description=_opt(ctx, data, "description", "đầu tệp", str, ""), period_kinds=pk, provinces=provinces,
        subject=_req(ctx, data, "subject", "đầu tệp"), doc_symbol=_opt(ctx, data, "doc_symbol", "đầu tệp", str, "BC-UBND"),
        kinh_gui=tuple(kg) if kg is not None else None, numbering=numbering, intro=intro, sections=sections,
        closing=closing, appendices=tuple(appendices),
        appendix_heading=_opt(ctx, data, "appendix_heading", "đầu tệp", str, ""), rules=rules, source=source,
        catalogue=getattr(catalogue, "stamp", "") or "",
    )
    check_references(tpl, ctx.source, ctx.lines)
    return tpl


def _relined(new, old):
    """nfc_deep builds plain dicts; copy the line numbers back so messages can point at lines."""
    if isinstance(old, LineDict) and isinstance(new, dict):
        d = LineDict({k: _relined(new[k], v) for k, v in zip(new, old.values(), strict=True)})
        d.line = old.line
        return d
    if isinstance(old, list) and isinstance(new, list):
        return [_relined(n, o) for n, o in zip(new, old, strict=True)]
    return new


def load_template(path: str | Path, catalogue=None) -> Template:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise TemplateError(p.name, "", f"không đọc được tệp ({e.strerror or e})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TemplateError(p.name, "", "tệp không phải văn bản UTF-8") from None
    return parse_template(text, p.name, catalogue)


def parse_block(spec, place: str, taken: set[str] | frozenset[str] = frozenset(), *, known: dict | None = None,
                catalogue=None) -> tuple[Block, tuple[Rule, ...]]:
    """One block a report adds to its own outline (the same block kinds and checks as in a template file), with the
    catalogue's checks of a figure group. `taken` holds the keys already used by the template and the report, so an
    added block never shadows one; `known` (indicator code → field) lets a figure group show a figure the report
    already has under its own key: a figure typed once is one figure."""
    ctx = _Ctx("báo cáo", catalogue)
    ctx.keys = {k: "mẫu" for k in taken}
    ctx.known = dict(known or {})
    block = _block(ctx, spec, place)
    return block, tuple(ctx.group_rules)
