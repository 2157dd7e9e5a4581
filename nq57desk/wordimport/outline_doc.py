"""A province's outline (đề cương) as a Word file → a template skeleton (`templates --from-docx`).

The headings (typed numbers, heading styles or Word's automatic numbering, read as for a report) become sections
with the numbering style of each level; the outline's instructions under a heading become the hint of its text
block; its Word tables become table blocks with their headers (merged cells as column groups); catalogue indicators
are proposed where a heading or an instruction names one (a figure group) and where a column names one. The result is
YAML in the template format (docs/templates.md), to be checked with `templates --check` and imported.
"""

from __future__ import annotations

import re
from pathlib import Path

from nq57desk.templates.catalogue import Catalogue
from nq57desk.vn import fold
from nq57desk.wordimport.place import APPENDIX, Node, level_styles, parse, table_spec
from nq57desk.wordimport.read import Para, Table, read_word

ALL_KINDS = ["month", "quarter", "half", "year", "months", "cutoff", "custom", "none"]


def _slug(text: str, used: set[str], stem: str = "muc") -> str:
    words = re.findall(r"[a-z0-9]+", fold(text).lower())[:4]
    base = "_".join(words) or stem
    if not base[0].isalpha():
        base = f"{stem}_{base}"
    key, i = base, 2
    while key in used:
        key, i = f"{base}_{i}", i + 1
    used.add(key)
    return key


def _named_indicators(texts: list[str], cat: Catalogue) -> list[str]:
    """Catalogue figures an instruction names by one of their phrases (the longest phrase wins), in order."""
    phrases = sorted(((fold(p).lower(), i.code) for i in cat.indicators if i.rate is None for p in i.phrases),
                     key=lambda x: -len(x[0]))
    out: list[str] = []
    for t in texts:
        f = " " + " ".join(re.findall(r"\w+", fold(t).lower())) + " "
        for ph, code in phrases:
            if len(ph.split()) >= 3 and f" {ph} " in f and code not in out:
                out.append(code)
                f = f.replace(f" {ph} ", " ")
    return out


def template_from_docx(path, cat: Catalogue, tid: str | None = None) -> dict:
    """The template (as the dict its YAML holds) an outline document describes."""
    word = read_word(path)
    s = parse(word)
    used: set[str] = set()
    styles = level_styles(s.roots)

    def blocks_of(key: str, items: list) -> list[dict]:
        out: list[dict] = []
        texts = [it.line for it in items if isinstance(it, Para)]
        if texts:
            out.append({"type": "text", "key": f"{key}_text", "label": "Nội dung", "hint": "\n".join(texts)})
        codes = _named_indicators(texts, cat)
        if codes:
            out.append({"type": "fields", "key": f"{key}_so_lieu", "label": "Số liệu", "indicators": codes})
        n = 0
        for it in items:
            if isinstance(it, Table):
                n += 1
                spec, _rows = table_spec(it, cat)
                spec = {"type": "table", "key": f"{key}_bang{n}", **{k: v for k, v in spec.items() if k != "type"}}
                for c in spec["columns"]:
                    if c.get("label") == " ":
                        c["label"] = "-"
                out.append(spec)
        return out

    def section(n: Node) -> dict:
        key = _slug(n.title, used)
        node: dict = {"key": key, "title": n.title}
        b = blocks_of(key, n.items)
        if b:
            node["blocks"] = b
        if n.children:
            node["children"] = [section(c) for c in n.children]
        return node

    title = s.subject or Path(str(path)).stem
    tpl: dict = {
        "format": "nq57-template/1",
        "id": tid or _slug(Path(str(path)).stem, set(), "de_cuong"),
        "version": 1,
        "title": title[:200],
        "description": f"Tạo từ đề cương «{Path(str(path)).name}» (nq57desk templates --from-docx).",
        "period_kinds": ALL_KINDS,
        "doc_symbol": (s.symbol or "BC-UBND").strip(),
        "subject": s.subject or "Tình hình triển khai thực hiện Nghị quyết số 57-NQ/TW trên địa bàn {commune} {period}",
    }
    if s.kinh_gui is not None:
        tpl["kinh_gui"] = s.kinh_gui
    if styles:
        tpl["numbering"] = styles[:6]
    intro = [it for it in s.intro if isinstance(it, Para)]
    if intro:
        tpl["intro"] = [{"type": "text", "key": "mo_dau", "label": "Mở đầu", "hint": "\n".join(p.line for p in intro)}]
    tpl["sections"] = [section(n) for n in s.roots]
    if s.closing:
        tpl["closing"] = [{"type": "text", "key": "ket_luan", "label": "Kết luận",
                           "hint": "\n".join(p.line for p in s.closing if isinstance(p, Para))}]
    apps, cur = [], None
    for it in s.after:
        m = APPENDIX.match(it.text) if isinstance(it, Para) else None
        if m:
            cur = {"key": _slug(m.group(1), used, "phu_luc"), "label": m.group(1), "title": m.group(2), "items": []}
            apps.append(cur)
        elif cur is not None:
            cur["items"].append(it)
    out_apps = []
    for a in apps:
        items = a.pop("items")
        a["blocks"] = blocks_of(a["key"], items) or [{"type": "text", "key": f"{a['key']}_text", "label": "Nội dung"}]
        out_apps.append(a)
    if out_apps:
        tpl["appendices"] = out_apps
    return tpl


def template_yaml(tpl: dict) -> str:
    import yaml

    head = "# Mẫu tạo từ đề cương Word: kiểm tra lại tên mục, gợi ý, bảng và chỉ tiêu rồi nhập (templates --import).\n"
    return head + yaml.safe_dump(tpl, allow_unicode=True, sort_keys=False, width=120)
