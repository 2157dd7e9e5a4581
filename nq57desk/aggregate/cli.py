"""`nq57desk aggregate`: collect bundles, print one line per input, write the consolidated workbook.

A thin adapter for the command line (nq57desk/cli.py); the work is in collect() and write_consolidated().
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from nq57desk.aggregate.collect import collect
from nq57desk.aggregate.workbook import write_consolidated


def run_aggregate(desk, inputs, output, *, province: str | None = None, dry_run: bool = False,
                  out: Callable[[str], None] = print) -> int:
    """Exit code: 0 every input accepted (or a duplicate/older revision), 1 some were rejected or in conflict.

    `desk` only lends its template registry. With dry_run nothing is written: the lines say what would happen.
    """
    res = collect([Path(p) for p in inputs], desk.registry, province=province, dry_run=dry_run)
    for ln in res.lines:
        who = f"{ln.commune_code} {ln.commune_name} {ln.period} lần {ln.revision}".strip() if ln.commune_code else ""
        out("\t".join(x for x in (ln.status_vi, ln.source, who, ln.message) if x))
    c = res.counts()
    out(f"Nhận {c.get('accepted', 0)}, trùng {c.get('duplicate', 0)}, bản cũ {c.get('replaced', 0)}, "
        f"xung đột {c.get('conflict', 0)}, từ chối {c.get('rejected', 0)}; xã đã nộp {c.get('communes_submitted', 0)}, "
        f"nộp muộn {c.get('communes_late', 0)}, có lỗi {c.get('communes_errors', 0)}, chưa nộp {c.get('communes_missing', 0)}.")
    if dry_run:
        out(f"(Chạy thử: chưa ghi {output}.)")
    else:
        write_consolidated(res, desk.registry, output)
        out(str(output))
    return 1 if c.get("rejected") or c.get("conflict") else 0
