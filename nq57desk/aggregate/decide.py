"""Which of the received bundles counts, and which communes of a province have reported.

Shared by the one-shot collect() (everything in memory) and the upper level's store (nq57desk.upper), so both
decide in exactly the same way:
  - per commune + template + period, the newest revision wins; older revisions are kept as history;
  - the same content again (same revision, same SHA-256 of the document) is a duplicate: nothing new;
  - the same revision with different contents is a conflict: reported, neither replaces the other. Meanwhile
    the consolidation uses the newest earlier revision that is not itself in conflict (if the commune sent
    one), and says so; without one the commune counts as "conflict" and is left out of the figures. The
    conflict ends when the commune sends a newer revision, which then wins as usual.

Every input gives one line (`Line`):
  accepted   the bundle is the one that counts for its report;
  duplicate  the same content as a bundle already received: nothing new;
  replaced   an older revision (a newer one came too): kept as history;
  conflict   the same revision with a different content than another bundle: reported, not used;
  rejected   the bundle failed a check; `reason` is the short code, `message` the Vietnamese explanation;
  held       stored, but not used: its signing key is not (yet) confirmed as the commune's, or the stored copy no
             longer matches its signature (nq57desk.upper.keys);
  skipped    not a bundle (a consolidated workbook of this app, a stray file): informational, not a rejection.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from nq57desk.report.document import STATUS_VI as REPORT_STATUS_VI
from nq57desk.report.document import period_code, period_title
from nq57desk.templates.model import Template
from nq57desk.vn import fold

LATE_DAYS = 10

LINE_VI = {"accepted": "Đã nhận", "duplicate": "Trùng, đã có", "replaced": "Đã có bản mới hơn (giữ làm lịch sử)",
           "conflict": "Xung đột", "rejected": "Từ chối", "skipped": "Bỏ qua", "held": "Chờ xác nhận, chưa dùng"}
STATUS_VI = {"submitted": "Đã nộp", "missing": "Chưa nộp", "errors": "Có lỗi kiểm tra", "late": "Nộp muộn",
             "conflict": "Xung đột (hai bản cùng lần gửi)"}

Key = tuple[str, str, str]  # commune code, template id, period code


@dataclass
class Line:
    source: str
    status: str  # accepted | duplicate | replaced | conflict | rejected | skipped | held
    message: str = ""
    reason: str = ""
    commune_code: str = ""
    commune_name: str = ""
    template: str = ""
    period: str = ""
    revision: int | None = None
    exported_at: str = ""
    json_sha256: str = ""
    report_status: str = ""  # draft | done | sent, as the commune marked the report
    imported_at: str = ""  # when the upper level stored it (store only)
    period_label: str = ""  # the period as the officer reads it («6 tháng đầu năm 2026»); `period` is its code

    @property
    def status_vi(self) -> str:
        return LINE_VI.get(self.status, self.status)

    @property
    def report_status_vi(self) -> str:
        return REPORT_STATUS_VI.get(self.report_status, self.report_status)


@dataclass
class Submission:
    """A received (accepted) bundle. The document is kept compressed, or loaded on demand from the store."""

    line: Line
    template: Template
    commune: dict
    period: dict
    revision: int
    exported_at: str
    json_sha256: str
    report_status: str = ""
    late: bool = False
    errors: int = 0
    warnings: int = 0
    findings: list[str] = field(default_factory=list)  # Vietnamese messages of errors (first few)
    explained: int = 0  # of `errors`, those the commune wrote a giải trình for
    conflict: bool = False  # used meanwhile: the newest revision of its report is in conflict
    imported_at: str = ""
    row_id: int | None = None  # the store's row
    file_sha256: str = ""
    app_version: str = ""
    signed: object = None  # nq57desk.bundle.signing.Signed of a bundle just read (its key, signature, fields)
    _packed: bytes | None = None
    _loader: Callable[[], str] | None = None

    @property
    def kept(self) -> bool:
        """False after a dry run: the decision is known but the document was not kept."""
        return self._packed is not None or self._loader is not None

    @property
    def doc(self) -> dict | None:
        if self._packed is not None:
            return json.loads(zlib.decompress(self._packed))
        if self._loader is not None:
            return json.loads(self._loader())
        return None

    @property
    def key(self) -> Key:
        return self.commune["code"], self.template.id, period_code(self.period)

    def pack(self, text: str) -> None:
        self._packed = zlib.compress(text.encode("utf-8"), 1)

    def text(self) -> str | None:
        """The document JSON exactly as received (None after a dry run)."""
        if self._packed is not None:
            return zlib.decompress(self._packed).decode("utf-8")
        return self._loader() if self._loader is not None else None


@dataclass
class CommuneStatus:
    code: str
    name: str
    province_code: str
    template: str
    period: str
    status: str  # submitted | missing | errors | late | conflict
    revision: int | None = None
    late: bool = False
    errors: int = 0
    warnings: int = 0
    exported_at: str = ""
    source: str = ""
    report_status: str = ""
    note: str = ""
    findings: list[str] = field(default_factory=list)
    explained: int = 0  # of `errors`, those with a giải trình (they do not make the status «Có lỗi kiểm tra»)

    @property
    def status_vi(self) -> str:
        return STATUS_VI.get(self.status, self.status)

    @property
    def report_status_vi(self) -> str:
        return REPORT_STATUS_VI.get(self.report_status, self.report_status)


@dataclass
class Decision:
    key: Key
    used: Submission | None  # what the consolidation uses (None: nothing usable)
    top: int  # the newest revision received
    conflict: list[Submission] = field(default_factory=list)  # the newest revision's differing contents
    history: list[Submission] = field(default_factory=list)  # older revisions, not used


@dataclass
class Group:
    """One (template, period) of one or more provinces: what a consolidated output is made of."""

    template: str
    period: str
    tpl: Template | None  # the newest version among the submissions
    submissions: list[Submission]  # the used ones, by commune name
    completeness: list[CommuneStatus]
    lines: list[Line]  # the bundles received for it (the import log)
    provinces: list[str]
    # the used reports of the same period under any template (submissions included): the «Theo chỉ tiêu» sheet adds
    # them up by catalogue indicator code, so communes whose provinces use different outlines are counted together
    peers: list[Submission] = field(default_factory=list)
    catalogue: object = None  # the indicator catalogue (None: the shipped one)

    @property
    def period_label(self) -> str:
        return period_title(self.submissions[0].period) if self.submissions else self.period

    def counts(self) -> dict[str, int]:
        return completeness_counts(self.completeness)


def completeness_counts(rows: list[CommuneStatus]) -> dict[str, int]:
    """How many communes in each status ("all" too), and how many of those that sent one sent a draft."""
    out = {"all": len(rows)}
    for c in rows:
        out[c.status] = out.get(c.status, 0) + 1
    out["draft"] = sum(1 for c in rows if c.report_status == "draft" and c.status != "missing")
    return out


def is_late(exported_at: str, period: dict, days: int = LATE_DAYS) -> bool:
    """Exported after the period's end + `days` days (the commune's clock; a date without time counts whole)."""
    try:
        when = dt.datetime.fromisoformat(exported_at).date()
        end = dt.date.fromisoformat(str(period["end"]))
    except (ValueError, TypeError, KeyError):
        return False
    return when > end + dt.timedelta(days=days)


def _instant(iso: str):
    try:
        t = dt.datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return dt.datetime.max.replace(tzinfo=dt.UTC)
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)


# -- deciding ---------------------------------------------------------------------------------------------------

def decide(subs: Iterable[Submission]) -> dict[Key, Decision]:
    """Group by report and decide; sets each submission's line (status and message) and the late flag."""
    groups: dict[Key, list[Submission]] = {}
    for s in subs:
        groups.setdefault(s.key, []).append(s)
    out = {}
    for key, group in groups.items():
        out[key] = d = _decide_one(key, group)
        _lines_of(d, group)
    return out


def _decide_one(key: Key, group: list[Submission]) -> Decision:
    revs = sorted({s.revision for s in group}, reverse=True)
    conflict: list[Submission] = []
    used = None
    for r in revs:
        at = [s for s in group if s.revision == r]
        if len({s.json_sha256 for s in at}) == 1:
            used = min(at, key=lambda s: (s.imported_at, _instant(s.exported_at)))
            break
        if r == revs[0]:
            conflict = at
    history = [s for s in group if s is not used and s not in conflict]
    d = Decision(key, used, revs[0], conflict, history)
    for s in group:
        s.conflict = False
    if used is not None:
        used.conflict = bool(conflict)
        # on time if the first revision came in time: a later correction does not make a report late
        used.late = is_late(min((s.exported_at for s in group), key=_instant), used.period)
    return d


def _lines_of(d: Decision, group: list[Submission]) -> None:
    names = shown_names([s.line for s in group])
    name = (d.used or group[0]).commune.get("name", "")
    if d.used is not None and not d.conflict:
        older = sorted({s.revision for s in group if s.revision < d.used.revision})
        d.used.line.status = "accepted"
        d.used.line.message = f"thay cho lần gửi {', '.join(map(str, older))}." if older else ""
    elif d.used is not None:
        d.used.line.status = "replaced"
        d.used.line.message = (f"lần gửi {d.top} đang xung đột; bản này (lần gửi {d.used.revision}) được dùng tạm để "
                               "tổng hợp.")
    for s in d.conflict:
        others = ", ".join(f"«{names[id(x.line)]}»" for x in d.conflict if x is not s)
        meanwhile = f"; tạm dùng lần gửi {d.used.revision}" if d.used is not None else "; không dùng bản nào"
        s.line.status = "conflict"
        s.line.message = (f"lần gửi {d.top} của {name} có hai nội dung khác nhau (cùng số lần gửi với {others})"
                          f"{meanwhile}. Đề nghị xã gửi lại một bản với số lần gửi mới.")
    for s in d.history:
        s.line.status = "replaced"
        s.line.message = f"đã có lần gửi {d.top} mới hơn; bản này được giữ làm lịch sử."


def shown_names(lines: list[Line]) -> dict[int, str]:
    """A name for each line's source that tells it apart from the others (id(line) → name): the file name, with as
    many folders as it takes, and the import time when even the whole paths are the same."""
    parts = {id(ln): re.split(r"[\\/]", ln.source) for ln in lines}
    depth = dict.fromkeys(parts, 1)
    while True:
        shown = {i: "/".join(p[-depth[i]:]) for i, p in parts.items()}
        seen: dict[str, list[int]] = {}
        for i, n in shown.items():
            seen.setdefault(n, []).append(i)
        grow = [i for ids in seen.values() if len(ids) > 1 for i in ids if depth[i] < len(parts[i])]
        if not grow:
            break
        for i in grow:
            depth[i] += 1
    for ln in lines:
        same = [x for x in lines if shown[id(x)] == shown[id(ln)]]
        if len(same) > 1 and ln.imported_at:
            shown[id(ln)] += f" (nhập lúc {_when(ln.imported_at)})"
    return shown


def _when(iso: str) -> str:
    try:
        return dt.datetime.fromisoformat(iso).strftime("%H:%M ngày %d/%m/%Y")
    except (TypeError, ValueError):
        return iso


# -- completeness ---------------------------------------------------------------------------------------------

def commune_statuses(units, tid: str, pc: str, decisions: dict[Key, Decision]) -> list[CommuneStatus]:
    """Every commune of `units` for one template and period: submitted / missing / errors / late / conflict."""
    out = []
    for u in units:
        d = decisions.get((u.code, tid, pc))
        s = d.used if d else None
        if d is None:
            out.append(CommuneStatus(u.code, u.name, u.province_code, tid, pc, "missing"))
            continue
        if d.conflict:
            note = (f"lần gửi {d.top} có hai nội dung khác nhau; " +
                    (f"tạm dùng lần gửi {s.revision}" if s else "chưa có bản nào dùng được"))
            c = d.conflict[0]
            if s is None:
                out.append(CommuneStatus(u.code, u.name, u.province_code, tid, pc, "conflict", d.top,
                                         exported_at=c.exported_at, source=c.line.source, report_status=c.report_status,
                                         note=note))
                continue
        else:
            note = ""
        status = "conflict" if d.conflict else "errors" if s.errors > s.explained else "late" if s.late else "submitted"
        if s.explained:
            note = "; ".join(x for x in (note, f"{s.explained} lỗi đã giải trình (xem trang «Kiểm tra» của gói)") if x)
        out.append(CommuneStatus(u.code, u.name, u.province_code, tid, pc, status, s.revision, s.late, s.errors,
                                 s.warnings, s.exported_at, s.line.source, s.report_status, note, list(s.findings),
                                 s.explained))
    return out


def group_provinces(decisions: dict[Key, Decision], tid: str, pc: str) -> list[str]:
    """The provinces whose communes sent something for this template and period."""
    found = set()
    for (_code, t, p), d in decisions.items():
        if (t, p) == (tid, pc):
            for s in [d.used, *d.conflict, *d.history]:
                if s is not None and s.commune.get("province_code"):
                    found.add(s.commune["province_code"])
    return sorted(found)


def groups_of(decisions: dict[Key, Decision]) -> list[tuple[str, str]]:
    """(template id, period code) pairs present, the most reported first."""
    n: dict[tuple[str, str], int] = {}
    for _code, tid, pc in decisions:
        n[(tid, pc)] = n.get((tid, pc), 0) + 1
    return sorted(n, key=lambda g: (-n[g], g))


def make_group(decisions: dict[Key, Decision], tid: str, pc: str, units, lines: list[Line],
               peers: list[Submission] | None = None) -> Group:
    """The Group of one template and period; `units` are the communes whose completeness is shown; `peers` the used
    reports of the period under any template (default: those among `decisions`)."""
    used = [d.used for (_c, t, p), d in decisions.items() if (t, p) == (tid, pc) and d.used is not None]
    used.sort(key=lambda s: (fold(s.commune.get("name", "")), s.commune["code"]))
    if peers is None:
        peers = [d.used for (_c, _t, p), d in decisions.items() if p == pc and d.used is not None]
    peers = sorted(peers, key=lambda s: (fold(s.commune.get("name", "")), s.commune["code"], s.template.id))
    tpl = max((s.template for s in used), key=lambda t: t.version) if used else None
    if tpl is None:
        tpl = next((s.template for (_c, t, p), d in decisions.items() if (t, p) == (tid, pc) for s in d.conflict), None)
    provinces = sorted({u.province_code for u in units})
    return Group(tid, pc, tpl, used, commune_statuses(units, tid, pc, decisions), lines, provinces, peers)


__all__ = ["Line", "Submission", "CommuneStatus", "Decision", "Group", "decide", "commune_statuses", "group_provinces",
           "groups_of", "make_group", "is_late", "shown_names", "LINE_VI", "STATUS_VI", "LATE_DAYS"]
