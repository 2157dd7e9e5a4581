"""The block kinds that keep all their logic in one module of their own, found by kind name.

Each handler module (nq57desk/report/amounts.py, nq57desk/report/tasks.py) offers the same functions:

- empty(b, ctx) → the value of a new report; check(b, v, place) → raise DocumentError for a value the store must
  not take (the strict import check);
- names(b) → the names expressions may use ("kinh_phi.total"); resolve(b, v, name) → their values;
- findings(b, v) → [(severity, key, label, message)] for «Kiểm tra»;
- nodes(b, v, where, ctx) → document-tree nodes (render/tree.py); table(b, v, ctx) → (Table, [GridCol types]) for
  the bundle's sheet; entries(b, v) → [(key, label, text)] for «Tìm».

The files that dispatch on block classes (check, derive, validation, tree, bundle, find, the GUI) each ask
`handler(b)` once instead of adding a branch per kind.
"""

from __future__ import annotations

from types import ModuleType

from nq57desk.errors import DocumentError
from nq57desk.report.check import MAX_NUMBER, is_int, is_num
from nq57desk.vn import fmt_number

MAX_ROWS = 300  # far beyond any real list; a file with more is not a report
MAX_TEXT = 5000  # characters in one cell of these blocks


def handler(b) -> ModuleType | None:
    """The module holding a block kind's logic, or None for the kinds dispatched the older way."""
    kind = getattr(b, "kind", None)
    if kind == "amounts":
        from nq57desk.report import amounts

        return amounts
    if kind == "tasks":
        from nq57desk.report import tasks

        return tasks
    return None


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
