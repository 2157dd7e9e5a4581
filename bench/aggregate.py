"""Aggregation speed and memory: collect() over one bundle per commune against a bare openpyxl read-only load.

    .venv/bin/python bench/aggregate.py [--communes N] [--workers W] [--regen] [--reps R]

1. Generates one bundle per commune (all 3,321 by default, the first N with --communes) into bench/_out/bundles/,
   from the golden reports in tests/fixtures/reports (cycled; the synthetic sample of tests/test_bundle.py when
   there are none): each commune's code and name from units, its figures a whole multiple of the fixture's (so
   parts still sum and numerators stay below denominators) and a few of its rates moved, every change kept only if
   the report still validates; its export time spread around the deadline; each signed with its commune's own
   Ed25519 key (derived from the commune code, so runs agree). Bundles already there are reused unless --regen
   (or unless they are unsigned, from before signing).
2. Times, alternating and each in a fresh process (so peak memory is the phase's own):
   bare     load_workbook(read_only=True) of every file and every row of every sheet (values only);
   collect  nq57desk.aggregate.collect() of the folder: every safety check, both SHA-256, the visible figures
            against the hidden document, the document checks, validation, dedupe and completeness.
   Prints the best times, the ratio (target ≤ 1.5×) and each phase's peak RSS (target < 500 MB); then, once, the
   import into the upper level's store (nq57desk.upper, a fresh data folder in bench/_out/data whose key registry
   was filled from the province's registry file first: one transaction per file, every signature verified against
   the commune's registered key), against the bare load (target ≤ 1.5×, peak < 500 MB), and the outputs from that store: every consolidated workbook, the DHIS2 CSV, the DOCX of the largest group.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

# never import from the script's own folder: its scripts must not shadow standard modules.
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(os.path.abspath(__file__))]

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "_out"
BUNDLES = OUT / "bundles"
DATA = OUT / "data"  # the upper level's data folder the import phase fills


def _registry_and_sources():
    from nq57desk.report.document import check_document, loads
    from nq57desk.templates import Registry

    reports = sorted((ROOT / "tests" / "fixtures" / "reports").glob("*.json"))
    reg = Registry()
    sources = []
    for p in reports:
        doc = loads(p.read_bytes())
        try:
            tpl = reg.get(doc["template"]["id"], doc["template"]["version"])
            check_document(doc, tpl)
        except Exception as e:  # noqa: BLE001 - a fixture not usable yet is skipped, not fatal
            print(f"  (bỏ qua {p.name}: {e})")
            continue
        sources.append((tpl, doc))
    if sources:
        return reg, sources, []
    import tempfile

    from tests.test_bundle import SAMPLE_YAML, make_doc

    d = Path(tempfile.mkdtemp(prefix="nq57-bench-tpl-"))
    (d / "thu-nghiem-goi.yaml").write_text(SAMPLE_YAML, encoding="utf-8")
    reg = Registry([d])
    tpl = reg.get("thu-nghiem-goi")
    return reg, [(tpl, make_doc(tpl))], [d]


def _scale(v, k: int, col_types: dict | None = None):
    """Whole numbers multiplied by k (parts still sum to their totals, numerators stay ≤ denominators)."""
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, int):
        return v * k
    if isinstance(v, dict):
        return {c: (_scale(x, k) if (col_types or {}).get(c, "integer") in ("integer", "money") else x)
                for c, x in v.items()}
    if isinstance(v, list):
        return [_scale(x, k, col_types) for x in v]
    return v


def _errors(tpl, doc) -> int:
    from nq57desk.validation import validate

    return sum(1 for f in validate(tpl, doc) if f.severity == "error")


def _vary(tpl, doc, unit, rng):
    """The report of another commune: its own code and name, its figures a whole multiple of the fixture's, then a
    few rates moved (a numerator set to a share of its denominator). Every change is kept only if the report still
    validates with no more errors than the fixture, so the statuses the import finds are real ones."""
    from nq57desk.aggregate.indicators import rate_parts
    from nq57desk.report.document import check_document
    from nq57desk.templates.expr import Name
    from nq57desk.templates.model import FieldsBlock, TableBlock
    from nq57desk.units import commune_dict

    d = copy.deepcopy(doc)
    d["commune"] = commune_dict(unit.code)
    name = d["commune"]["name"]
    d["header"]["issuer"] = ["ỦY BAN NHÂN DÂN", name.upper()]
    for prefix in ("Xã ", "Phường ", "Đặc khu "):
        if name.startswith(prefix):
            d["header"]["place"] = name[len(prefix):]
    base = _errors(tpl, doc)
    k = rng.choice([1, 2, 2, 3, 4])
    if k > 1:
        scaled = copy.deepcopy(d)
        for _ck, b in tpl.blocks():
            if isinstance(b, FieldsBlock):
                for x in b.fields:
                    if x.type in ("integer", "money") and not x.derived and x.key in scaled["values"]:
                        scaled["values"][x.key] = _scale(scaled["values"][x.key], k)
            elif isinstance(b, TableBlock) and b.key in scaled["values"]:
                types = {c.key: c.type for c in b.columns}
                v = scaled["values"][b.key]
                scaled["values"][b.key] = ({r: _scale(cells, k, types) for r, cells in v.items()} if isinstance(v, dict)
                                           else _scale(v, k, types))
        scaled["carried"] = {c: (x * k if isinstance(x, int) and not isinstance(x, bool) else x)
                             for c, x in (scaled.get("carried") or {}).items()}
        try:
            check_document(scaled, tpl)
            if _errors(tpl, scaled) <= base:
                d = scaled
        except Exception:  # noqa: BLE001 - a multiple the template refuses (a maximum): keep the fixture's figures
            pass
    moved = 0
    for fld in tpl.fields().values():  # each commune its own rates
        parts = rate_parts(fld.formula)
        if moved >= 3 or not parts or not all(isinstance(x, Name) for x in parts):
            continue
        n, dn = parts[0].path, parts[1].path
        den, num = d["values"].get(dn), d["values"].get(n)
        nf = tpl.field(n)
        if nf is None or nf.derived or nf.type != "integer" or not isinstance(den, int) or den <= 0 or \
                not isinstance(num, int):
            continue
        d["values"][n] = round(den * rng.uniform(0.6, 1.0))
        if _errors(tpl, d) > base:
            d["values"][n] = num
        else:
            moved += 1
    d["revision"] = rng.choice([1, 1, 1, 2])
    d["replaces"] = {"revision": d["revision"] - 1, "kind": "thay thế"} if d["revision"] > 1 else None
    check_document(d, tpl)
    return d


def commune_key(code: str):
    """The bench's key of one commune: each commune signs with its own, as on real PCs."""
    import hashlib

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(f"bench-{code}".encode()).digest())


def _registry_file(path: Path) -> Path:
    """The province's key registry for the bench's communes (what `nq57desk keys --import` reads)."""
    from nq57desk.bundle.signing import public_key_text
    from nq57desk.units import communes
    from nq57desk.upper.keys import registry_file

    path.write_bytes(registry_file([(u.code, public_key_text(commune_key(u.code)), "confirmed") for u in communes()]))
    return path


def _signed(f: Path) -> bool:
    import openpyxl

    wb = openpyxl.load_workbook(f, read_only=True)
    try:
        return any(r and r[0] == "signature" for r in wb["_data"].iter_rows(values_only=True, max_col=1))
    finally:
        wb.close()


def _gen_one(args):
    i, code = args
    from nq57desk.bundle.package import bundle_filename
    from nq57desk.bundle.writer import write_bundle
    from nq57desk.report.document import period_bounds
    from nq57desk.units import commune

    reg, sources, _ = _GEN
    tpl, doc = sources[i % len(sources)]
    rng = random.Random(i)
    d = _vary(tpl, doc, commune(code), rng)
    p = d["period"]
    end = dt.date.fromisoformat(p["end"]) if p.get("end") else period_bounds(p["kind"], p["year"], p.get("number"))[1]
    when = dt.datetime.combine(end, dt.time(9)) + dt.timedelta(days=rng.randint(1, 14), hours=rng.randint(0, 8))
    write_bundle(tpl, d, BUNDLES / bundle_filename(d, with_template=True), app_version="bench", exported_at=when,
                 key=commune_key(code))
    return i


_GEN = None


def _init_gen():
    global _GEN
    _GEN = _registry_and_sources()


def generate(n: int | None, workers: int, regen: bool) -> int:
    from multiprocessing import Pool

    from nq57desk.units import communes

    units = communes()
    units = units[:n] if n else units
    BUNDLES.mkdir(parents=True, exist_ok=True)
    existing = sorted(BUNDLES.glob("*.xlsx"))
    if existing and not regen and len(existing) == len(units) and _signed(existing[0]):
        print(f"Dùng lại {len(existing)} gói có sẵn trong {BUNDLES}")
        return len(existing)
    for f in existing:
        f.unlink()
    t = time.perf_counter()
    with Pool(workers, initializer=_init_gen) as pool:
        for k, _ in enumerate(pool.imap_unordered(_gen_one, list(enumerate(u.code for u in units)), chunksize=8), start=1):
            if k % 500 == 0:
                print(f"  đã tạo {k}/{len(units)} gói …", flush=True)
    print(f"Tạo {len(units)} gói: {time.perf_counter() - t:.1f} s ({workers} tiến trình)")
    made = len(list(BUNDLES.glob("*.xlsx")))
    if made != len(units):
        raise SystemExit(f"chỉ có {made}/{len(units)} gói trong {BUNDLES}: có tiến trình khác xóa tệp?")
    return len(units)


# -- phases, each in its own process -------------------------------------------------------------------------------

def _maxrss_mb() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r / 1024 if sys.platform != "darwin" else r / 1048576


def phase_bare() -> dict:
    import openpyxl

    files = sorted(BUNDLES.rglob("*.xlsx"))
    t, cpu = time.perf_counter(), time.process_time()
    cells = 0
    for f in files:
        wb = openpyxl.load_workbook(f, read_only=True)
        for ws in wb.worksheets:
            ws.reset_dimensions()
            for row in ws.iter_rows(values_only=True):
                cells += len(row)
        wb.close()
    return {"seconds": time.perf_counter() - t, "cpu": time.process_time() - cpu, "files": len(files), "cells": cells,
            "maxrss_mb": _maxrss_mb()}


def phase_collect() -> dict:
    from nq57desk.aggregate import collect

    reg, _sources, _tmp = _registry_and_sources()
    t, cpu = time.perf_counter(), time.process_time()
    res = collect([BUNDLES], reg)
    secs, cpu = time.perf_counter() - t, time.process_time() - cpu
    return {"seconds": secs, "cpu": cpu, "files": len(res.lines), "counts": res.counts(), "maxrss_mb": _maxrss_mb()}


def phase_import() -> dict:
    """Nhập vào kho của cấp trên (nq57desk.upper) trong một thư mục dữ liệu mới: mỗi tệp một giao dịch."""
    import shutil

    from nq57desk.services import Desk

    reg, _sources, tmp = _registry_and_sources()
    shutil.rmtree(DATA, ignore_errors=True)
    DATA.mkdir(parents=True)
    if tmp:  # the synthetic sample template: the store's registry must know it
        (DATA / "templates").mkdir()
        for f in tmp[0].iterdir():
            shutil.copy(f, DATA / "templates" / f.name)
    desk = Desk(DATA)
    try:
        desk.upper().import_keys(_registry_file(OUT / "khoa-cac-xa.json"))  # the province's registry, not timed
        t, cpu = time.perf_counter(), time.process_time()
        res = desk.upper().import_bundles([BUNDLES])
        secs, cpu = time.perf_counter() - t, time.process_time() - cpu
    finally:
        desk.close(backup=False)
    return {"seconds": secs, "cpu": cpu, "files": len(res.lines), "counts": res.counts(), "maxrss_mb": _maxrss_mb()}


def phase_outputs() -> dict:
    """The outputs from the store phase_import filled: one workbook per (template, period), the CSV, one DOCX."""
    from nq57desk.services import Desk

    desk = Desk(DATA, start_backup=False)
    try:
        up = desk.upper()
        groups = up.groups()
        t = time.perf_counter()
        books = up.write_workbook(OUT / "tong_hop.xlsx")
        t_wb = time.perf_counter() - t
        t = time.perf_counter()
        rows = up.write_csv(OUT / "dhis2.csv")
        t_csv = time.perf_counter() - t
        t = time.perf_counter()
        big = groups[0]
        up.write_docx(OUT / "bao_cao_tong_hop.docx", template=big.template, period=big.period)
        t_docx = time.perf_counter() - t
    finally:
        desk.close(backup=False)
    return {"workbook_seconds": t_wb, "workbooks": len(books), "reports": sum(g.reports for g in groups),
            "group": f"{big.template} {big.period}", "group_reports": big.reports, "docx_seconds": t_docx,
            "csv_seconds": t_csv, "csv_rows": rows, "maxrss_mb": _maxrss_mb()}


def _run_phase(name: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--phase", name], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"phase {name} failed:\n{out.stdout}\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--communes", type=int, default=None, help="only the first N communes (default: all 3,321)")
    ap.add_argument("--workers", type=int, default=max(1, os.cpu_count() or 1), help="processes generating bundles")
    ap.add_argument("--regen", action="store_true", help="write the bundles again")
    ap.add_argument("--reps", type=int, default=2, help="alternating timing rounds")
    ap.add_argument("--no-outputs", action="store_true", help="skip timing the consolidated workbook and CSV")
    ap.add_argument("--phase", choices=["bare", "collect", "import", "outputs"], help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.phase:
        phases = {"bare": phase_bare, "collect": phase_collect, "import": phase_import, "outputs": phase_outputs}
        print(json.dumps(phases[a.phase]()))
        return 0
    n = generate(a.communes, a.workers, a.regen)
    size = sum(f.stat().st_size for f in BUNDLES.glob("*.xlsx"))
    print(f"{n} gói, tổng {size / 1048576:.1f} MB")
    bare, coll = [], []
    for _ in range(a.reps):
        bare.append(_run_phase("bare"))
        coll.append(_run_phase("collect"))
    b = min(bare, key=lambda x: x["seconds"])
    c = min(coll, key=lambda x: x["seconds"])
    b_cpu, c_cpu = min(x["cpu"] for x in bare), min(x["cpu"] for x in coll)
    print()
    print(f"{'':28}{'thời gian':>12}{'CPU':>10}{'CPU/gói':>11}{'RSS đỉnh':>11}")
    for label, w, cpu, rss in (("openpyxl read-only (trần)", b["seconds"], b_cpu, max(x["maxrss_mb"] for x in bare)),
                               ("collect() đầy đủ kiểm tra", c["seconds"], c_cpu, max(x["maxrss_mb"] for x in coll))):
        print(f"{label:28}{w:>10.1f} s{cpu:>8.1f} s{1000 * cpu / n:>8.1f} ms{rss:>8.0f} MB")
    print(f"tỷ lệ collect / trần: {c['seconds'] / b['seconds']:.2f}× theo đồng hồ, {c_cpu / b_cpu:.2f}× theo CPU "
          f"(mục tiêu ≤ 1,5×); RSS đỉnh mục tiêu < 500 MB")
    print(f"(máy đang tải: {os.getloadavg()[0]:.1f} trên {os.cpu_count()} lõi; thời gian CPU ít bị ảnh hưởng hơn)")
    print(f"kết quả nhập: {c['counts']}")
    imp = _run_phase("import")
    print(f"nhập vào kho cấp trên (gói đã ký, kiểm tra chữ ký và khóa từng xã, mỗi tệp một giao dịch, "
          f"synchronous=FULL): {imp['seconds']:.1f} s, CPU {imp['cpu']:.1f} s ({imp['seconds'] / b['seconds']:.2f}× trần "
          f"theo đồng hồ, {imp['cpu'] / b_cpu:.2f}× theo CPU; mục tiêu ≤ 1,5×), RSS đỉnh {imp['maxrss_mb']:.0f} MB "
          f"(mục tiêu < 500 MB); {imp['counts']}")
    if not a.no_outputs:
        o = _run_phase("outputs")
        print(f"từ kho: {o['workbooks']} bảng tổng hợp ({o['reports']} báo cáo) {o['workbook_seconds']:.1f} s; "
              f"DOCX ({o['group_reports']} xã, mẫu {o['group']}) {o['docx_seconds']:.1f} s; write_csv "
              f"({o['csv_rows']} dòng) {o['csv_seconds']:.1f} s; RSS đỉnh {o['maxrss_mb']:.0f} MB")
    return 0


# -- hostile bundles (issue 15): what refusing each costs, every one read in a fresh process ------------------------

HOSTILE_KINDS = ("far_rows", "many_cells", "long_texts", "shared", "near_limits")
_READ_ONE = """
import json, resource, sys, time
from nq57desk.bundle.reader import read_bundle
from nq57desk.errors import NQError
from nq57desk.templates import Registry
reg = Registry()
t = time.perf_counter()
try:
    read_bundle(sys.argv[1], reg)
    verdict = "accepted"
except NQError as e:
    verdict = getattr(e, "reason", "refused")
print(json.dumps({"seconds": time.perf_counter() - t, "verdict": verdict,
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def hostile(size_mb: int = 20) -> int:
    """`python bench/aggregate.py --hostile [MB]`: bundles of about MB megabytes made to cost memory and time
    (tests/hostile.py: far rows in column XFD, many cells, long texts, a swollen shared-string table, and one just
    under every limit), each read by read_bundle in its own process: verdict, seconds, peak RSS (target < 300 MB
    and < 10 s for any input ≤ 20 MB)."""
    folder = OUT / "hostile"
    folder.mkdir(parents=True, exist_ok=True)
    # made in a process of their own: Linux carries a process's peak RSS across exec, so this one stays small
    make = ("import sys; from pathlib import Path; from tests.hostile import big_hostile; "
            "[big_hostile(Path(sys.argv[1]) / f'{k}.xlsx', k, int(sys.argv[2])) for k in sys.argv[3:]]")
    subprocess.run([sys.executable, "-c", make, str(folder), str(size_mb), *HOSTILE_KINDS], cwd=ROOT, check=True)
    print(f"{'gói độc hại':14}{'cỡ tệp':>10}{'kết quả':>16}{'thời gian':>12}{'RSS đỉnh':>11}")
    worst = 0.0
    for kind in HOSTILE_KINDS:
        p = folder / f"{kind}.xlsx"
        r = subprocess.run([sys.executable, "-c", _READ_ONE, str(p)], cwd=ROOT, capture_output=True, text=True,
                           check=True)
        got = json.loads(r.stdout.strip().splitlines()[-1])
        worst = max(worst, got["maxrss_mb"])
        print(f"{kind:14}{p.stat().st_size / 1048576:>7.1f} MB{got['verdict']:>16}{got['seconds']:>10.1f} s"
              f"{got['maxrss_mb']:>8.0f} MB")
    print(f"RSS đỉnh lớn nhất {worst:.0f} MB (mục tiêu < 300 MB); máy đang tải {os.getloadavg()[0]:.1f} trên "
          f"{os.cpu_count()} lõi")
    return 0 if worst < 300 else 1


if __name__ == "__main__":
    if "--hostile" in sys.argv:
        rest = [a for a in sys.argv[1:] if a != "--hostile"]
        sys.exit(hostile(int(rest[0]) if rest else 20))
    sys.exit(main())
