"""The indicator catalogue: one stable code for each figure a Resolution-57 report states, whatever its outline.

A template's field says which catalogue indicator it is (`indicator: tthc.total`), so the upper level can add up
communes whose provinces use different outlines, and a figure group can be built from codes alone. The catalogue
is data (resources/catalogue/nq57.yaml, read with the bounded YAML loader); a province adds its own codes in
*.yaml files of a `catalogue/` folder of the data folder. No Qt, no store.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from nq57desk.errors import NQError, TemplateError
from nq57desk.templates.fieldtypes import shown_unit

FORMAT = "nq57-catalogue/1"
TYPES = ("integer", "money", "percent", "decimal")
CODE_RE = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*$")
DHIS2_RE = re.compile(r"^[A-Z][A-Z0-9_]{0,49}$")  # DHIS2 codes are at most 50 characters
PLACEHOLDER_RE = re.compile(r"\{([^{}]*)\}")
MAX_INDICATORS = 5_000  # the shipped catalogue has ~60; a province adds a few dozen
MAX_PROBLEMS = 50
SUM_RULES = ("eq", "le")
CATALOGUE_DIR = "catalogue"  # in the data folder: a province's own additions

IND_KEYS = {"code", "label", "type", "unit", "dhis2", "sentence", "whole", "sums", "rates", "help", "phrases", "marks"}
RATE_KEYS = {"code", "label", "of", "dhis2", "sentence", "decimals"}


class CatalogueError(NQError):
    """The catalogue files cannot be used: every problem found, each naming its file and line, in Vietnamese."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        more = f" (và {len(problems) - 1} lỗi khác)" if len(problems) > 1 else ""
        super().__init__(f"Danh mục chỉ tiêu lỗi: {problems[0]}{more}" if problems else "Danh mục chỉ tiêu lỗi.")


@dataclass(frozen=True)
class Indicator:
    """One figure a report can state (or, with `rate`, a rate computed from two of them)."""

    code: str
    label: str
    type: str
    unit: str
    group: str
    dhis2: str
    sentence: str = ""
    whole: str | None = None  # this figure is a part of `whole` (never larger)
    sums: tuple[tuple[tuple[str, ...], str], ...] = ()  # (parts, "eq"|"le"): the parts add up to (at most) this
    rate: tuple[str, str] | None = None  # (numerator, denominator) codes: a computed percentage
    decimals: int | None = None
    help: str = ""
    source: str = ""
    line: int | None = None
    phrases: tuple[str, ...] = ()  # words a report writes next to this figure (Word import recognises it by them)
    marks: tuple[str, ...] = ()  # what a table's cell says of a row this figure counts («Đã hoàn thành»)

    @property
    def key(self) -> str:
        """The field key a figure group gives this indicator when the template has no field for it."""
        return "i_" + self.code.replace(".", "__")

    @property
    def summed(self) -> bool:
        """Added up over communes (counts and amounts); a typed percentage or a score is not."""
        return self.rate is None and self.type in ("integer", "money", "decimal")

    @property
    def shown_unit(self) -> str:
        return shown_unit(self.type, self.unit)

    def value_text(self, value) -> str:
        """The figure as an officer reads it: «1.846 hồ sơ», «850.000.000 đồng», «75,9%»."""
        from nq57desk.vn import fmt_money, fmt_number, fmt_percent

        if value is None:
            return ""
        if self.type == "money":
            return fmt_money(value)
        if self.type == "percent" or self.rate is not None:
            return fmt_percent(value)
        return f"{fmt_number(value)} {self.unit}".rstrip()


@dataclass(frozen=True)
class Relation:
    """A check between sibling indicators: parts ≤ total (kind "le") or parts = total ("eq")."""

    kind: str
    parts: tuple[str, ...]
    total: str

    def codes(self) -> tuple[str, ...]:
        return (*self.parts, self.total)


@dataclass(frozen=True)
class Catalogue:
    indicators: tuple[Indicator, ...]  # every code, rates included, in file order
    groups: tuple[tuple[str, tuple[str, ...]], ...]  # (Vietnamese group name, codes) in order, for a picker
    stamp: str = ""  # SHA-256 of the files read: what a cached template was checked against
    by_code: dict[str, Indicator] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        if not self.by_code:
            object.__setattr__(self, "by_code", {i.code: i for i in self.indicators})

    def get(self, code: str) -> Indicator | None:
        return self.by_code.get(code)

    def __contains__(self, code: str) -> bool:
        return code in self.by_code

    def __len__(self) -> int:
        return len(self.indicators)

    @property
    def rates(self) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.rate is not None)

    def by_dhis2(self) -> dict[str, str]:
        """Indicator code → DHIS2 data-element code."""
        return {i.code: i.dhis2 for i in self.indicators}

    def relations(self) -> list[Relation]:
        """Every sibling check, in catalogue order: part ≤ whole, then the sums of parts."""
        out: list[Relation] = []
        for i in self.indicators:
            if i.whole:
                out.append(Relation("le", (i.code,), i.whole))
            for parts, rule in i.sums:
                out.append(Relation(rule, parts, i.code))
        return out

    def rates_over(self, codes: Iterable[str]) -> list[Indicator]:
        """The catalogue's rates whose numerator and denominator are both among `codes`."""
        have = set(codes)
        return [r for r in self.rates if r.rate[0] in have and r.rate[1] in have]


# -- reading --------------------------------------------------------------------------------------------------------

class _Problems:
    def __init__(self):
        self.items: list[str] = []

    def add(self, source: str, line, problem: str, *, always: bool = False) -> None:
        """Keep the first MAX_PROBLEMS problems (`always`: a problem that stops reading is kept even then)."""
        if len(self.items) < MAX_PROBLEMS or always:
            self.items.append(f"{source}" + (f", dòng {line}" if line else "") + f": {problem}")


def _line(node, parent_line=None):
    return getattr(node, "line", None) or parent_line


def _read_file(path: Path, problems: _Problems):
    from nq57desk.templates.yamlsafe import read_yaml

    name = path.name
    try:
        raw = path.read_bytes()
    except OSError as e:
        problems.add(name, None, f"không đọc được tệp ({e.strerror or e})")
        return None, b""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        problems.add(name, None, "tệp không phải văn bản UTF-8")
        return None, raw
    try:
        return read_yaml(text, name), raw
    except TemplateError as e:  # the bounded reader's message, said of a catalogue
        problems.add(name, None, f"{e.place + ': ' if e.place else ''}{e.problem.replace('tệp mẫu', 'tệp danh mục')}")
        return None, raw


def _str(node, key, source, problems, line, required=True) -> str:
    v = node.get(key)
    if v is None or v == "":
        if required:
            problems.add(source, line, f"thiếu «{key}»")
        return ""
    if not isinstance(v, str):
        problems.add(source, line, f"«{key}» phải là chuỗi chữ")
        return ""
    from nq57desk.vn import nfc

    return nfc(v.strip())


def _codes(v, key, source, problems, line) -> tuple[str, ...]:
    if not isinstance(v, list) or not v or not all(isinstance(x, str) for x in v):
        problems.add(source, line, f"«{key}» phải là danh sách mã chỉ tiêu")
        return ()
    return tuple(v)


def _parse_file(data, source: str, problems: _Problems, out: list[Indicator], groups: list, seen: dict) -> None:
    if not isinstance(data, dict):
        problems.add(source, None, "tệp danh mục cần các khóa «format» và «groups»")
        return
    extra = set(data) - {"format", "groups"}
    if extra:
        problems.add(source, _line(data), f"không biết khóa {', '.join(sorted(map(str, extra)))} (được dùng: format, groups)")
    if data.get("format") != FORMAT:
        problems.add(source, _line(data), f"«format» phải là «{FORMAT}»")
    gs = data.get("groups")
    if not isinstance(gs, list) or not gs:
        problems.add(source, _line(data), "cần danh sách «groups» không rỗng (mỗi nhóm có «name» và «indicators»)")
        return
    for g in gs:
        gline = _line(g, _line(data))
        if not isinstance(g, dict):
            problems.add(source, gline, "mỗi nhóm là một bảng khóa có «name» và «indicators»")
            continue
        if set(g) - {"name", "indicators"}:
            problems.add(source, gline, f"nhóm: không biết khóa {', '.join(sorted(map(str, set(g) - {'name', 'indicators'})))}")
        name = _str(g, "name", source, problems, gline)
        inds = g.get("indicators")
        if not isinstance(inds, list) or not inds:
            problems.add(source, gline, f"nhóm «{name}» cần danh sách «indicators» không rỗng")
            continue
        codes: list[str] = []
        for node in inds:
            if len(out) >= MAX_INDICATORS:
                problems.add(source, _line(node, gline), f"danh mục có quá nhiều chỉ tiêu (quá {MAX_INDICATORS:,})"
                             .replace(",", "."), always=True)
                return
            for ind in _indicator(node, name, source, problems, seen, gline):
                out.append(ind)
                codes.append(ind.code)
        groups.append((name, tuple(codes)))


def _claim(code: str, source: str, line, problems: _Problems, seen: dict) -> bool:
    if not isinstance(code, str) or not CODE_RE.match(code):
        problems.add(source, line, f"mã chỉ tiêu «{code}» không hợp lệ: chữ thường không dấu, số, dấu _ , các phần "
                                   "nối bằng dấu chấm (ví dụ tthc.total)")
        return False
    if code in seen:
        problems.add(source, line, f"mã chỉ tiêu «{code}» đã có ({seen[code]}); không thêm lại được")
        return False
    seen[code] = f"tệp {source}" + (f", dòng {line}" if line else "")
    return True


def _dhis2(node, source, problems, line) -> str:
    code = node.get("dhis2")
    if not isinstance(code, str) or not DHIS2_RE.match(code):
        problems.add(source, line, f"mã DHIS2 «{code if code is not None else ''}» không hợp lệ: chữ in hoa không dấu, "
                                   "số và dấu _ , bắt đầu bằng chữ, tối đa 50 ký tự (ví dụ NQ57_TTHC_TOTAL)")
        return ""
    return code


def _phrases(node, code, source, problems, line, key="phrases") -> tuple[str, ...]:
    v = node.get(key) or []
    if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
        problems.add(source, line, f"chỉ tiêu «{code}»: «{key}» là danh sách cụm từ (chữ)")
        return ()
    return tuple(x.strip() for x in v)


def _indicator(node, group: str, source: str, problems: _Problems, seen: dict, gline):
    line = _line(node, gline)
    if not isinstance(node, dict):
        problems.add(source, line, "mỗi chỉ tiêu là một bảng khóa (code, label, type, unit, dhis2, …)")
        return []
    extra = set(node) - IND_KEYS
    if extra:
        problems.add(source, line, f"không biết khóa {', '.join(sorted(map(str, extra)))} "
                                   f"(được dùng: {', '.join(sorted(IND_KEYS))})")
    code = node.get("code")
    if not _claim(code, source, line, problems, seen):
        return []
    itype = node.get("type", "integer")
    if itype not in TYPES:
        problems.add(source, line, f"chỉ tiêu «{code}»: kiểu «{itype}» không có; dùng một trong: {', '.join(TYPES)}")
        itype = "integer"
    whole = node.get("whole")
    if whole is not None and not isinstance(whole, str):
        problems.add(source, line, f"chỉ tiêu «{code}»: «whole» là một mã chỉ tiêu")
        whole = None
    sums = []
    raw_sums = node.get("sums") or []
    if not isinstance(raw_sums, list):
        problems.add(source, line, f"chỉ tiêu «{code}»: «sums» là danh sách {{parts: [mã, …], rule: eq|le}}")
        raw_sums = []
    for s in raw_sums:
        sline = _line(s, line)
        if not isinstance(s, dict) or set(s) - {"parts", "rule"}:
            problems.add(source, sline, f"chỉ tiêu «{code}»: mỗi mục của «sums» là {{parts: [mã, …], rule: eq|le}}")
            continue
        parts = _codes(s.get("parts"), "parts", source, problems, sline)
        rule = s.get("rule", "eq")
        if rule not in SUM_RULES:
            problems.add(source, sline, f"chỉ tiêu «{code}»: «rule» là eq (tổng các phần bằng) hoặc le (không vượt quá)")
            continue
        if parts:
            sums.append((parts, rule))
    ind = Indicator(code=code, label=_str(node, "label", source, problems, line), type=itype,
                    unit=_str(node, "unit", source, problems, line, required=False), group=group,
                    dhis2=_dhis2(node, source, problems, line),
                    sentence=_str(node, "sentence", source, problems, line, required=False),
                    whole=whole, sums=tuple(sums), help=_str(node, "help", source, problems, line, required=False),
                    source=source, line=line, phrases=_phrases(node, code, source, problems, line),
                    marks=_phrases(node, code, source, problems, line, "marks"))
    out = [ind]
    rates = node.get("rates") or []
    if not isinstance(rates, list):
        problems.add(source, line, f"chỉ tiêu «{code}»: «rates» là danh sách {{code, label, of, dhis2}}")
        rates = []
    for r in rates:
        rline = _line(r, line)
        if not isinstance(r, dict):
            problems.add(source, rline, f"chỉ tiêu «{code}»: mỗi tỷ lệ là {{code, label, of, dhis2}}")
            continue
        if set(r) - RATE_KEYS:
            problems.add(source, rline, f"tỷ lệ: không biết khóa {', '.join(sorted(map(str, set(r) - RATE_KEYS)))}")
        rcode = r.get("code")
        if not _claim(rcode, source, rline, problems, seen):
            continue
        den = r.get("of")
        if not isinstance(den, str):
            problems.add(source, rline, f"tỷ lệ «{rcode}»: «of» là mã chỉ tiêu mẫu số")
            continue
        dec = r.get("decimals")
        if dec is not None and (isinstance(dec, bool) or not isinstance(dec, int) or not 0 <= dec <= 6):
            problems.add(source, rline, f"tỷ lệ «{rcode}»: «decimals» là số nguyên từ 0 đến 6")
            dec = None
        out.append(Indicator(code=rcode, label=_str(r, "label", source, problems, rline), type="percent", unit="%",
                             group=group, dhis2=_dhis2(r, source, problems, rline),
                             sentence=_str(r, "sentence", source, problems, rline, required=False),
                             rate=(code, den), decimals=dec, source=source, line=rline))
    return out


def _check_links(inds: list[Indicator], problems: _Problems) -> None:
    """Every code a rule, a rate or a sentence names exists; DHIS2 codes are not shared."""
    codes = {i.code for i in inds}
    dhis2: dict[str, str] = {}
    for i in inds:
        named = [("whole", i.whole)] if i.whole else []
        named += [("sums", c) for parts, _r in i.sums for c in parts]
        if i.rate:
            named.append(("of", i.rate[1]))
        for key, c in named:
            if c not in codes:
                problems.add(i.source, i.line, f"chỉ tiêu «{i.code}»: «{key}» nêu mã «{c}» không có trong danh mục")
            elif c == i.code:
                problems.add(i.source, i.line, f"chỉ tiêu «{i.code}»: «{key}» không được nêu chính nó")
        for ph in PLACEHOLDER_RE.findall(i.sentence):
            if ph not in codes:
                problems.add(i.source, i.line, f"chỉ tiêu «{i.code}»: câu mặc định có chỗ điền «{{{ph}}}» không phải mã "
                                               "chỉ tiêu trong danh mục")
        if i.dhis2:
            if i.dhis2 in dhis2:
                problems.add(i.source, i.line, f"mã DHIS2 «{i.dhis2}» đã dùng cho chỉ tiêu «{dhis2[i.dhis2]}»")
            else:
                dhis2[i.dhis2] = i.code


def load_catalogue(paths: Iterable[str | Path]) -> Catalogue:
    """Read and merge catalogue files in order (later files add codes, never redefine one).

    Raises CatalogueError listing every problem found (file and line, Vietnamese), not only the first.
    """
    problems = _Problems()
    inds: list[Indicator] = []
    groups: list[tuple[str, tuple[str, ...]]] = []
    seen: dict[str, str] = {}
    h = hashlib.sha256()
    for p in paths:
        p = Path(p)
        data, raw = _read_file(p, problems)
        h.update(p.name.encode() + b"\0" + raw + b"\0")
        if data is not None:
            try:
                _parse_file(data, p.name, problems, inds, groups, seen)
            except RecursionError:  # a backstop: read_yaml bounds nesting
                problems.add(p.name, None, "cấu trúc lồng quá sâu, không đọc được")
    _check_links(inds, problems)
    if problems.items:
        raise CatalogueError(problems.items)
    merged: dict[str, list[str]] = {}
    for name, codes in groups:  # a province's file may add to a group the shipped file has
        merged.setdefault(name, []).extend(codes)
    return Catalogue(tuple(inds), tuple((n, tuple(c)) for n, c in merged.items()), h.hexdigest()[:16])


def shipped_path() -> Path:
    from nq57desk.settings import resources_dir

    return resources_dir() / CATALOGUE_DIR / "nq57.yaml"


@functools.cache
def default_catalogue() -> Catalogue:
    """The shipped catalogue, read once per process."""
    return load_catalogue([shipped_path()])


def catalogue_paths(data_dir: str | Path | None) -> list[Path]:
    """The shipped file, then every *.yaml of the data folder's catalogue/ folder, by name."""
    paths = [shipped_path()]
    if data_dir is not None:
        d = Path(data_dir) / CATALOGUE_DIR
        if d.is_dir():
            paths += sorted(p for p in d.iterdir() if p.suffix.lower() in (".yaml", ".yml") and p.is_file())
    return paths


_FOLDER_CACHE: dict[tuple, Catalogue] = {}
_BY_STAMP: dict[str, Catalogue] = {}  # every data folder catalogue read in this process, by its stamp


def by_stamp(stamp: str) -> Catalogue | None:
    """The catalogue a template was read with (Template.catalogue), so a report's added figure groups and tables
    find the province's own indicators too; None for the shipped one or one not read in this process."""
    return _BY_STAMP.get(stamp) if stamp else None


def catalogue_for(data_dir: str | Path | None) -> Catalogue:
    """The catalogue of a data folder: the shipped one with the province's additions (re-read when they change)."""
    paths = catalogue_paths(data_dir)
    if len(paths) == 1:
        return default_catalogue()
    key = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in paths)
    cat = _FOLDER_CACHE.get(key)
    if cat is None:
        cat = load_catalogue(paths)
        _FOLDER_CACHE.clear()
        _FOLDER_CACHE[key] = cat
        _BY_STAMP[cat.stamp] = cat
    return cat


__all__ = ["Catalogue", "CatalogueError", "Indicator", "Relation", "load_catalogue", "default_catalogue",
           "catalogue_for", "catalogue_paths", "shipped_path", "by_stamp"]


# -- figure groups --------------------------------------------------------------------------------------------------

def figure_group(key: str, codes: list[str], tpl, cat: Catalogue, *, label: str = ""):
    """A fields block of catalogue indicators, and the template rules among them: (FieldsBlock, tuple[Rule, ...]).

    A code the template already has as a field (field.indicator == code) reuses that very field, so a figure typed
    once is the same value wherever the report shows it; any other code gets the key «i_» + code with «.» → «__».
    The catalogue's rates over the group's figures become derived percent fields, its sentences the block's lines,
    its sibling checks the rules (only those that name a figure new to the template: the template checks its own).
    Raises CatalogueError (Vietnamese) for a code the catalogue does not have.
    """
    known: dict[str, object] = {}
    if tpl is not None:
        for _ckey, b in tpl.blocks():
            for f in getattr(b, "fields", ()) if b.kind == "fields" else ():
                if f.indicator:
                    known.setdefault(f.indicator, f)
    return build_group(key, codes, known, cat, label=label)


def build_group(key: str, codes: list[str], known: dict, cat: Catalogue, *, label: str = "", stated=()):
    """figure_group over `known` (indicator code → the template's Field): the loader calls it while it reads.
    `stated`: rate codes the report also states as a number («đạt 99,99%»): each gets a typed field checked against
    the computed rate (a rate typed by hand is where real reports contradict their own counts)."""
    from nq57desk.templates.model import Field, FieldsBlock

    bad = [c for c in codes if not isinstance(c, str) or c not in cat]
    if bad:
        raise CatalogueError([f"mã chỉ tiêu «{c}» không có trong danh mục chỉ tiêu" for c in bad])
    order: list[str] = list(dict.fromkeys(codes))
    have = set(order)
    for r in cat.rates:  # a rate over two of the group's figures joins the group, after its numerator
        num, den = r.rate
        if r.code not in have and num in have and (den in have or den in known):
            order.insert(order.index(num) + 1, r.code)
            have.add(r.code)

    def key_of(code: str) -> str | None:
        if code in known:
            return known[code].key
        return cat.get(code).key if code in have else None

    fields = []
    for code in order:
        if code in known:
            fields.append(known[code])
            continue
        ind = cat.get(code)
        if ind.rate:
            n, d = key_of(ind.rate[0]), key_of(ind.rate[1])
            if n is None or d is None:
                raise CatalogueError([f"tỷ lệ «{code}» cần cả «{ind.rate[0]}» và «{ind.rate[1]}» trong nhóm số liệu "
                                      "hoặc trong mẫu"])
            fields.append(Field(key=ind.key, label=ind.label, type="percent", formula=f"rate({n}, {d})",
                                decimals=ind.decimals, indicator=code, help=ind.help))
        else:
            fields.append(Field(key=ind.key, label=ind.label, type=ind.type, unit="" if ind.type == "money" else ind.unit,
                                min=0 if ind.type in ("integer", "money") else None, indicator=code, help=ind.help))
    bad = [c for c in stated if c not in have or not cat.get(c).rate]
    if bad:
        raise CatalogueError([f"«{c}» trong «stated» không phải tỷ lệ của nhóm số liệu" for c in bad])
    for code in stated:
        rate = next(f for f in fields if f.indicator == code)
        fields.insert(fields.index(rate) + 1, Field(key=f"{rate.key}__ghi", label=f"{rate.label} (số báo cáo ghi)",
                                                    type="percent", min=0, max=100, stated_of=rate.key))
    lines = []
    for code in order:
        s = cat.get(code).sentence
        names = PLACEHOLDER_RE.findall(s)
        if s and all(key_of(n) for n in names):
            lines.append(PLACEHOLDER_RE.sub(lambda m: "{" + key_of(m.group(1)) + "}", s))
    rules = relation_rules(cat, {c for c in order if c not in known}, key_of)
    block = FieldsBlock(kind="fields", key=key, label=label, fields=tuple(fields), lines=tuple(lines))
    return block, tuple(rules)


def relation_rules(cat: Catalogue, new: set[str], key_of) -> list:
    """The catalogue's checks among a report's figures that involve a figure just added (`new`): the figures it
    already had were checked among themselves when they came. `key_of(code)` is the field key of a figure the
    report holds, else None."""
    from nq57desk.templates.model import Rule

    rules = []
    for rel in cat.relations():
        cs = rel.codes()
        if not (set(cs) & new) or not key_of(rel.total):
            continue
        given = [c for c in rel.parts if key_of(c)]
        if len(given) < len(rel.parts):
            # parts the report does not list («chưa cung cấp trực tuyến»): those it lists cannot exceed the total
            if len(given) < 2:  # one part alone is checked by its own «whole» relation
                continue
            rel = type(rel)("le", tuple(given), rel.total)
        parts = [key_of(c) for c in rel.parts]
        total = key_of(rel.total)
        labels = ", ".join(f"«{cat.get(c).label}»" for c in rel.parts)
        whole = f"«{cat.get(rel.total).label}»"
        if rel.kind == "eq":
            rules.append(Rule("sum", "error", {"parts": parts, "total": total},
                              f"Tổng {labels} phải bằng {whole}."))
        elif len(parts) == 1:
            rules.append(Rule("le", "error", {"left": parts[0], "right": total},
                              f"{labels} không thể lớn hơn {whole}."))
        else:  # parts ≤ total: a sum rule left open, so the message shows each part ("222 + 170 = 392 …")
            rules.append(Rule("sum", "error", {"parts": parts, "total": total, "open": True},
                              f"Tổng {labels} không thể lớn hơn {whole}."))
    return rules


TABLE_FIGURE_TYPES = ("integer", "decimal", "money")


def table_figures(table: str, title: str, columns, rows_code: str | None, known: dict, cat: Catalogue,
                  taken=frozenset()) -> tuple[tuple, tuple]:
    """The figures a table gives its report, and their checks: a column bound to an indicator adds up to it, a
    text column counts the rows holding a given text («Đã hoàn thành» → nv.done), `rows_code` is the number of rows.

    A figure the report already holds (`known`: code → Field) is not made twice: the table must agree with it (the
    report states one figure in two places, and real reports contradict themselves exactly there). A figure the
    report does not hold yet is computed from the table, so the upper level adds it up like any other."""
    from nq57desk.templates.model import Field, Rule

    problems, figures, rules, new = [], [], [], set()
    name = f"«{title}»" if title else "bảng"
    binds = [(c, c.indicator, f"colsum({table}, {c.key})") for c in columns if c.indicator]
    binds += [(c, code, f"count({table}, {c.key}, '{text}')") for c in columns for text, code in c.counts]
    if rows_code:
        binds.append((None, rows_code, f"rows({table})"))
    seen: set[str] = set()
    for col, code, formula in binds:
        ind = cat.get(code)
        if code in seen:
            problems.append(f"{name}: chỉ tiêu «{code}» gắn với hai chỗ trong cùng một bảng")
            continue
        seen.add(code)
        cname = " › ".join((*col.group, col.label or col.key)) if col is not None else ""
        where = f"cột «{cname}»" if col is not None else "số dòng"
        if ind is None or ind.rate:
            problems.append(f"{name}, {where}: «{code}» không phải chỉ tiêu số của danh mục chỉ tiêu")
            continue
        counting = col is None or col.counts
        if counting and ind.type != "integer" or not counting and ind.type not in TABLE_FIGURE_TYPES:
            problems.append(f"{name}, {where}: chỉ tiêu «{code}» có kiểu «{ind.type}», không đếm/cộng được từ bảng")
            continue
        if col is not None and not col.counts and col.type not in TABLE_FIGURE_TYPES:
            problems.append(f"{name}, {where}: cột gắn chỉ tiêu «{code}» phải là cột số (integer, decimal, money)")
            continue
        if code in known:
            f = known[code]
            if col is not None and col.counts:
                text = formula.split("'")[1]
                rules.append(Rule("table_count", "error", {"table": table, "column": col.key, "value": text,
                                                           "equals": f.key},
                                  f"Bảng {name} có số dòng «{text}» khác «{ind.label}» đã ghi."))
            else:
                what = "số dòng" if col is None else f"tổng cột «{cname}»"
                rules.append(Rule("eq", "error", {"left": formula, "right": f.key},
                                  f"Bảng {name}: {what} khác «{ind.label}» đã ghi."))
            continue
        key = ind.key if ind.key not in taken else f"{table}__{ind.key}"
        f = Field(key=key, label=ind.label, type=ind.type, unit="" if ind.type == "money" else ind.unit,
                  formula=formula, indicator=code, help=f"Tính từ bảng {name}.")
        figures.append(f)
        known[code] = f
        new.add(code)
    if problems:
        raise CatalogueError(problems)
    rules += relation_rules(cat, new, lambda c: known[c].key if c in known else None)
    return tuple(figures), tuple(rules)


__all__ += ["figure_group", "build_group", "relation_rules", "table_figures"]
