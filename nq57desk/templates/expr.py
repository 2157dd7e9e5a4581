"""A small, safe expression language for derived values and rules in templates.

Templates are data that may come from a USB stick, so nothing in them is ever given to eval().
Grammar (precedence low→high): or, and, not, comparison (< <= > >= == !=), + -, * /, unary -, atom.
Atoms: numbers (12, 3.5), strings ('Đã hoàn thành'), names (field keys, or table.row.col cells),
function calls: rate(n, d), sum(a, b, …), min(…), max(…), abs(x), round(x, n),
count(table, column, 'value'), rows(table), colsum(table, column), filled(x), either(a, b, …) (the first given:
a figure the report states in one place and shows again in another is typed once).
Missing values are None and spread: an expression over a blank field is None, and a rule over None is skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from nq57desk.errors import NQError
from nq57desk.vn import same_words


class ExprError(NQError):
    pass


@dataclass(frozen=True)
class Num:
    value: Decimal


@dataclass(frozen=True)
class Str:
    value: str


@dataclass(frozen=True)
class Name:
    path: str


@dataclass(frozen=True)
class Call:
    fn: str
    args: tuple


@dataclass(frozen=True)
class BinOp:
    op: str
    left: object
    right: object


@dataclass(frozen=True)
class UnOp:
    op: str
    operand: object


TABLE_FUNCS = {"count": (3, 3), "rows": (1, 1), "colsum": (2, 2)}
FUNCS = {"rate": (2, 2), "sum": (1, 99), "min": (1, 99), "max": (1, 99), "abs": (1, 1), "round": (1, 2),
         "filled": (1, 1), "either": (2, 9), **TABLE_FUNCS}

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<str>'[^']*'|\"[^\"]*\")|(?P<name>[^\W\d][\w]*(?:\.[\w]+)*)"
    r"|(?P<op><=|>=|==|!=|[-+*/(),<>]))"
)


# Bounds that keep parsing and evaluation far from Python's recursion limit whatever a template holds: the
# shipped formulas have at most 9 tokens and 2 levels of brackets.
MAX_TOKENS = 300
MAX_DEPTH = 30


def _short(src: str) -> str:
    return src if len(src) <= 60 else src[:57] + "…"


def _tokens(src: str):
    pos, out = 0, []
    src = src.rstrip()
    while pos < len(src):
        m = _TOKEN.match(src, pos)
        if not m or m.end() == pos:
            raise ExprError(f"không hiểu ký tự «{src[pos:pos + 10]}» trong biểu thức «{_short(src)}»")
        pos = m.end()
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
        if len(out) > MAX_TOKENS:
            raise ExprError(f"biểu thức «{_short(src)}» quá dài (quá {MAX_TOKENS} thành phần)")
    out.append(("end", ""))
    return out


class _Parser:
    def __init__(self, src: str):
        self.src = src
        self.toks = _tokens(src)
        self.i = 0
        self.depth = 0

    def nest(self):
        """Called on each bracket, function call, "not" and unary minus: refuse nesting past MAX_DEPTH."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExprError(f"biểu thức «{_short(self.src)}» lồng quá sâu (quá {MAX_DEPTH} tầng ngoặc, hàm hay dấu)")

    def peek(self):
        return self.toks[self.i]

    def take(self, kind=None, value=None):
        tok = self.toks[self.i]
        if (kind and tok[0] != kind) or (value and tok[1] != value):
            want = value or kind
            raise ExprError(f"biểu thức «{self.src}»: cần «{want}» nhưng gặp «{tok[1] or 'hết biểu thức'}»")
        self.i += 1
        return tok

    def parse(self):
        node = self.or_()
        if self.peek()[0] != "end":
            raise ExprError(f"biểu thức «{self.src}»: thừa «{self.peek()[1]}»")
        return node

    def or_(self):
        node = self.and_()
        while self.peek() == ("name", "or"):
            self.take()
            node = BinOp("or", node, self.and_())
        return node

    def and_(self):
        node = self.not_()
        while self.peek() == ("name", "and"):
            self.take()
            node = BinOp("and", node, self.not_())
        return node

    def not_(self):
        if self.peek() == ("name", "not"):
            self.take()
            self.nest()
            node = UnOp("not", self.not_())
            self.depth -= 1
            return node
        return self.cmp()

    def cmp(self):
        node = self.add()
        if self.peek()[0] == "op" and self.peek()[1] in ("<", "<=", ">", ">=", "==", "!="):
            op = self.take()[1]
            node = BinOp(op, node, self.add())
        return node

    def add(self):
        node = self.mul()
        while self.peek()[0] == "op" and self.peek()[1] in "+-":
            op = self.take()[1]
            node = BinOp(op, node, self.mul())
        return node

    def mul(self):
        node = self.unary()
        while self.peek()[0] == "op" and self.peek()[1] in "*/":
            op = self.take()[1]
            node = BinOp(op, node, self.unary())
        return node

    def unary(self):
        if self.peek() == ("op", "-"):
            self.take()
            self.nest()
            node = UnOp("-", self.unary())
            self.depth -= 1
            return node
        return self.atom()

    def atom(self):
        kind, val = self.peek()
        if kind == "num":
            self.take()
            return Num(Decimal(val))
        if kind == "str":
            self.take()
            return Str(val[1:-1])
        if kind == "op" and val == "(":
            self.take()
            self.nest()
            node = self.or_()
            self.take("op", ")")
            self.depth -= 1
            return node
        if kind == "name":
            self.take()
            if self.peek() == ("op", "("):
                if val not in FUNCS:
                    raise ExprError(f"biểu thức «{self.src}»: không có hàm «{val}»")
                self.take()
                self.nest()
                args = []
                if self.peek() != ("op", ")"):
                    args.append(self.or_())
                    while self.peek() == ("op", ","):
                        self.take()
                        args.append(self.or_())
                self.take("op", ")")
                self.depth -= 1
                lo, hi = FUNCS[val]
                if not lo <= len(args) <= hi:
                    raise ExprError(f"biểu thức «{self.src}»: hàm «{val}» nhận {lo}–{hi} đối số, có {len(args)}")
                if val in TABLE_FUNCS:
                    for a in args[: (1 if val == "rows" else 2)]:
                        if not isinstance(a, Name):
                            raise ExprError(f"biểu thức «{self.src}»: «{val}» cần tên bảng/cột, không phải biểu thức")
                return Call(val, tuple(args))
            return Name(val)
        raise ExprError(f"biểu thức «{self.src}»: không hiểu «{val or 'hết biểu thức'}»")


_CACHE: dict[str, object] = {}


def parse(src: str):
    node = _CACHE.get(src)
    if node is None:
        node = _Parser(str(src)).parse()
        _CACHE[src] = node
    return node


def names(node) -> set[str]:
    """Value names an expression reads (table arguments of count/rows/colsum excluded)."""
    out: set[str] = set()

    def rec(n):
        if isinstance(n, Name):
            out.add(n.path)
        elif isinstance(n, Call):
            skip = {"count": 2, "rows": 1, "colsum": 2}.get(n.fn, 0)
            for a in n.args[skip:]:
                rec(a)
        elif isinstance(n, BinOp):
            rec(n.left)
            rec(n.right)
        elif isinstance(n, UnOp):
            rec(n.operand)

    rec(node)
    return out


def table_refs(node) -> set[tuple[str, str | None]]:
    """(table, column) pairs read by count/rows/colsum."""
    out = set()

    def rec(n):
        if isinstance(n, Call):
            if n.fn in TABLE_FUNCS:
                out.add((n.args[0].path, n.args[1].path if n.fn != "rows" else None))
            for a in n.args:
                rec(a)
        elif isinstance(n, BinOp):
            rec(n.left)
            rec(n.right)
        elif isinstance(n, UnOp):
            rec(n.operand)

    rec(node)
    return out


class Env:
    """What an expression can read: resolve(name) → value, table(name) → list of row dicts."""

    def resolve(self, path: str):  # pragma: no cover - interface
        raise NotImplementedError

    def table_rows(self, key: str) -> list[dict]:  # pragma: no cover - interface
        raise NotImplementedError


def _num(v):
    if v is None or isinstance(v, bool):
        return None
    if isinstance(v, Decimal):
        return v
    if isinstance(v, (int, float)):
        return Decimal(str(v))
    from nq57desk.vn import parse_number

    return parse_number(v)


def evaluate(node, env: Env):
    if isinstance(node, str):
        node = parse(node)
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Str):
        return node.value
    if isinstance(node, Name):
        return env.resolve(node.path)
    if isinstance(node, UnOp):
        v = evaluate(node.operand, env)
        if node.op == "not":
            return None if v is None else not v
        v = _num(v)
        return None if v is None else -v
    if isinstance(node, BinOp):
        if node.op in ("and", "or"):
            a, b = evaluate(node.left, env), evaluate(node.right, env)
            if a is None or b is None:
                return None
            return (a and b) if node.op == "and" else (a or b)
        a, b = evaluate(node.left, env), evaluate(node.right, env)
        if node.op in ("==", "!=") and (isinstance(a, str) or isinstance(b, str)):
            if a is None or b is None:
                return None
            eq = str(a).strip() == str(b).strip()
            return eq if node.op == "==" else not eq
        a, b = _num(a), _num(b)
        if a is None or b is None:
            return None
        if node.op == "+":
            return a + b
        if node.op == "-":
            return a - b
        if node.op == "*":
            return a * b
        if node.op == "/":
            return None if b == 0 else a / b
        return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b, "==": a == b, "!=": a != b}[node.op]
    if isinstance(node, Call):
        return _call(node, env)
    raise ExprError(f"nút biểu thức lạ: {node!r}")


def _call(node: Call, env: Env):
    fn, args = node.fn, node.args
    # a table with no rows, or a column nobody filled, is not reported: its counts are blank, never 0
    if fn == "rows":
        n = len(env.table_rows(args[0].path))
        return Decimal(n) if n else None
    if fn == "count":
        want = evaluate(args[2], env)
        col = args[1].path
        if want is None:
            return None
        cells = [str(r.get(col) or "").strip() for r in env.table_rows(args[0].path)]
        if not any(cells):
            return None
        return Decimal(sum(1 for c in cells if c and same_words(c, want)))
    if fn == "colsum":
        col = args[1].path
        vals = [_num(r.get(col)) for r in env.table_rows(args[0].path)]
        vals = [v for v in vals if v is not None]
        return sum(vals, Decimal(0)) if vals else None
    vals = [evaluate(a, env) for a in args]
    if fn == "either":
        return next((v for v in vals if v is not None and v != ""), None)
    if fn == "filled":
        v = vals[0]
        return v is not None and v != "" and v != []
    nums = [_num(v) for v in vals]
    if fn == "rate":
        n, d = nums
        if n is None or d is None or d == 0:
            return None
        return n * 100 / d
    if any(v is None for v in nums):
        return None
    if fn == "sum":
        return sum(nums, Decimal(0))
    if fn == "min":
        return min(nums)
    if fn == "max":
        return max(nums)
    if fn == "abs":
        return abs(nums[0])
    if fn == "round":
        places = int(nums[1]) if len(nums) > 1 else 0
        return round(nums[0], places)
    raise ExprError(f"không có hàm «{fn}»")
