"""Read a template's YAML/JSON text safely: bounded work, line marks kept, problems told in Vietnamese.

A template may come on a USB stick from anywhere, so reading it must end quickly whatever it holds: aliases
can make a small file stand for a tree of billions of nodes ("YAML bomb") or for an endless one (`a: &a [*a]`),
and deep nesting crashes the C parser outright. The text is first scanned as a stream of events (flat, cheap),
then loaded, then the loaded graph is measured as it would be expanded, without expanding it.
"""

from __future__ import annotations

import re

import yaml
from yaml.reader import ReaderError

from nq57desk.errors import TemplateError

MAX_BYTES = 2_000_000  # the largest shipped template is ~50 kB
MAX_DEPTH = 64  # shipped templates nest 15 deep
MAX_NODES = 50_000  # shipped templates hold at most ~1.300 nodes; counted with every alias expanded


class LineDict(dict):
    line: int | None = None


# The C parser (libyaml) is several times faster and still gives line marks; the pure one is the fallback.
class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    pass


def _construct_mapping(loader, node, deep=False):
    d = LineDict(loader.construct_mapping(node, deep=deep))
    d.line = node.start_mark.line + 1
    return d


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# YAML 1.1 turns "yes"/"no"/"on" into booleans and 2026-01-05 into dates; templates want them as written.
_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf"))


def read_yaml(text: str, source: str):
    """The data of a template file, or TemplateError naming the file, the line and the problem."""
    if len(text) > MAX_BYTES:
        raise TemplateError(source, "", f"tệp mẫu quá lớn ({len(text) // 1000} kB; tối đa {MAX_BYTES // 1000} kB)")
    try:
        _scan(text, source)
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.YAMLError as e:
        raise TemplateError(source, _where(e, text), f"không đọc được YAML/JSON: {yaml_problem_vi(e, text)}") from None
    _measure(data, source)
    return data


def _scan(text: str, source: str) -> None:
    """Refuse deep nesting and too many nodes before anything is built (events are flat and cheap)."""
    depth = nodes = 0
    for ev in yaml.parse(text, Loader=_Loader):
        if isinstance(ev, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise TemplateError(source, _mark(ev.start_mark), f"cấu trúc lồng quá sâu (quá {MAX_DEPTH} tầng)")
        elif isinstance(ev, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
        if isinstance(ev, yaml.NodeEvent):
            nodes += 1
            if nodes > MAX_NODES:
                raise TemplateError(source, _mark(ev.start_mark), f"tệp mẫu có quá nhiều phần tử (quá {MAX_NODES:,})"
                                    .replace(",", "."))


def _measure(data, source: str) -> None:
    """Size of the tree with every alias expanded, computed once per shared node; a cycle is refused."""
    if not isinstance(data, (dict, list)):
        return
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack = [(data, False, None)]  # (node, leaving it, line of the nearest mapping)
    while stack:
        obj, leaving, line = stack.pop()
        line = getattr(obj, "line", None) or line
        where = f"dòng {line}" if line else ""
        kids = list(obj.values()) if isinstance(obj, dict) else obj
        if leaving:
            on_path.discard(id(obj))
            size = 1 + sum(sizes.get(id(k), 1) for k in kids)
            sizes[id(obj)] = size
            if size > MAX_NODES:
                raise TemplateError(source, where, f"các bí danh YAML (*…) trải ra quá nhiều phần tử (quá "
                                    f"{MAX_NODES:,}); mẫu không được dùng bí danh lồng nhau như vậy".replace(",", "."))
            continue
        if id(obj) in sizes:
            continue
        on_path.add(id(obj))
        stack.append((obj, True, line))
        for k in kids:
            if isinstance(k, (dict, list)) and id(k) not in sizes:
                if id(k) in on_path:
                    raise TemplateError(source, where, "bí danh YAML (*…) trỏ vào chính phần chứa nó: dữ liệu lặp "
                                        "vô tận")
                stack.append((k, False, line))


def _mark(mark) -> str:
    return f"dòng {mark.line + 1}, cột {mark.column + 1}" if mark else ""


def _where(e, text: str) -> str:
    if isinstance(e, ReaderError):
        before = text[: e.position]
        return f"dòng {before.count(chr(10)) + 1}, cột {len(before) - before.rfind(chr(10))}"
    return _mark(getattr(e, "problem_mark", None))


# What libyaml (C) and PyYAML (Python) say, and what the officer reads; the English detail follows in brackets.
_PROBLEMS_VI = [
    (r"expected ',' or '\]'", "thiếu dấu phẩy «,» giữa hai phần tử, hoặc thiếu ngoặc đóng «]» của danh sách [ … ]"),
    (r"expected ',' or '\}'", "thiếu dấu phẩy «,» giữa hai cặp khóa: giá trị, hoặc thiếu ngoặc đóng «}» của { … }"),
    (r"mapping values are not allowed", "dấu hai chấm «:» ở chỗ không được dùng (một giá trị có «: » phải đặt "
                                        "trong ngoặc kép, hoặc thiếu xuống dòng)"),
    (r"unexpected end of stream", "tệp kết thúc khi một chuỗi trong ngoặc kép chưa đóng (thiếu dấu \" hoặc ')"),
    (r"recursive node|recursive anchor", "bí danh YAML (*…) trỏ vào chính phần chứa nó: dữ liệu lặp vô tận"),
    (r"tab character", "có ký tự tab: YAML chỉ thụt lề bằng dấu cách"),
    (r"undefined alias", "dùng bí danh «*…» mà chưa khai báo neo «&…» tương ứng"),
    (r"duplicate anchor|second occurrence", "tên neo «&…» được khai báo hai lần"),
    (r"expected key|expected <block end>", "thụt lề sai: dòng này không thẳng hàng với các khóa cùng cấp "
                                           "(hoặc thiếu «khóa:»)"),
    (r"expected '-' indicator", "thụt lề sai trong danh sách: các phần tử cùng cấp đều bắt đầu bằng «- »"),
    (r"unknown escape character", "ký tự thoát «\\…» không hợp lệ trong chuỗi ngoặc kép (viết «\\\\» cho dấu «\\»)"),
    (r"could not determine a constructor", "thẻ «!…» không được dùng trong mẫu (mẫu chỉ chứa dữ liệu)"),
    (r"unhashable key", "khóa phải là một chữ, không phải danh sách hay bảng"),
    (r"another document", "tệp chỉ chứa một tài liệu: bỏ dòng «---» thứ hai"),
    (r"expected ':'", "thiếu dấu hai chấm «:» sau khóa"),
    (r"unknown directive", "dòng bắt đầu bằng «%» không hợp lệ"),
    (r"alphabetic or numeric character", "tên neo hay bí danh sau «&» hoặc «*» phải viết liền bằng chữ hoặc số"),
    (r"expected <document start>", "còn nội dung sau dấu kết thúc tài liệu «...»"),
    (r"expected the node content|expected node content", "thiếu giá trị ở đây"),
    (r"block sequence entries are not allowed", "dòng «- » (phần tử danh sách) đặt sai chỗ; kiểm tra thụt lề"),
]


def yaml_problem_vi(e: yaml.YAMLError, text: str = "") -> str:
    """A Vietnamese sentence for a PyYAML error, with its English words kept in brackets for a technician."""
    if isinstance(e, ReaderError):
        code = ord(e.character) if isinstance(e.character, str) else int(e.character)
        return f"tệp chứa ký tự điều khiển không được phép (mã U+{code:04X}) ({e.reason})"
    problem = str(getattr(e, "problem", "") or "")
    english = "; ".join(x for x in (getattr(e, "context", None), problem) if x) or str(e)
    mark = getattr(e, "problem_mark", None)
    if "cannot start any token" in problem:
        ch = _char_at(text, mark)
        if ch == "\t":
            vi = "có ký tự tab: YAML chỉ thụt lề bằng dấu cách"
        else:
            vi = (f"ký tự «{ch}» không được đứng đầu một giá trị; hãy đặt giá trị trong ngoặc kép" if ch
                  else "có ký tự không được dùng ở đây; hãy đặt giá trị trong ngoặc kép")
        return f"{vi} ({english})"
    for pattern, vi in _PROBLEMS_VI:
        if re.search(pattern, english):
            return f"{vi} ({english})"
    return f"cú pháp YAML/JSON sai ({english})"


def _char_at(text: str, mark) -> str:
    if mark is None or not text:
        return ""
    lines = text.split("\n")
    if mark.line >= len(lines) or mark.column >= len(lines[mark.line]):
        return ""
    return lines[mark.line][mark.column]
