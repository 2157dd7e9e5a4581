"""Checks across a whole template once it is parsed: every name a formula, rule, sentence or appendix reference
uses exists, and formulas do not depend on themselves. Messages give the line where the loader saw the part."""

from __future__ import annotations

import re

from nq57desk.errors import TemplateError
from nq57desk.templates import expr
from nq57desk.templates.model import AppendixRefBlock, FieldsBlock, TableBlock, Template

PLACEHOLDER_RE = re.compile(r"\{([a-zA-Z_][\w.]*)\}")
# Placeholders a sentence or text default may use besides field keys.
CONTEXT_NAMES = {"commune", "commune_name", "commune_upper", "province", "period", "period_label", "year", "place",
                 "report_number", "report_date", "symbol"}


def valid_names(tpl: Template) -> set[str]:
    names = set(tpl.fields())
    for _ckey, b in tpl.blocks():
        if isinstance(b, TableBlock) and b.fixed:
            for r in b.data_rows():
                for c in b.columns:
                    names.add(f"{b.key}.{r.key}.{c.key}")
            if b.total_label:
                for c in b.columns:
                    names.add(f"{b.key}.total.{c.key}")
        from nq57desk.report.kinds import function  # refs stays below the report layer

        if (own := function(b, "names")) is not None:  # a kind's own figures (amounts, tasks)
            names |= own(b)
    return names


def check_references(tpl: Template, source: str, lines: dict[str, int]) -> None:
    """Raise TemplateError(file, place (dòng N), problem) for the first broken reference."""
    names = valid_names(tpl)
    fields = tpl.fields()

    def fail(place, line, problem):
        raise TemplateError(source, place + (f" (dòng {line})" if line else ""), problem)

    def check_expr(src, place, line=None):
        node = expr.parse(str(src))
        for n in sorted(expr.names(node)):
            if n not in names:
                fail(place, line, f"biểu thức «{src}» dùng «{n}» nhưng mẫu không có trường/ô này")
        for t, c in sorted(expr.table_refs(node), key=str):
            tb = tpl.table(t)
            if tb is None:
                fail(place, line, f"biểu thức «{src}» dùng bảng «{t}» nhưng mẫu không có bảng này")
            if c is not None and tb.column(c) is None:
                fail(place, line, f"biểu thức «{src}»: bảng «{t}» không có cột «{c}»")

    for ckey, b in tpl.blocks():
        place = f"khối «{b.key}» trong «{ckey}»"
        if isinstance(b, FieldsBlock):
            for f in b.fields:
                fline = lines.get(f.key)
                if f.formula:
                    check_expr(f.formula, f"{place} › trường «{f.key}»", fline)
                if f.stated_of:
                    base = fields.get(f.stated_of)
                    if base is None or base.type != "percent" or not base.formula:
                        fail(f"{place} › trường «{f.key}»", fline,
                             f"«stated_of» trỏ tới «{f.stated_of}» không phải tỷ lệ được tính của mẫu")
                if f.cumulative_of:
                    base = fields.get(f.cumulative_of)
                    if base is None or not base.numeric:
                        fail(f"{place} › trường «{f.key}»", fline,
                             f"«cumulative_of» trỏ tới «{f.cumulative_of}» không phải trường số của mẫu")
            for line in b.lines:
                for ph in PLACEHOLDER_RE.findall(line):
                    if ph not in names and ph not in CONTEXT_NAMES:
                        fail(place, lines.get(b.key), f"câu «{line[:60]}…» dùng «{{{ph}}}» nhưng mẫu không có trường này")
        if isinstance(b, AppendixRefBlock) and tpl.appendix(b.appendix) is None:
            fail(place, lines.get(b.key), f"trỏ tới phụ lục «{b.appendix}» nhưng mẫu không có phụ lục này")
    for r in tpl.rules:
        place = f"quy tắc «{r.kind}»"
        if r.kind == "table_count":
            tb = tpl.table(str(r.args["table"]))
            if tb is None or tb.column(str(r.args["column"])) is None:
                fail(place, r.line, f"bảng «{r.args['table']}» hoặc cột «{r.args['column']}» không có trong mẫu")
            check_expr(r.args["equals"], place, r.line)
        elif r.kind == "in_period":
            if r.args["field"] not in fields and tpl.block(r.args["field"]) is None:
                fail(place, r.line, f"«{r.args['field']}» không phải trường ngày hay danh sách văn bản")
        else:
            for k in ("left", "right", "total", "value", "expr"):
                if k in r.args:
                    check_expr(r.args[k], place, r.line)
            for p in r.args.get("parts", []):
                check_expr(p, place, r.line)
        if r.where and r.where not in {k for k, _t, _b in tpl.containers()}:
            fail(place, r.line, f"«where» «{r.where}» không phải mục hay phụ lục của mẫu")
    _check_cycles(tpl, source, lines)


def _check_cycles(tpl: Template, source: str, lines: dict[str, int]) -> None:
    """Formulas reading each other in a ring would never finish; walked without recursion (a chain can be long)."""
    deps = {k: sorted(expr.names(expr.parse(f.formula))) for k, f in tpl.fields().items() if f.formula}
    state: dict[str, int] = {}  # 1: on the current chain, 2: done
    for start in deps:
        if state.get(start):
            continue
        chain, stack = [], [(start, iter(deps[start]))]
        state[start] = 1
        chain.append(start)
        while stack:
            k, it = stack[-1]
            d = next(it, None)
            if d is None:
                stack.pop()
                chain.pop()
                state[k] = 2
                continue
            if state.get(d) == 1:
                ring = chain[chain.index(d):] + [d]
                line = lines.get(d)
                raise TemplateError(source, f"trường «{d}»" + (f" (dòng {line})" if line else ""),
                                    "công thức tự tham chiếu vòng: " + " → ".join(ring))
            if state.get(d) == 2 or d not in deps:
                continue
            state[d] = 1
            chain.append(d)
            stack.append((d, iter(deps[d])))
