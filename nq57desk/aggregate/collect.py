"""Import many bundles at once: read each safely, keep the newest revision per commune + template + period,
report conflicts, and tell which communes of the province have reported, late or with errors.

Every input gives one line, in input order:
  accepted   the bundle is the chosen (newest) revision of its report;
  duplicate  the same content as an accepted bundle (e.g. the same file copied twice): nothing new;
  replaced   an older revision: a newer one of the same commune + template + period came too; kept as history;
  conflict   two bundles carry the same revision with different content: reported, neither is used;
  rejected   the bundle failed a check; `reason` is the short code, `message` the Vietnamese explanation.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from nq57desk.bundle.format import MAX_FILE, BundleError
from nq57desk.bundle.package import MANIFEST
from nq57desk.bundle.reader import BundleResult, check_zip_entries, is_bundle_name, read_bundle
from nq57desk.bundle.safefile import sha256_bytes
from nq57desk.report.document import period_code
from nq57desk.templates.model import Template
from nq57desk.units import communes, province_code
from nq57desk.vn import fold

LATE_DAYS = 10
PACKAGE_MAX_ENTRIES = 20_000
PACKAGE_MAX_TOTAL = 4 * 1024 * 1024 * 1024

LINE_VI = {"accepted": "Đã nhận", "duplicate": "Trùng, đã có", "replaced": "Đã có bản mới hơn (giữ làm lịch sử)",
           "conflict": "Xung đột", "rejected": "Từ chối"}
STATUS_VI = {"submitted": "Đã nộp", "missing": "Chưa nộp", "errors": "Có lỗi kiểm tra", "late": "Nộp muộn",
             "conflict": "Xung đột (hai bản cùng lần gửi)"}


@dataclass
class Line:
    source: str
    status: str  # accepted | duplicate | replaced | conflict | rejected
    message: str = ""
    reason: str = ""
    commune_code: str = ""
    commune_name: str = ""
    template: str = ""
    period: str = ""
    revision: int | None = None
    exported_at: str = ""
    json_sha256: str = ""

    @property
    def status_vi(self) -> str:
        return LINE_VI.get(self.status, self.status)


@dataclass
class Submission:
    """An accepted bundle. The document is kept compressed (thousands of them fit in memory); .doc unpacks it."""

    line: Line
    template: Template
    commune: dict
    period: dict
    revision: int
    exported_at: str
    json_sha256: str
    late: bool = False
    errors: int = 0
    warnings: int = 0
    findings: list[str] = field(default_factory=list)  # Vietnamese messages of errors (first few)
    _packed: bytes | None = None

    @property
    def kept(self) -> bool:
        """False after a dry run: the decision is known but the document was not kept."""
        return self._packed is not None

    @property
    def doc(self) -> dict | None:
        if self._packed is None:
            return None
        return json.loads(zlib.decompress(self._packed))

    @property
    def key(self) -> tuple[str, str, str]:
        return self.commune["code"], self.template.id, period_code(self.period)


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

    @property
    def status_vi(self) -> str:
        return STATUS_VI.get(self.status, self.status)


@dataclass
class CollectResult:
    lines: list[Line]
    chosen: dict[tuple[str, str, str], Submission]  # (commune code, template id, period code) → newest revision
    history: list[Submission]  # older revisions, replaced by a newer one
    conflicts: list[list[Line]]
    completeness: list[CommuneStatus]
    provinces: list[str]
    dry_run: bool = False

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for x in self.lines:
            out[x.status] = out.get(x.status, 0) + 1
        for c in self.completeness:
            out[f"communes_{c.status}"] = out.get(f"communes_{c.status}", 0) + 1
        return out

    def groups(self) -> list[tuple[str, str]]:
        """(template id, period code) pairs present, the most reported first."""
        n: dict[tuple[str, str], int] = {}
        for _code, tid, pc in self.chosen:
            n[(tid, pc)] = n.get((tid, pc), 0) + 1
        return sorted(n, key=lambda g: (-n[g], g))

    def submissions(self, template: str | None = None, period: str | None = None) -> list[Submission]:
        subs = [s for (c, t, p), s in self.chosen.items() if (template is None or t == template) and (period is None or p == period)]
        return sorted(subs, key=lambda s: (fold(s.commune.get("name", "")), s.commune["code"]))


# -- inputs ---------------------------------------------------------------------------------------------------------

def _sources(paths) -> Iterator[tuple[str, Path | None, bytes | None, str | None]]:
    """(display name, path, bytes, expected sha256 from a manifest) for every bundle the inputs hold."""
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs.sort()
                expected = _manifest_shas(Path(root) / MANIFEST) if MANIFEST in files else {}
                for f in sorted(files):
                    fp = Path(root) / f
                    if is_bundle_name(f):
                        yield str(fp), fp, None, expected.get(f)
                    elif f.lower().endswith(".zip"):
                        yield from _zip_sources(fp)
        elif p.suffix.lower() == ".zip" and p.is_file():
            yield from _zip_sources(p)
        else:
            yield str(p), p, None, None


def _manifest_shas(p: Path) -> dict[str, str]:
    try:
        data = json.loads(p.read_bytes()[:MAX_FILE])
        return {str(e["name"]): str(e["sha256"]) for e in data.get("files", []) if isinstance(e, dict) and "name" in e}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}


class _Rejected(Exception):
    def __init__(self, err: BundleError):
        self.err = err


def _zip_sources(p: Path):
    name = str(p)
    try:
        zf = zipfile.ZipFile(p)
    except (OSError, zipfile.BadZipFile) as e:
        yield name, None, _Rejected(BundleError("damaged", f"tệp nén .zip bị hỏng hoặc chép chưa hết ({e}).", p)), None
        return
    with zf:
        try:
            infos = check_zip_entries(zf, name, max_entries=PACKAGE_MAX_ENTRIES, max_total=PACKAGE_MAX_TOTAL)
        except BundleError as e:
            yield name, None, _Rejected(e), None
            return
        expected = {}
        if MANIFEST in zf.namelist():
            info = zf.getinfo(MANIFEST)
            if info.file_size <= MAX_FILE:
                try:
                    data = json.loads(zf.read(info))
                    expected = {str(e["name"]): str(e["sha256"]) for e in data.get("files", []) if isinstance(e, dict)}
                except (ValueError, TypeError, KeyError, zipfile.BadZipFile, AttributeError):
                    expected = {}
        for info in infos:
            base = info.filename.rsplit("/", 1)[-1]
            if info.is_dir() or not is_bundle_name(base):
                continue
            shown = f"{name}!{info.filename}"
            if info.file_size > MAX_FILE:
                yield shown, None, _Rejected(BundleError("too_big", "tệp quá lớn; gói báo cáo không quá 50 MB.", shown)), None
                continue
            try:
                with zf.open(info) as f:
                    data = f.read(MAX_FILE + 1)
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as e:
                yield shown, None, _Rejected(BundleError("damaged", f"không giải nén được ({e}).", shown)), None
                continue
            yield shown, None, data, expected.get(info.filename) or expected.get(base)


# -- collecting -----------------------------------------------------------------------------------------------------

def collect(paths, registry, *, province=None, dry_run: bool = False, progress=None) -> CollectResult:
    """Read every bundle in `paths` (files, folders, .zip packages) and decide which revision counts.

    province: the province code whose communes are checked for completeness (None: the provinces seen).
    dry_run: decide and report everything, but keep no documents in the result (a preview of an import).
    progress: optional callable(done, name) for a progress bar.
    """
    pc = province_code(province) if province else None
    validate = _validator()
    lines: list[Line] = []
    subs: list[Submission] = []
    for i, (name, path, data, expected) in enumerate(_sources(paths)):
        if progress:
            progress(i, name)
        try:
            if isinstance(data, _Rejected):
                raise data.err
            if expected and data is not None and sha256_bytes(data) != expected:
                raise BundleError("manifest_mismatch", "tệp khác với mã kiểm tra trong manifest.json (hỏng khi chép?); "
                                  "hãy chép lại.", name)
            res = read_bundle(path if path is not None else name, registry, data=data)
            if expected and path is not None and res.sha256 != expected:
                raise BundleError("manifest_mismatch", "tệp khác với mã kiểm tra trong manifest.json (hỏng khi chép?); "
                                  "hãy chép lại.", name)
            if pc and res.doc["commune"].get("province_code") != pc:
                raise BundleError("other_province", f"báo cáo của {res.doc['commune'].get('name')} "
                                  f"({res.doc['commune'].get('province_name')}), không thuộc tỉnh đang tổng hợp.", name)
        except BundleError as e:
            lines.append(Line(name, "rejected", str(e), e.reason))
            continue
        line = _line(name, res)
        lines.append(line)
        sub = _submission(line, res)
        _check(sub, res.doc, validate)  # now, while the document is parsed (older revisions are rare)
        subs.append(sub)
    chosen, history, conflicts = _decide(subs)
    provinces = [pc] if pc else sorted({s.commune.get("province_code") for s in subs if s.commune.get("province_code")})
    completeness = _completeness(chosen, conflicts, subs, provinces)
    if dry_run:
        for s in [*chosen.values(), *history]:
            s._packed = None
    return CollectResult(lines, chosen, history, conflicts, completeness, provinces, dry_run)


def _line(name: str, res: BundleResult) -> Line:
    d = res.doc
    return Line(name, "accepted", "", "", d["commune"]["code"], d["commune"].get("name", ""), res.template_ref[0],
                period_code(d["period"]), d.get("revision"), res.exported_at, res.json_sha256)


def _submission(line: Line, res: BundleResult) -> Submission:
    d = res.doc
    packed = zlib.compress(json.dumps(d, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 1)
    return Submission(line, res.template, d["commune"], d["period"], int(d.get("revision") or 1), res.exported_at,
                      res.json_sha256, late=is_late(res.exported_at, d["period"]), _packed=packed)


def is_late(exported_at: str, period: dict, days: int = LATE_DAYS) -> bool:
    """Exported after the period's end + `days` days (the commune's clock; a date without time counts whole)."""
    try:
        when = dt.datetime.fromisoformat(exported_at).date()
        end = dt.date.fromisoformat(str(period["end"]))
    except (ValueError, TypeError, KeyError):
        return False
    return when > end + dt.timedelta(days=days)


def _decide(subs: list[Submission]):
    groups: dict[tuple[str, str, str], list[Submission]] = {}
    for s in subs:
        groups.setdefault(s.key, []).append(s)
    chosen, history, conflicts = {}, [], []
    for key, group in groups.items():
        top_rev = max(s.revision for s in group)
        top = [s for s in group if s.revision == top_rev]
        contents = {s.json_sha256 for s in top}
        older = [s for s in group if s.revision < top_rev]
        if len(contents) == 1:
            win = top[0]
            chosen[key] = win
            # on time if the first revision came in time: a later correction does not make a report late
            win.late = is_late(min((s.exported_at for s in group), key=_instant), win.period)
            for s in top[1:]:
                s.line.status, s.line.message = "duplicate", f"cùng nội dung với «{_short(win.line.source)}»."
            if older:
                revs = ", ".join(str(r) for r in sorted({s.revision for s in older}))
                win.line.message = f"thay cho lần gửi {revs}."
        else:
            names = [s.line.source for s in top]
            for s in top:
                others = ", ".join(f"«{_short(n)}»" for n in names if n != s.line.source)
                s.line.status = "conflict"
                s.line.message = (f"lần gửi {top_rev} của {s.commune.get('name')} có hai nội dung khác nhau (cùng số lần "
                                  f"gửi với {others}); không dùng bản nào. Đề nghị xã gửi lại một bản với số lần gửi mới.")
            conflicts.append([s.line for s in top])
        for s in older:
            s.line.status = "replaced"
            s.line.message = f"đã có lần gửi {top_rev} mới hơn; bản này được giữ làm lịch sử."
            history.append(s)
    return chosen, history, conflicts


def _instant(iso: str):
    try:
        t = dt.datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return dt.datetime.max.replace(tzinfo=dt.UTC)
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)


def _short(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1]


def _validator():
    try:
        from nq57desk.validation import validate  # written separately; may not exist yet
    except ImportError:
        return None
    return validate


def _check(s: Submission, doc: dict, validate) -> None:
    """Count the validation findings of a report (nq57desk.validation, when it is installed)."""
    if validate is None:
        return
    try:
        findings = validate(s.template, doc)
    except Exception as e:  # noqa: BLE001 - one odd report must not stop an import of hundreds
        s.errors, s.findings = 1, [f"không kiểm tra được báo cáo ({type(e).__name__}: {e})"]
        return
    for f in findings or ():
        sev = getattr(f, "severity", "error")
        if sev == "error":
            s.errors += 1
            if len(s.findings) < 5:
                s.findings.append(str(getattr(f, "message", f)))
        elif sev == "warning":
            s.warnings += 1


def _completeness(chosen, conflicts, subs, provinces) -> list[CommuneStatus]:
    groups = sorted({(k[1], k[2]) for k in chosen} | {(ln.template, ln.period) for c in conflicts for ln in c})
    if not groups:
        groups = [("", "")]
    conflicted = {(ln.commune_code, ln.template, ln.period) for c in conflicts for ln in c}
    out = []
    units = [u for p in provinces for u in communes(p)]
    for tid, per in groups:
        for u in units:
            key = (u.code, tid, per)
            s = chosen.get(key)
            if key in conflicted:
                out.append(CommuneStatus(u.code, u.name, u.province_code, tid, per, "conflict"))
            elif s is None:
                out.append(CommuneStatus(u.code, u.name, u.province_code, tid, per, "missing"))
            else:
                status = "errors" if s.errors else "late" if s.late else "submitted"
                out.append(CommuneStatus(u.code, u.name, u.province_code, tid, per, status, s.revision, s.late,
                                         s.errors, s.warnings, s.exported_at, s.line.source))
    return out


__all__ = ["collect", "CollectResult", "Line", "Submission", "CommuneStatus", "is_late", "LINE_VI", "STATUS_VI"]
