"""`nq57desk aggregate`: import bundles into the upper level's store, print one line per input, write the outputs.

A thin adapter for the command line (nq57desk/cli.py); the work is in nq57desk.upper. Outputs cover the
(template, period) groups the inputs belong to (or the one chosen with --template/--period), with every bundle
received for them so far, of the chosen province or of the provinces the group's bundles come from.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from nq57desk.aggregate.collect import check_province
from nq57desk.errors import NQError


class UsageError(NQError):
    """A bad argument: exit code 2, nothing imported or written."""


def check_output(path, suffix: str, what: str) -> Path:
    """An output file name the command can write: the right suffix, in a folder that exists."""
    p = Path(path)
    if p.suffix.lower() != suffix:
        raise UsageError(f"{what} phải là tệp {suffix} (đang là «{p.name}»).")
    if p.is_dir():
        raise UsageError(f"«{p}» là một thư mục; hãy ghi tên tệp {what.lower()}, ví dụ {p / ('tong_hop' + suffix)}.")
    if not p.parent.is_dir():
        raise UsageError(f"thư mục «{p.parent}» không có; hãy tạo thư mục trước hoặc chọn nơi ghi khác cho {what.lower()}.")
    return p


def run_aggregate(data_dir, inputs, output, *, province: str | None = None, template: str | None = None,
                  period: str | None = None, csv: str | None = None, docx: str | None = None, dry_run: bool = False,
                  out: Callable[[str], None] = print) -> int:
    """Exit code: 0 every input accepted (a duplicate or an older revision is fine), 1 some rejected or in conflict,
    or no bundle found at all. Bad arguments raise UsageError (exit 2) before anything is read."""
    pc = _province(province)
    xlsx = check_output(output, ".xlsx", "Bảng tổng hợp")
    csv_p = check_output(csv, ".csv", "Tệp CSV") if csv else None
    docx_p = check_output(docx, ".docx", "Báo cáo tổng hợp") if docx else None
    if dry_run:
        from nq57desk.upper import preview_import

        res = preview_import(data_dir, inputs, province=pc)
        _print_lines(res, out)
        if not res.bundles:
            return _nothing(out, res)
        written = ", ".join(str(x) for x in (xlsx, csv_p, docx_p) if x)
        out(f"(Chạy thử: chưa lưu gì vào cơ sở dữ liệu và chưa ghi {written}.)")
        return 0 if res.ok else 1
    from nq57desk.services import Desk

    desk = Desk(data_dir)
    try:
        upper = desk.upper()
        res = upper.import_bundles(inputs, province=pc)
        _print_lines(res, out)
        if res.backup:
            out(f"Đã sao lưu cơ sở dữ liệu trước khi nhập: {res.backup}")
        if not res.bundles:
            return _nothing(out, res)
        only = res.groups
        for p in upper.write_workbook(xlsx, province=pc, template=template, period=period, only=only):
            out(f"Đã ghi bảng tổng hợp: {p}")
        for tid, per in upper.chosen_groups(pc, template, period, only):
            from nq57desk.upper import completeness_line

            out(f"Mẫu {tid}, kỳ {per}: {completeness_line(upper.completeness(tid, per, pc))}")
        if docx_p:
            for p in upper.write_docx(docx_p, province=pc, template=template, period=period, only=only):
                out(f"Đã ghi báo cáo tổng hợp: {p}")
        if csv_p:
            n = upper.write_csv(csv_p, province=pc, template=template, period=period, only=only)
            out(f"Đã ghi tệp CSV (DHIS2): {csv_p} ({n} dòng số liệu)")
    finally:
        desk.close()
    return 0 if res.ok else 1


def _province(code) -> str | None:
    try:
        return check_province(code)
    except NQError as e:
        raise UsageError(str(e)) from None


def _print_lines(res, out) -> None:
    for ln in res.lines:
        who = f"{ln.commune_code} {ln.commune_name} {ln.period} lần {ln.revision}".strip() if ln.commune_code else ""
        out("\t".join(x for x in (ln.status_vi, ln.source, who, ln.message) if x))
    out(res.summary())


def _nothing(out, res) -> int:
    if any(ln.status == "rejected" and ln.reason != "no_bundle" for ln in res.lines):
        out("Không nhận được gói báo cáo nào (các tệp đều bị từ chối, xem lý do ở trên); chưa tổng hợp gì.")
    else:
        out("Không tìm thấy gói báo cáo NQ57 (.xlsx) nào trong các tệp, thư mục đã cho; chưa tổng hợp gì.")
    return 1
