"""Read many bundles at once and decide in memory which revision counts (nothing is stored).

`read_source` is the one per-file check the upper level's store uses too (nq57desk.upper): every safety check of
the bundle, the package's manifest hash, the province, then validation of the report. `collect` reads a whole set
of inputs into a CollectResult: a preview, the benchmark, and outputs that need no store.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from nq57desk.aggregate.decide import (
    LATE_DAYS,
    LINE_VI,
    STATUS_VI,
    CommuneStatus,
    Decision,
    Group,
    Line,
    Submission,
    decide,
    group_provinces,
    groups_of,
    is_late,
    make_group,
)
from nq57desk.aggregate.sources import Source, list_sources
from nq57desk.bundle.format import BundleError
from nq57desk.bundle.reader import BundleResult, read_bundle
from nq57desk.bundle.safefile import sha256_bytes
from nq57desk.errors import NQError
from nq57desk.report.document import period_code, period_title
from nq57desk.units import communes, provinces


@dataclass
class CollectResult:
    lines: list[Line]
    chosen: dict[tuple[str, str, str], Submission]  # (commune code, template id, period code) → the one used
    history: list[Submission]  # older revisions, replaced by a newer one
    conflicts: list[list[Line]]
    completeness: list[CommuneStatus]  # per group: the chosen province's communes, or those of the group's provinces
    dry_run: bool = False
    decisions: dict | None = None
    province: str | None = None

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for x in self.lines:
            out[x.status] = out.get(x.status, 0) + 1
        for c in self.completeness:
            out[f"communes_{c.status}"] = out.get(f"communes_{c.status}", 0) + 1
        return out

    def groups(self) -> list[tuple[str, str]]:
        """(template id, period code) pairs present, the most reported first."""
        return groups_of(self.decisions or {})

    def group(self, template: str, period: str) -> Group:
        """Everything one consolidated output of this template and period needs."""
        units = _units(self.decisions or {}, template, period, self.province)
        lines = [ln for ln in self.lines if (ln.template, ln.period) == (template, period) or
                 ln.status in ("rejected", "skipped")]
        return make_group(self.decisions or {}, template, period, units, lines)


def check_province(code) -> str | None:
    """The two-digit code of a province on the official list; NQError (Vietnamese) for anything else."""
    if code is None or str(code).strip() == "":
        return None
    text = str(code).strip()
    if not text.isdigit():
        raise NQError(f"mã tỉnh «{text}» không hợp lệ: mã tỉnh là số, ví dụ 19 (Thái Nguyên) hoặc 31 (Hải Phòng).")
    pc = f"{int(text):02d}"
    if pc not in dict(provinces()):
        raise NQError(f"không có tỉnh, thành phố mã «{text}» trong danh mục 34 tỉnh, thành phố năm 2025.")
    return pc


def _units(decisions, tid: str, pc: str, province: str | None):
    provs = [province] if province else group_provinces(decisions, tid, pc)
    return [u for p in provs for u in communes(p)]


# -- one file -------------------------------------------------------------------------------------------------------

def read_source(src: Source, registry, *, province: str | None = None, validate=None, zips: dict | None = None,
                keep: bool = True) -> Submission | Line:
    """Check one input; a Submission (its line says "accepted" until decided) or a rejected/skipped Line.

    keep: keep the document (compressed) in the submission; without it only the decision can be made.
    """
    if src.skip:
        return Line(src.name, "skipped", src.skip, "skipped")
    try:
        return _read_source(src, registry, province=province, validate=validate, zips=zips, keep=keep)
    except MemoryError:
        return Line(src.name, "rejected", f"Tệp «{src.name}»: tệp cần quá nhiều bộ nhớ để đọc; từ chối để bảo vệ máy.",
                    "memory")
    except RecursionError:
        return Line(src.name, "rejected", f"Tệp «{src.name}»: dữ liệu trong tệp lồng quá sâu; từ chối.", "too_deep")
    except Exception as e:  # noqa: BLE001 - one file's content, whatever it is, must never stop the batch
        return Line(src.name, "rejected", f"Tệp «{src.name}»: không đọc được tệp ({type(e).__name__}); tệp có thể "
                    "đã bị sửa hoặc hỏng, hãy đề nghị xã xuất lại gói.", "unexpected")


def _read_source(src: Source, registry, *, province, validate, zips, keep) -> Submission | Line:
    try:
        if src.error is not None:
            raise src.error
        data = src.read(zips)
        if src.expected and data is not None and sha256_bytes(data) != src.expected:
            raise _manifest_mismatch(src.name)
        res = read_bundle(src.path if src.path is not None else src.name, registry, data=data)
        if src.expected and res.sha256 != src.expected:
            raise _manifest_mismatch(src.name)
        if src.manifest is not None:
            _check_package_signature(src)
        if province and res.doc["commune"].get("province_code") != province:
            raise BundleError("other_province", f"báo cáo của {res.doc['commune'].get('name')} "
                              f"({res.doc['commune'].get('province_name')}), không thuộc tỉnh đang tổng hợp.", src.name)
    except BundleError as e:
        if e.reason == "consolidated":
            return Line(src.name, "skipped", e.problem, e.reason)
        if e.reason == "no_bundle":  # a folder or a zip: the line names it already
            return Line(src.name, "rejected", e.problem[:1].upper() + e.problem[1:], e.reason)
        return Line(src.name, "rejected", str(e), e.reason)
    sub = submission_of(src.name, res)
    check_findings(sub, res.doc, validate)
    if keep:
        sub.pack(res.json_text)
    return sub


def _check_package_signature(src: Source) -> None:
    """A package's manifest.json must be signed and its signature hold (bundle.signing). Its key may differ from
    the bundle's: a USB folder that already held another commune's package lists both, signed by the last one."""
    from nq57desk.bundle.signing import check_manifest, manifest_problem

    _signer, reason = check_manifest(src.manifest)
    if reason is not None:
        raise BundleError(reason, manifest_problem(reason), src.name)


def _manifest_mismatch(name: str) -> BundleError:
    return BundleError("manifest_mismatch", "tệp khác với mã kiểm tra trong manifest.json (hỏng khi chép?); hãy chép lại.",
                       name)


def submission_of(name: str, res: BundleResult) -> Submission:
    d = res.doc
    line = Line(name, "accepted", "", "", d["commune"]["code"], d["commune"].get("name", ""), res.template_ref[0],
                period_code(d["period"]), d.get("revision"), res.exported_at, res.json_sha256, str(d.get("status") or ""),
                period_label=period_title(d["period"]))
    return Submission(line, res.template, d["commune"], d["period"], int(d.get("revision") or 1), res.exported_at,
                      res.json_sha256, str(d.get("status") or ""), late=is_late(res.exported_at, d["period"]),
                      file_sha256=res.sha256, app_version=res.app_version, signed=res.signed)


def validator() -> Callable | None:
    try:
        from nq57desk.validation import validate
    except ImportError:
        return None
    return validate


def check_findings(s: Submission, doc: dict, validate) -> None:
    """Count the validation findings of a report (nq57desk.validation, when it is installed); an error the commune
    wrote a giải trình for is counted in `explained` too, and its message is not among the first few shown."""
    if validate is None:
        return
    from nq57desk.validation import explanation
    try:
        findings = validate(s.template, doc)
    except Exception as e:  # noqa: BLE001 - one odd report must not stop an import of hundreds
        s.errors, s.findings = 1, [f"không kiểm tra được báo cáo ({type(e).__name__}: {e})"]
        return
    for f in findings or ():
        sev = getattr(f, "severity", "error")
        if sev == "error":
            s.errors += 1
            if explanation(doc, f):
                s.explained += 1
            elif len(s.findings) < 5:
                s.findings.append(str(getattr(f, "message", f)))
        elif sev == "warning":
            s.warnings += 1


def duplicate_of(sub: Submission, known: dict[tuple, Line]) -> Line | None:
    """The line of a bundle with the same report, revision and content already received."""
    return known.get((*sub.key, sub.revision, sub.json_sha256))


# -- many files -----------------------------------------------------------------------------------------------------

def collect(paths, registry, *, province=None, dry_run: bool = False, progress=None,
            cancelled: Callable[[], bool] | None = None) -> CollectResult:
    """Read every bundle in `paths` (files, folders, .zip packages) and decide which revision counts.

    province: the province whose communes are checked for completeness (None: per group, the provinces its
    bundles come from). dry_run: decide and report everything, but keep no documents in the result.
    progress: optional callable(done, total, name). cancelled: optional callable; True stops before the next file.
    """
    pc = check_province(province)
    validate = validator()
    srcs = list_sources(paths)
    lines: list[Line] = []
    subs: list[Submission] = []
    known: dict[tuple, Line] = {}
    zips: dict = {}
    try:
        for i, src in enumerate(srcs):
            if cancelled is not None and cancelled():
                lines += [Line(s.name, "skipped", "chưa đọc: đã hủy.", "cancelled") for s in srcs[i:]]
                break
            if progress:
                progress(i, len(srcs), src.name)
            got = read_source(src, registry, province=pc, validate=validate, zips=zips, keep=not dry_run)
            if isinstance(got, Line):
                lines.append(got)
                continue
            dup = duplicate_of(got, known)
            if dup is not None:
                got.line.status, got.line.message = "duplicate", f"cùng nội dung với «{dup.source}»."
                lines.append(got.line)
                continue
            known[(*got.key, got.revision, got.json_sha256)] = got.line
            lines.append(got.line)
            subs.append(got)
    finally:
        for zf in zips.values():
            zf.close()
    return result_of(lines, subs, pc, dry_run)


def result_of(lines: list[Line], subs: list[Submission], pc: str | None, dry_run: bool) -> CollectResult:
    decisions = decide(subs)
    chosen = {k: d.used for k, d in decisions.items() if d.used is not None}
    history = [s for d in decisions.values() for s in d.history]
    conflicts = [[s.line for s in d.conflict] for d in decisions.values() if d.conflict]
    completeness = all_completeness(decisions, pc)
    return CollectResult(lines, chosen, history, conflicts, completeness, dry_run, decisions, pc)


def all_completeness(decisions: dict[tuple, Decision], pc: str | None) -> list[CommuneStatus]:
    """Completeness of every group present (of the chosen province only, or of each group's own provinces)."""
    from nq57desk.aggregate.decide import commune_statuses

    groups = groups_of(decisions)
    if not groups:
        return commune_statuses(communes(pc), "", "", {}) if pc else []
    out = []
    for tid, per in sorted(groups):
        out += commune_statuses(_units(decisions, tid, per, pc), tid, per, decisions)
    return out


__all__ = ["collect", "read_source", "check_province", "CollectResult", "Line", "Submission", "CommuneStatus",
           "is_late", "LINE_VI", "STATUS_VI", "LATE_DAYS"]
