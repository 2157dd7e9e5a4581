"""A report's own outline as a template, and its strict check: the template's sections renamed, hidden, reordered,
added to, and blocks moved (the operations that change it are in nq57desk/report/outline.py).

The shape lives in the report document (``doc["outline"]``), so each commune keeps its own headings and order without
a new template, and the keys of the template's sections and figures stay the same for the upper level. A document
without an outline has the template's shape. Every operation here is a plain function: document in, new document
out (the input is never changed), so the GUI's undo, the history and the CLI treat a change of shape like any edit.

    "outline": {
      "sections": [{"key": "lanh_dao", "title": "Renamed (only when renamed or added)", "hidden": true,
                    "added": true, "blocks": ["block keys in order"], "children": [ …same… ]}],
      "blocks": {"added block key": {"type": "text", "label": "…"}},   # blocks the officer added (template syntax)
      "numbering": ["upper", "roman", "arabic", "decimal", "point", "dash"]   # optional: this report's levels
    }
"""

from __future__ import annotations

import json
import re
import threading
import unicodedata
from dataclasses import replace

from nq57desk.errors import DocumentError, TemplateError
from nq57desk.templates.model import (
    KEY_RE,
    MAX_DEPTH,
    NUMBER_STYLES,
    Appendix,
    Section,
    Template,
    fields_of,
)

OUTLINE_KEYS = ("sections", "appendices", "appendix_heading", "blocks", "numbering")
NODE_KEYS = ("key", "title", "hidden", "added", "blocks", "children")
APPENDIX_KEYS = ("key", "label", "title", "hidden", "added", "blocks", "landscape")
MAX_NODES = 2000  # sections in one report: far beyond any real outline, small enough to check at once
MAX_TITLE = 500
MAX_ADDED_BLOCKS = 2000
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ufffe\uffff]")

# block kinds an officer may add to a section, with the label the form shows
ADDABLE_KINDS = {
    "text": "Đoạn văn",
    "list": "Danh sách đánh số",
    "documents": "Danh sách văn bản đã ban hành",
    "assessment": "Đánh giá (ưu điểm, tồn tại, nguyên nhân khách quan, chủ quan …)",
    "amounts": "Danh sách kinh phí, trang thiết bị (các khoản và tổng, đồng)",
    "tasks": "Tiến độ nhiệm vụ (giao, hoàn thành, đúng hạn, quá hạn …)",
    "table": "Bảng tự tạo (các cột, nhóm cột)…",
    "figures": "Nhóm số liệu từ danh mục chỉ tiêu…",
}


# -- the shape as a template -----------------------------------------------------------------------------------

_CACHE: dict[tuple, Template] = {}
# (outline object, template, shaped) per thread: an open report asks again and again on the GUI thread, while the
# save worker shapes its own copies of the outline (new objects): one slot shared by both made each live check
# look its outline up again by its JSON
_LAST = threading.local()


def shape(tpl: Template, doc: dict) -> Template:
    """The template as this report is shaped (hidden sections kept, flagged: `Template.visible()` drops them).

    An outline is never changed in place (every operation makes a new one), so the same outline object of the
    same template is answered at once; another object with the same content is found by its JSON."""
    tpl = base_of(tpl)
    o = doc.get("outline")
    if not o:
        return tpl
    last = getattr(_LAST, "hit", (None, None, None))
    if last[0] is o and last[1] is tpl:
        return last[2]
    key = (id(tpl), tpl.id, tpl.version, json.dumps(o, sort_keys=True, ensure_ascii=False))
    hit = _CACHE.get(key)
    if hit is None:
        if len(_CACHE) > 64:
            _CACHE.clear()
        hit = _CACHE[key] = _build(tpl, o)
    _LAST.hit = (o, tpl, hit)
    return hit


_KEYS: dict[int, tuple[Template, frozenset[str]]] = {}


def template_keys(tpl: Template) -> set[str]:
    """Every key a template uses (a new set); a template never changes, and every outline operation asks: found
    once per template."""
    hit = _KEYS.get(id(tpl))
    if hit is not None and hit[0] is tpl:
        return set(hit[1])
    keys = {s.key for _a, s in tpl.walk_sections()} | {a.key for a in tpl.appendices}
    for _c, b in tpl.blocks():
        keys.add(b.key)
        keys.update(f.key for f in fields_of(b))
    if len(_KEYS) > 64:
        _KEYS.clear()
    _KEYS[id(tpl)] = (tpl, frozenset(keys))
    return keys


def _added_blocks(tpl: Template, o: dict) -> tuple[dict, tuple]:
    """The blocks the report added, parsed as a template's are, and the catalogue's checks of its figure groups."""
    taken = template_keys(tpl) | {n["key"] for n in walk_nodes(o.get("sections") or [])}
    taken |= {a.get("key") for a in o.get("appendices") or [] if isinstance(a, dict)}
    from nq57desk.templates.catalogue import by_stamp
    from nq57desk.templates.loader import parse_block  # YAML and the loader only when a report added a block

    catalogue = by_stamp(tpl.catalogue)
    known = {f.indicator: f for f in tpl.fields().values() if f.indicator}
    out, rules = {}, []
    for k, spec in (o.get("blocks") or {}).items():
        spec = dict(spec, key=k)
        try:
            out[k], extra = parse_block(spec, f"khối «{k}»", taken - {k}, known=known, catalogue=catalogue)
        except TemplateError as e:
            raise DocumentError(f"khối tự thêm «{k}»: {e.problem}", f"outline.blocks.{k}") from None
        rules += extra
        taken.add(k)
        figures = fields_of(out[k])
        taken.update(f.key for f in figures)
        known.update({f.indicator: f for f in figures if f.indicator and f.indicator not in known})
    return out, tuple(rules)


def _build(tpl: Template, o: dict) -> Template:
    tsecs = {s.key: (anc, s) for anc, s in tpl.walk_sections()}
    tapps = {a.key: a for a in tpl.appendices}
    tblocks = {b.key: (s.key, b) for _anc, s in tpl.walk_sections() for b in s.blocks}
    tblocks.update({b.key: (a.key, b) for a in tpl.appendices for b in a.blocks})
    added, group_rules = _added_blocks(tpl, o)
    used_secs: set[str] = set()
    used_blocks: set[str] = set()
    index: dict[str, dict] = {}

    def take(keys) -> list:
        blocks = []
        for bk in keys or []:
            b = tblocks[bk][1] if bk in tblocks else added.get(bk)
            if b is not None and bk not in used_blocks:
                used_blocks.add(bk)
                blocks.append(b)
        return blocks

    def make(n: dict) -> dict:
        k = n["key"]
        used_secs.add(k)
        base = tsecs.get(k)
        m = {"key": k, "base": base[1] if base else None, "title": n.get("title"), "hidden": bool(n.get("hidden")),
             "blocks": take(n.get("blocks")), "children": []}
        index[k] = m
        m["children"] = [make(c) for c in n.get("children") or []]
        return m

    roots = [make(n) for n in o.get("sections") or []]
    app_nodes = o.get("appendices")
    if app_nodes is None:
        app_nodes = [{"key": a.key, "blocks": [b.key for b in a.blocks]} for a in tpl.appendices]
    apps = []
    for n in app_nodes:
        m = {"key": n["key"], "base": tapps.get(n["key"]), "label": n.get("label"), "title": n.get("title"),
             "hidden": bool(n.get("hidden")), "landscape": n.get("landscape"), "blocks": take(n.get("blocks"))}
        index[m["key"]] = m
        apps.append(m)
    # what the outline does not name (a newer template, or a block moved into a section since removed) goes back
    # where the template has it, so nothing the officer typed is ever lost
    for anc, s in tpl.walk_sections():
        if s.key in used_secs:
            continue
        m = {"key": s.key, "base": s, "title": None, "hidden": False, "blocks": [], "children": []}
        parent = index.get(anc[-1].key) if anc else None
        (parent["children"] if parent else roots).append(m)
        index[s.key] = m
        used_secs.add(s.key)
    for a in tpl.appendices:
        if a.key not in index:
            index[a.key] = {"key": a.key, "base": a, "label": None, "title": None, "hidden": False,
                            "landscape": None, "blocks": []}
            apps.append(index[a.key])
    for bk, (ckey, b) in tblocks.items():
        if bk not in used_blocks:
            index[ckey]["blocks"].append(b)

    def freeze(m: dict) -> Section:
        children = tuple(freeze(c) for c in m["children"])
        base = m["base"]
        if base is None:
            return Section(key=m["key"], title=m["title"] or "", blocks=tuple(m["blocks"]), children=children,
                           hidden=m["hidden"], added=True)
        return replace(base, title=m["title"] or base.title, blocks=tuple(m["blocks"]), children=children,
                       hidden=m["hidden"])

    def freeze_app(m: dict) -> Appendix:
        base = m["base"]
        if base is None:
            return Appendix(key=m["key"], label=m["label"] or "", title=m["title"] or "", blocks=tuple(m["blocks"]),
                            landscape=bool(m["landscape"]), hidden=m["hidden"], added=True)
        return replace(base, label=m["label"] or base.label, title=base.title if m["title"] is None else m["title"],
                       blocks=tuple(m["blocks"]), hidden=m["hidden"],
                       landscape=base.landscape if m["landscape"] is None else bool(m["landscape"]))

    numbering = tuple(o.get("numbering") or ()) or tpl.numbering
    shaped = replace(tpl, sections=tuple(freeze(m) for m in roots), appendices=tuple(freeze_app(m) for m in apps),
                     numbering=numbering, appendix_heading=o.get("appendix_heading", tpl.appendix_heading),
                     rules=tpl.rules + tuple(r for r in group_rules if r not in tpl.rules))
    object.__setattr__(shaped, "_base", tpl)
    return shaped


def base_of(tpl: Template) -> Template:
    """The template a shaped one was made from (shaping is always done from the template itself)."""
    return tpl.__dict__.get("_base", tpl)


def walk_nodes(nodes):
    for n in nodes:
        if isinstance(n, dict):
            yield n
            yield from walk_nodes(n.get("children") or [])


# -- checking an outline from outside ----------------------------------------------------------------------------

def check_outline(o, tpl: Template) -> None:
    """Raise DocumentError (Vietnamese, with the place) for any outline the app must not store."""
    if o is None:
        return
    tpl = base_of(tpl)
    if not isinstance(o, dict):
        raise DocumentError("«outline» (dàn ý của báo cáo) phải là một đối tượng", "outline")
    extra = set(o) - set(OUTLINE_KEYS)
    if extra:
        raise DocumentError(f"không biết khóa {', '.join(sorted(map(str, extra)))}", "outline")
    secs = o.get("sections")
    if not isinstance(secs, list) or not secs:
        raise DocumentError("«outline.sections» phải là danh sách mục không rỗng", "outline.sections")
    blocks = o.get("blocks", {})
    if not isinstance(blocks, dict):
        raise DocumentError("«outline.blocks» phải là bảng khóa → khối", "outline.blocks")
    if len(blocks) > MAX_ADDED_BLOCKS:
        raise DocumentError(f"quá nhiều khối tự thêm ({len(blocks)}; tối đa {MAX_ADDED_BLOCKS})", "outline.blocks")
    for k, spec in blocks.items():
        if not isinstance(k, str) or not KEY_RE.match(k):
            raise DocumentError(f"khóa khối «{k}» không hợp lệ", "outline.blocks")
        if not isinstance(spec, dict) or "key" in spec:
            raise DocumentError("mỗi khối tự thêm là một bảng {type, label, …} (không ghi «key»)", f"outline.blocks.{k}")
    num = o.get("numbering")
    if num is not None:
        if (not isinstance(num, list) or not 1 <= len(num) <= MAX_DEPTH + 2
                or not all(isinstance(x, str) and x in NUMBER_STYLES for x in num)):
            raise DocumentError(f"«outline.numbering» là danh sách kiểu đánh số ({', '.join(NUMBER_STYLES)})",
                                "outline.numbering")
    tsecs = {s.key for _a, s in tpl.walk_sections()}
    tblocks = {b.key for _a, s in tpl.walk_sections() for b in s.blocks} | {b.key for a in tpl.appendices for b in a.blocks}
    tkeys = template_keys(tpl)
    heading = o.get("appendix_heading")
    if heading is not None and (not isinstance(heading, str) or len(heading) > MAX_TITLE or _CONTROL.search(heading)):
        raise DocumentError("«outline.appendix_heading» là một dòng chữ (có thể để trống)", "outline.appendix_heading")
    seen_secs: set[str] = set()
    seen_blocks: set[str] = set()
    count = 0

    def node(n, place: str, depth: int):
        nonlocal count
        count += 1
        if count > MAX_NODES:
            raise DocumentError(f"dàn ý có quá nhiều mục (tối đa {MAX_NODES})", "outline.sections")
        if depth >= MAX_DEPTH:
            raise DocumentError(f"dàn ý sâu quá {MAX_DEPTH} cấp đề mục", place)
        _object(n, NODE_KEYS, place, "mỗi mục là một đối tượng {key, title, blocks, children}")
        k = n.get("key")
        if not isinstance(k, str) or not KEY_RE.match(k):
            raise DocumentError(f"khóa mục «{k}» không hợp lệ", place)
        if k in seen_secs:
            raise DocumentError(f"mục «{k}» xuất hiện hai lần trong dàn ý", place)
        seen_secs.add(k)
        title = n.get("title")
        if title is not None:
            check_title(title, f"{place}.title")
        added = n.get("added", False)
        if not isinstance(added, bool) or not isinstance(n.get("hidden", False), bool):
            raise DocumentError("«added» và «hidden» là true/false", place)
        if added:
            if k in tkeys:
                raise DocumentError(f"mục tự thêm «{k}» trùng khóa có sẵn của mẫu «{tpl.id}»", place)
            if not title:
                raise DocumentError("mục tự thêm cần «title» (tên đề mục)", place)
        elif k not in tsecs:
            raise DocumentError(f"mẫu «{tpl.id}» không có mục «{k}» (mục tự thêm ghi «added»: true)", place)
        node_blocks(n, place)
        ch = n.get("children", [])
        if not isinstance(ch, list):
            raise DocumentError("«children» là danh sách mục con", f"{place}.children")
        for i, c in enumerate(ch):
            node(c, f"{place}.children[{i}]", depth + 1)

    def node_blocks(n, place):
        bl = n.get("blocks", [])
        if not isinstance(bl, list) or not all(isinstance(x, str) for x in bl):
            raise DocumentError("«blocks» là danh sách khóa khối", f"{place}.blocks")
        for bk in bl:
            if bk not in tblocks and bk not in blocks:
                raise DocumentError(f"không có khối «{bk}» (trong mẫu hoặc trong «outline.blocks»)", f"{place}.blocks")
            if bk in seen_blocks:
                raise DocumentError(f"khối «{bk}» nằm ở hai mục", f"{place}.blocks")
            seen_blocks.add(bk)

    try:
        for i, n in enumerate(secs):
            node(n, f"outline.sections[{i}]", 0)
    except RecursionError:
        raise DocumentError("dàn ý lồng nhau quá sâu", "outline.sections") from None
    apps = o.get("appendices")
    if apps is not None:
        if not isinstance(apps, list) or len(apps) > 100:
            raise DocumentError("«outline.appendices» là danh sách phụ lục (tối đa 100)", "outline.appendices")
        for i, a in enumerate(apps):
            place = f"outline.appendices[{i}]"
            _object(a, APPENDIX_KEYS, place, "mỗi phụ lục là một đối tượng {key, label, title, blocks}")
            k = a.get("key")
            if not isinstance(k, str) or not KEY_RE.match(k) or k in seen_secs:
                raise DocumentError(f"khóa phụ lục «{k}» không hợp lệ hoặc bị trùng", place)
            seen_secs.add(k)
            for flag in ("added", "hidden", "landscape"):
                if not isinstance(a.get(flag, False), bool):
                    raise DocumentError(f"«{flag}» là true/false", place)
            if a.get("label") is not None:
                check_title(a["label"], f"{place}.label")
            if a.get("title") not in (None, ""):
                check_title(a["title"], f"{place}.title")
            if a.get("added"):
                if k in tkeys:
                    raise DocumentError(f"phụ lục tự thêm «{k}» trùng khóa có sẵn của mẫu «{tpl.id}»", place)
                if not a.get("label"):
                    raise DocumentError("phụ lục tự thêm cần «label» (ví dụ «Phụ lục I»)", place)
            elif k not in {x.key for x in tpl.appendices}:
                raise DocumentError(f"mẫu «{tpl.id}» không có phụ lục «{k}» (phụ lục tự thêm ghi «added»: true)", place)
            node_blocks(a, place)
    unused = set(blocks) - seen_blocks
    if unused:
        raise DocumentError(f"khối tự thêm không nằm trong mục nào: {', '.join(sorted(unused))}", "outline.blocks")
    shape(tpl, {"outline": o})  # every added block parses as a template block would (parsed once per outline)


def _object(n, allowed, place: str, what: str) -> None:
    if not isinstance(n, dict):
        raise DocumentError(what, place)
    extra = set(n) - set(allowed)
    if extra:
        raise DocumentError(f"không biết khóa {', '.join(sorted(map(str, extra)))}", place)


def check_title(title, place: str) -> str:
    if not isinstance(title, str):
        raise DocumentError("tên đề mục phải là chuỗi chữ", place)
    t = unicodedata.normalize("NFC", title).strip()
    if not t:
        raise DocumentError("tên đề mục không được để trống", place)
    if len(t) > MAX_TITLE:
        raise DocumentError(f"tên đề mục dài quá {MAX_TITLE} ký tự", place)
    if _CONTROL.search(t):
        raise DocumentError("tên đề mục có ký tự điều khiển (xuống dòng, tab …)", place)
    return t
