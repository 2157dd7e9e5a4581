"""Every block kind's logic, found by kind name: adding a kind is one module here plus its widget (docs/report-format.md).

KINDS maps a kind name (a block's `kind`, as templates spell it) to its module under nq57desk/report/blockkinds/,
imported on first use. A module gives the functions of the protocol that apply to its kind; an absent one means
"nothing of that sort" (`function(b, name)` is None and the caller does nothing):

- empty(b, ctx) → the value of a new report; check(b, v, place) → raise DocumentError for a value the store must
  not take (the strict import check); a kind without `empty` holds no value (appendix_ref). A kind whose value is
  spread over several keys of `values` (fields: one per typed field) gives empty_values(b, ctx) → {key: value} and
  value(b, values) → its part of `values` instead, and its keys are checked by field type (report/check.py);
- hint(b, ctx) → the template's example wording as «Dùng gợi ý» puts it in;
- names(b) → the names expressions may use ("kinh_phi.total"); resolve(b, v, name) → their values;
- findings(b, v) → [(severity, key, label, message)] for «Kiểm tra»;
- nodes(b, v, where, rc) → document-tree nodes, rc a render/tree.py RenderContext (the report, its figures, the
  depth and numbering chain of the outline around the block); given(b, env) → whether a kind whose words are
  figures holds any (else: its value holds something typed); table(b, v, ctx) → (Table, [GridCol types]) for
  the bundle's own sheet of the kind;
- entries(b, v, shown) → [(key, label, text)] for «Tìm», shown a Shown (the forms' formatter, computed figures);
- lines(b, v, ctx) → the block's words as plain lines (str or (text, style)), quoted by the upper level.

`fields` and `table`, the figure kinds, stay core kinds besides: the report's figures (derive.ReportEnv),
expressions, carried figures, the bundle's table and figure sheets and the upper level's consolidation read their
blocks directly, since every figure of a report lives in them. Their modules hold what is per block only.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from nq57desk.errors import DocumentError
from nq57desk.report.check import MAX_NUMBER, is_int, is_num
from nq57desk.vn import fmt_number

MAX_ROWS = 300  # far beyond any real list; a file with more is not a report
MAX_TEXT = 5000  # characters in one cell of these blocks

_HOME = "nq57desk.report.blockkinds."
KINDS = {
    "text": _HOME + "text",
    "fields": _HOME + "fields",
    "list": _HOME + "lists",
    "documents": _HOME + "documents",
    "assessment": _HOME + "assessment",
    "amounts": _HOME + "amounts",
    "tasks": _HOME + "tasks",
    "records": _HOME + "records",
    "table": _HOME + "table",
    "appendix_ref": _HOME + "appendix_ref",
    "free_sections": _HOME + "free_sections",
}
_loaded: dict[str, ModuleType] = {}


def handler(b) -> ModuleType | None:
    """The module holding a block kind's logic (None for no block, or a kind nobody registered)."""
    kind = getattr(b, "kind", None)
    mod = _loaded.get(kind)
    if mod is None and kind in KINDS:
        mod = _loaded[kind] = importlib.import_module(KINDS[kind])
    return mod


def function(b, name: str) -> Callable | None:
    """One protocol function of a block's kind, or None when the kind has nothing of that sort."""
    return getattr(handler(b), name, None)


def empty_values(b, ctx: dict | None = None) -> dict:
    """The empty value(s) of one block, by key: one under its key, a spread kind's own, none for a kind with none."""
    mod = handler(b)
    if hasattr(mod, "empty_values"):
        return mod.empty_values(b, ctx or {})
    return {b.key: mod.empty(b, ctx or {})} if hasattr(mod, "empty") else {}


def value(b, values: dict):
    """A block's value in a report's `values` (a spread kind's: the dict of its keys)."""
    own = function(b, "value")
    return own(b, values) if own is not None else values.get(b.key)


@dataclass(frozen=True)
class Shown:
    """What «Tìm» needs to list a block's words as the forms show them (the formatter is the GUI's)."""

    show: Callable  # (type, value, decimals) → the text of an input (gui/values.display)
    derived: dict  # the computed figures, by key


# -- strict value checks shared by the kinds -----------------------------------------------------------------

def show(v) -> str:
    """A refused value as the message quotes it: short, never a whole nested structure."""
    if isinstance(v, str):
        return f"«{v[:30]}{'…' if len(v) > 30 else ''}»"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return str(v) if abs(v) < 10**18 else "một số quá lớn"
    return {dict: "một đối tượng", list: "một danh sách"}.get(type(v), "giá trị lạ")


def keys(obj, allowed: tuple[str, ...], place: str, what: str) -> dict:
    if not isinstance(obj, dict):
        raise DocumentError(f"{what} phải là một đối tượng {{{', '.join(allowed)}}}, có {show(obj)}", place)
    extra = sorted(str(k) for k in set(obj) - set(allowed))
    if extra:
        raise DocumentError(f"{what} không có khóa {', '.join(extra)} (được dùng: {', '.join(allowed)})", place)
    return obj


def text(obj: dict, key: str, place: str, label: str) -> None:
    v = obj.get(key, "")
    if v is None:
        return
    if not isinstance(v, str):
        raise DocumentError(f"«{label}» phải là chữ, có {show(v)}", f"{place}.{key}")
    if len(v) > MAX_TEXT:
        raise DocumentError(f"«{label}» dài {len(v)} ký tự, quá {MAX_TEXT}", f"{place}.{key}")


def count(obj: dict, key: str, place: str, label: str, *, integer: bool = True) -> None:
    """A figure that is blank (null, or absent) or a non-negative number within MAX_NUMBER."""
    v = obj.get(key)
    if v is None:
        return
    ok = (is_int(v) or (is_num(v) and float(v).is_integer())) if integer else is_num(v)
    if not ok:
        kind = "số nguyên" if integer else "số"
        big = isinstance(v, (int, float)) and not isinstance(v, bool) and v == v and abs(v) > MAX_NUMBER
        extra = f" (tối đa {fmt_number(MAX_NUMBER)})" if big else ""
        raise DocumentError(f"«{label}» phải là {kind} không âm hoặc để trống{extra}, có {show(v)}", f"{place}.{key}")
    if v < 0:
        raise DocumentError(f"«{label}» không được âm, có {show(v)}", f"{place}.{key}")


def rows(v, place: str, what: str) -> list:
    if not isinstance(v, list):
        raise DocumentError(f"{what} phải là danh sách dòng, có {show(v)}", place)
    if len(v) > MAX_ROWS:
        raise DocumentError(f"{what} có {len(v)} dòng, quá {MAX_ROWS} dòng", place)
    return v


def list_of_dicts(v, place, allowed) -> None:
    """A list of objects whose keys are all allowed (documents, records, free sections)."""
    if not isinstance(v, list) or not all(isinstance(x, dict) for x in v):
        raise DocumentError("phải là danh sách đối tượng", place)
    for i, x in enumerate(v):
        extra = set(x) - allowed
        if extra:
            raise DocumentError(f"không biết khóa {', '.join(sorted(extra))}", f"{place}[{i}]")
