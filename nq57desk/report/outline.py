"""Operations on a report's own outline: rename, hide, add sections, appendices and blocks, reorder, move, number.

Every operation is a plain function: document in, new document out (the input is never changed), so the GUI's undo,
the history and the CLI treat a change of shape like any edit. The shape itself (the outline read as a template, and
its strict check) is nq57desk/report/shaping.py; docs/report-format.md describes the JSON.
"""

from __future__ import annotations

import copy

from nq57desk.errors import DocumentError
from nq57desk.report.shaping import (  # noqa: F401 - shape, base_of and check_outline are read from here too
    ADDABLE_KINDS,
    MAX_DEPTH,
    MAX_NODES,
    base_of,
    check_outline,
    check_title,
    shape,
    template_keys,
    walk_nodes,
)
from nq57desk.templates.model import Appendix, FieldsBlock, Section, Template

# -- operations ----------------------------------------------------------------------------------------------------

def outline_of(tpl: Template, doc: dict) -> dict:
    """The document's outline in full (the template's shape when it has none), as a new dict to change."""
    tpl = base_of(tpl)
    shaped = shape(tpl, doc)
    tsecs = {s.key: s for _a, s in tpl.walk_sections()}

    def node(s: Section) -> dict:
        n: dict = {"key": s.key}
        if s.added or s.title != tsecs[s.key].title:
            n["title"] = s.title
        if s.added:
            n["added"] = True
        if s.hidden:
            n["hidden"] = True
        n["blocks"] = [b.key for b in s.blocks]
        n["children"] = [node(c) for c in s.children]
        return n

    tapps = {a.key: a for a in tpl.appendices}

    def app(a: Appendix) -> dict:
        n: dict = {"key": a.key}
        base = tapps.get(a.key)
        if a.added or a.label != base.label:
            n["label"] = a.label
        if a.added or a.title != base.title:
            n["title"] = a.title
        for flag in ("added", "hidden"):
            if getattr(a, flag):
                n[flag] = True
        if a.added or a.landscape != base.landscape:
            n["landscape"] = a.landscape
        n["blocks"] = [b.key for b in a.blocks]
        return n

    o = doc.get("outline") or {}  # its sections are made again above: only what they do not hold is copied
    out = {"sections": [node(s) for s in shaped.sections], "appendices": [app(a) for a in shaped.appendices],
           "blocks": copy.deepcopy(o.get("blocks") or {})}
    for k in ("numbering", "appendix_heading"):
        if o.get(k) is not None:
            out[k] = copy.deepcopy(o[k])
    return out


def _with(doc: dict, o: dict) -> dict:
    from nq57desk.report.document import FORMAT

    new = copy.deepcopy({k: v for k, v in doc.items() if k != "outline"})  # the old outline is replaced: not copied
    new["outline"] = o
    new["format"] = FORMAT  # an outline needs the format that has one
    return new


def _find(o: dict, key: str):
    """(parent node or None, siblings list, index, node) of a section in an outline."""
    def rec(nodes, parent):
        for i, n in enumerate(nodes):
            if n["key"] == key:
                return parent, nodes, i, n
            hit = rec(n.get("children") or [], n)
            if hit:
                return hit
        return None

    hit = rec(o["sections"], None)
    if hit is None:
        raise DocumentError(f"không có mục «{key}» trong dàn ý", "outline")
    return hit


def _container(o: dict, key: str) -> dict:
    """A section or an appendix of the outline, by key (what holds blocks)."""
    a = next((a for a in o.get("appendices") or [] if a["key"] == key), None)
    return a if a is not None else _find(o, key)[3]


def _depth(o: dict, key: str) -> int:
    d, parent = 0, _find(o, key)[0]
    while parent is not None:
        d += 1
        parent = _find(o, parent["key"])[0]
    return d


def _height(n: dict) -> int:
    return 1 + max((_height(c) for c in n.get("children") or []), default=0)


def _new_key(tpl: Template, doc: dict, o: dict, stem: str) -> str:
    used = template_keys(tpl) | {n["key"] for n in walk_nodes(o["sections"])} | set(o.get("blocks") or {})
    used |= {a["key"] for a in o.get("appendices") or []}
    used |= set(doc.get("values") or {})
    for b in (o.get("blocks") or {}).values():
        used |= {f.get("key") for f in b.get("fields") or [] if isinstance(f, dict)}
    i = 1
    while f"{stem}_{i}" in used:
        i += 1
    return f"{stem}_{i}"


def rename(tpl: Template, doc: dict, key: str, title: str) -> dict:
    """A new heading for a section; its key (and its figures' keys) stay, so the upper level still reads it."""
    o = outline_of(tpl, doc)
    _p, _sibs, _i, n = _find(o, key)
    t = check_title(title, "tên đề mục")
    base = next((s.title for _a, s in base_of(tpl).walk_sections() if s.key == key), None)
    if base is not None and t == base:
        n.pop("title", None)
    else:
        n["title"] = t
    return _with(doc, o)


def set_hidden(tpl: Template, doc: dict, key: str, hidden: bool) -> dict:
    """Leave a section that does not apply out of the report (not printed; its figures are «không báo cáo»)."""
    o = outline_of(tpl, doc)
    n = _container(o, key)
    if hidden:
        n["hidden"] = True
    else:
        n.pop("hidden", None)
    return _with(doc, o)


def add_section(tpl: Template, doc: dict, parent: str | None, title: str, index: int | None = None,
                kind: str | None = "text") -> tuple[dict, str]:
    """A new section under `parent` (None: a top-level section) at `index` among its siblings (None: last), with
    one empty block of `kind` to write in (None: no block). Returns the new document and the section's key."""
    o = outline_of(tpl, doc)
    t = check_title(title, "tên đề mục")
    if parent is None:
        sibs, depth = o["sections"], 0
    else:
        pn = _find(o, parent)[3]
        sibs, depth = pn.setdefault("children", []), _depth(o, parent) + 1
    if depth >= MAX_DEPTH:
        raise DocumentError(f"dàn ý chỉ có tối đa {MAX_DEPTH} cấp đề mục; không thêm mục con ở cấp này được", "outline")
    if sum(1 for _ in walk_nodes(o["sections"])) >= MAX_NODES:
        raise DocumentError(f"dàn ý đã có {MAX_NODES} mục, không thêm được nữa", "outline")
    key = _new_key(tpl, doc, o, "muc")
    n = {"key": key, "title": t, "added": True, "blocks": [], "children": []}
    sibs.insert(len(sibs) if index is None else max(0, min(index, len(sibs))), n)
    new = _with(doc, o)
    if kind:
        new, _bk = add_block(tpl, new, key, {"type": kind, "label": t})
    return new, key


def add_block(tpl: Template, doc: dict, section: str, spec: dict, index: int | None = None) -> tuple[dict, str]:
    """An added block (any kind a template may hold, in the same syntax) in a section; its values start empty, and a
    figure the report already holds (the same key) keeps its value: a figure typed once is one figure."""
    from nq57desk.report.document import empty_block_values

    tpl = base_of(tpl)
    o = outline_of(tpl, doc)
    n = _container(o, section)
    if not isinstance(spec, dict) or "type" not in spec:
        raise DocumentError("khối cần «type»", "outline")
    key = _new_key(tpl, doc, o, f"{section}_khoi")
    o.setdefault("blocks", {})[key] = {k: v for k, v in spec.items() if k != "key"}
    bl = n.setdefault("blocks", [])
    bl.insert(len(bl) if index is None else max(0, min(index, len(bl))), key)
    new = _with(doc, o)
    check_outline(new["outline"], tpl)
    block = shape(tpl, new).block(key)
    values = new.setdefault("values", {})
    for k, v in empty_block_values(block).items():
        values.setdefault(k, v)
    return new, key


def remove_section(tpl: Template, doc: dict, key: str) -> dict:
    """Remove a section the officer added (with its added sub-sections and blocks and their values). A template's
    section can only be hidden; a template block moved into it goes back to its place in the template."""
    o = outline_of(tpl, doc)
    _p, sibs, i, n = _find(o, key)
    nodes = list(walk_nodes([n]))
    if not all(x.get("added") for x in nodes):
        raise DocumentError("chỉ xóa được mục tự thêm; mục của mẫu thì ẩn đi («Ẩn mục này»)", "outline")
    del sibs[i]
    new = _with(doc, o)
    for x in nodes:
        for bk in x.get("blocks") or []:
            if bk in (o.get("blocks") or {}):
                new = _drop_block_values(tpl, doc, new, bk)
                del new["outline"]["blocks"][bk]
    return new


def remove_block(tpl: Template, doc: dict, key: str) -> dict:
    """Remove a block the officer added, with its values (a template's block cannot be removed)."""
    o = outline_of(tpl, doc)
    if key not in (o.get("blocks") or {}):
        raise DocumentError("chỉ xóa được khối tự thêm", "outline")
    for n in list(walk_nodes(o["sections"])) + o.get("appendices", []):
        if key in (n.get("blocks") or []):
            n["blocks"].remove(key)
    new = _with(doc, o)
    new = _drop_block_values(tpl, doc, new, key)
    del new["outline"]["blocks"][key]
    return new


def edit_block(tpl: Template, doc: dict, key: str, spec: dict) -> dict:
    """A block the officer added, described again (a free table's columns renamed, added, removed or bound to an
    indicator): its values stay, except the cells of columns that are gone."""
    o = outline_of(tpl, doc)
    old = (o.get("blocks") or {}).get(key)
    if old is None:
        raise DocumentError("chỉ sửa được khối tự thêm", "outline")
    if not isinstance(spec, dict) or spec.get("type") != old.get("type"):
        raise DocumentError("khối sửa lại phải giữ loại khối cũ", f"outline.blocks.{key}")
    o["blocks"][key] = {k: v for k, v in spec.items() if k != "key"}
    new = _with(doc, o)
    check_outline(new["outline"], tpl)
    b = shape(tpl, new).block(key)
    rows = (new.get("values") or {}).get(key)
    if getattr(b, "columns", None) and isinstance(rows, list):
        keep = {c.key for c in b.columns}
        new = dict(new, values=dict(new["values"]))
        new["values"][key] = [{k: v for k, v in r.items() if k in keep} if isinstance(r, dict) else r for r in rows]
    return new


def _drop_block_values(tpl: Template, old: dict, new: dict, key: str) -> dict:
    """Values of an added block go with it, except figures the rest of the report still shows."""
    shaped = shape(tpl, old)
    b = shaped.block(key)
    keys = [f.key for f in b.fields] if isinstance(b, FieldsBlock) else [key]
    elsewhere = set()
    for _c, other in shaped.blocks():
        if other.key != key and isinstance(other, FieldsBlock):
            elsewhere.update(f.key for f in other.fields)
    for k in keys:
        if k not in elsewhere:
            (new.get("values") or {}).pop(k, None)
    return new


def move_section(tpl: Template, doc: dict, key: str, delta: int) -> dict:
    """Up (-1) or down (+1) among its siblings (Alt+↑/↓)."""
    o = outline_of(tpl, doc)
    _p, sibs, i, n = _find(o, key)
    j = i + delta
    if not 0 <= j < len(sibs):
        return doc
    sibs.insert(j, sibs.pop(i))
    return _with(doc, o)


def move_section_to(tpl: Template, doc: dict, key: str, parent: str | None, index: int | None = None) -> dict:
    """Move a section (with everything under it) to another parent (drag and drop in the navigation tree)."""
    o = outline_of(tpl, doc)
    _p, sibs, i, n = _find(o, key)
    if parent is not None and parent in {x["key"] for x in walk_nodes([n])}:
        raise DocumentError("không chuyển được một mục vào chính nó hay mục con của nó", "outline")
    depth = 0 if parent is None else _depth(o, parent) + 1
    if depth + _height(n) > MAX_DEPTH:
        raise DocumentError(f"chuyển vào đây thì dàn ý sâu quá {MAX_DEPTH} cấp đề mục", "outline")
    del sibs[i]
    dest = o["sections"] if parent is None else _find(o, parent)[3].setdefault("children", [])
    dest.insert(len(dest) if index is None else max(0, min(index, len(dest))), n)
    return _with(doc, o)


def move_block(tpl: Template, doc: dict, key: str, section: str, index: int | None = None) -> dict:
    """Move a paragraph or block to another section (or another place in its own)."""
    o = outline_of(tpl, doc)
    src = next((n for n in list(walk_nodes(o["sections"])) + o.get("appendices", [])
                if key in (n.get("blocks") or [])), None)
    if src is None:
        raise DocumentError(f"không có khối «{key}» trong các mục", "outline")
    src["blocks"].remove(key)
    dest = _container(o, section).setdefault("blocks", [])
    dest.insert(len(dest) if index is None else max(0, min(index, len(dest))), key)
    return _with(doc, o)


def add_appendix(tpl: Template, doc: dict, label: str, title: str = "", kind: str | None = "text",
                 index: int | None = None) -> tuple[dict, str]:
    """A new appendix («Phụ lục II. …») after the others (or at `index`), with one block of `kind` to fill."""
    o = outline_of(tpl, doc)
    lab = check_title(label, "tên phụ lục")
    t = check_title(title, "tiêu đề phụ lục") if title and title.strip() else ""
    apps = o["appendices"]
    if len(apps) >= 100:
        raise DocumentError("báo cáo đã có 100 phụ lục, không thêm được nữa", "outline")
    key = _new_key(tpl, doc, o, "phu_luc")
    apps.insert(len(apps) if index is None else max(0, min(index, len(apps))),
                {"key": key, "label": lab, "title": t, "added": True, "landscape": False, "blocks": []})
    new = _with(doc, o)
    if kind:
        new, _bk = add_block(tpl, new, key, {"type": kind, "label": t or lab})
    return new, key


def rename_appendix(tpl: Template, doc: dict, key: str, label: str | None = None, title: str | None = None) -> dict:
    o = outline_of(tpl, doc)
    a = next((a for a in o["appendices"] if a["key"] == key), None)
    if a is None:
        raise DocumentError(f"không có phụ lục «{key}»", "outline")
    if label is not None:
        a["label"] = check_title(label, "tên phụ lục")
    if title is not None:
        a["title"] = check_title(title, "tiêu đề phụ lục") if title.strip() else ""
    return _with(doc, o)


def remove_appendix(tpl: Template, doc: dict, key: str) -> dict:
    """Remove an appendix the officer added, with its blocks and their values (a template's one is hidden)."""
    o = outline_of(tpl, doc)
    a = next((a for a in o["appendices"] if a["key"] == key), None)
    if a is None or not a.get("added"):
        raise DocumentError("chỉ xóa được phụ lục tự thêm; phụ lục của mẫu thì ẩn đi", "outline")
    o["appendices"].remove(a)
    new = _with(doc, o)
    for bk in a.get("blocks") or []:
        if bk in (o.get("blocks") or {}):
            new = _drop_block_values(tpl, doc, new, bk)
            del new["outline"]["blocks"][bk]
    return new


def set_appendix_heading(tpl: Template, doc: dict, heading: str | None) -> dict:
    """One heading over all appendices («CÁC PHỤ LỤC CHI TIẾT»); None: the template's."""
    o = outline_of(tpl, doc)
    if heading is None:
        o.pop("appendix_heading", None)
    else:
        o["appendix_heading"] = heading.strip()
    new = _with(doc, o)
    check_outline(new["outline"], tpl)
    return new


def set_numbering(tpl: Template, doc: dict, styles: list[str] | None) -> dict:
    """This report's numbering of heading levels (None: the template's)."""
    o = outline_of(tpl, doc)
    if styles:
        o["numbering"] = list(styles)
    else:
        o.pop("numbering", None)
    new = _with(doc, o)
    check_outline(new["outline"], tpl)
    return new


def carry(tpl: Template, prev: dict, doc: dict) -> dict:
    """The next period's report keeps the previous report's shape (headings, hidden and added sections, order,
    wording of sentences), never its text: added blocks start empty."""
    tpl = base_of(tpl)
    if not prev.get("outline") and not prev.get("lines"):
        return doc
    new = copy.deepcopy(doc)
    if prev.get("outline"):
        new["outline"] = copy.deepcopy(prev["outline"])
        shaped = shape(tpl, new)
        for bk in new["outline"].get("blocks") or {}:
            for k, v in _empty(shaped.block(bk)).items():
                new["values"].setdefault(k, v)
    if prev.get("lines"):
        new["lines"] = copy.deepcopy(prev["lines"])
    from nq57desk.report.document import FORMAT

    new["format"] = FORMAT
    return new


def _empty(b) -> dict:
    from nq57desk.report.document import empty_block_values

    return empty_block_values(b) if b is not None else {}
