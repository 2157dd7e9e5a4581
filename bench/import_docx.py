"""Word import speed: the largest seed written as .docx, imported, against python-docx's own open-and-walk.

    /tmp/venv/bin/python bench/import_docx.py [--reps N] [--habit bold|styles|auto]

Writes the largest seed (../shared/seeds) as a .docx in the chosen habit (tests/helpers/seeddocx.py), then times,
alternating, (a) the whole import (read, bounded checks, placing through the outline operations, figure
recognition, the document's strict check) and (b) python-docx opening the same file and reading every paragraph's
and every table cell's text. Prints the medians, the ratio (target ≤ 3×), the import time (target < 2 s) and the
peak memory of this process (target < 200 MB), as JSON on the last line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._common import machine, peak_rss_mb  # noqa: E402
from nq57desk.templates import Registry  # noqa: E402
from nq57desk.templates.catalogue import default_catalogue  # noqa: E402
from nq57desk.wordimport import import_word  # noqa: E402
from tests.helpers.seeddocx import write_seed_docx  # noqa: E402

SEEDS = ROOT.parent / "shared" / "seeds"


def walk(path: Path) -> int:
    """python-docx's own open and walk: every paragraph's and table cell's text."""
    import docx

    d = docx.Document(str(path))
    n = sum(len(p.text) for p in d.paragraphs)
    for t in d.tables:
        for row in t.rows:
            for c in row.cells:
                n += len(c.text)
    return n


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--habit", default="auto", choices=("bold", "styles", "auto"))
    args = ap.parse_args()
    seed = max(SEEDS.glob("*.txt"), key=lambda p: p.stat().st_size)
    tpls, cat = Registry().latest(), default_catalogue()
    with tempfile.TemporaryDirectory() as tmp:
        src = write_seed_docx(seed.read_text(encoding="utf-8"), Path(tmp) / f"{seed.stem}.docx", args.habit)
        imp_t, walk_t = [], []
        import_word(src, tpls, cat, template_id=None)  # warm: templates, catalogue, units parsed once
        walk(src)
        for _ in range(args.reps):
            t0 = time.perf_counter()
            imp = import_word(src, tpls, cat, template_id=None)
            imp_t.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            walk(src)
            walk_t.append(time.perf_counter() - t0)
        size = src.stat().st_size
    a, b = statistics.median(imp_t), statistics.median(walk_t)
    res = {"seed": seed.name, "habit": args.habit, "bytes": size, "template": imp.template.id,
           "import_s": round(a, 3), "python_docx_walk_s": round(b, 3), "ratio": round(a / b, 2),
           "peak_mb": round(peak_rss_mb(), 1), "machine": machine(),
           "ok": a < 2.0 and a <= 3 * b and peak_rss_mb() < 200}
    print(f"import {a * 1000:.0f} ms, python-docx open-and-walk {b * 1000:.0f} ms, ratio {a / b:.2f}× "
          f"(target ≤ 3×), peak {res['peak_mb']} MB")
    print(json.dumps(res, ensure_ascii=False))
    return 0 if res["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
