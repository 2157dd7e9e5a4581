"""DOCX export speed: the styled Decree 30 renderer against bare python-docx writing the same text.

    /tmp/venv/bin/python bench/export.py [REPORT.json] [--reps N]

Takes the largest golden report in tests/fixtures/reports (or the synthetic render sample when none is there),
builds its document tree once, then times, alternating, (a) render_docx of the tree into memory and (b) the same
words written with bare python-docx: one unstyled paragraph per line and every table as a plain table filled with
add_row().cells. Prints the medians, the ratio (target < 1.5×) and the end-to-end export_docx time to a file
(target < 1 s).
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nq57desk.render.docx import export_docx, render_docx  # noqa: E402
from nq57desk.render.tree import DocTree, Heading, Para, Table, build  # noqa: E402
from nq57desk.report.document import loads  # noqa: E402
from nq57desk.templates import Registry, load_template  # noqa: E402


def pick_report(arg: str | None):
    """(label, template, document): the given report, the largest golden fixture, or the synthetic sample."""
    if arg:
        doc = loads(Path(arg).read_bytes())
        return Path(arg).name, Registry().get(doc["template"]["id"], doc["template"]["version"]), doc
    reports = sorted((ROOT / "tests" / "fixtures" / "reports").glob("*.json"), key=lambda p: p.stat().st_size)
    if reports:
        doc = loads(reports[-1].read_bytes())
        return reports[-1].name, Registry().get(doc["template"]["id"], doc["template"]["version"]), doc
    from tests.test_render_docx import SAMPLE_TPL, sample_document

    tpl = load_template(SAMPLE_TPL)
    return "render_sample (synthetic)", tpl, sample_document(tpl)


def bare_docx(t: DocTree, out) -> None:
    """The same text with python-docx and no styling at all."""
    from docx import Document

    d = Document()
    add = d.add_paragraph
    for line in [*t.issuer, t.number_line, t.quoc_hieu, t.tieu_ngu, t.date_line, "BÁO CÁO", t.subject]:
        add(line)
    if t.kinh_gui is not None:
        add("Kính gửi:")
        for x in t.kinh_gui:
            add(f"- {x}")

    def nodes(ns):
        for n in ns:
            if isinstance(n, Table):
                if n.title:
                    add(n.title)
                ncols = len(n.widths)
                tbl = d.add_table(rows=0, cols=ncols)
                for r in range(n.header_rows):
                    cells = tbl.add_row().cells
                    for c in n.header:
                        if c.row == r:
                            cells[c.col].text = c.text
                for row in n.rows:
                    cells = tbl.add_row().cells
                    for i, v in enumerate(row.cells[:ncols]):
                        cells[i].text = v
            elif isinstance(n, Heading):
                if n.style in ("part", "part_roman"):
                    add(n.number)
                    add(n.title)
                else:
                    add(n.text)
            elif isinstance(n, Para):
                add(n.text)

    nodes(t.body)
    add("Nơi nhận:")
    for x in t.recipients:
        add(f"- {x}")
    for x in [*t.signature, t.signer]:
        add(x)
    if t.appendix_heading:
        add(t.appendix_heading)
        add(t.appendix_note)
    for a in t.appendices:
        add(a.label)
        add(a.title)
        if a.note:
            add(a.note)
        nodes(a.body)
    d.save(out)


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("report", nargs="?")
    ap.add_argument("--reps", type=int, default=9)
    a = ap.parse_args(argv)
    label, tpl, doc = pick_report(a.report)
    t_build = statistics.median(timed(lambda: build(tpl, doc)) for _ in range(3))
    tree = build(tpl, doc)
    n_para = sum(isinstance(n, (Para, Heading)) for n in tree.body) + sum(
        isinstance(n, (Para, Heading)) for ap_ in tree.appendices for n in ap_.body)
    n_cells = sum(len(n.rows) * len(n.widths) for ns in [tree.body] + [x.body for x in tree.appendices]
                  for n in ns if isinstance(n, Table))
    render_docx(tree, io.BytesIO())  # warm-up: imports, template parsing caches
    bare_docx(tree, io.BytesIO())
    styled, bare = [], []
    for i in range(a.reps):
        order = [("s", styled), ("b", bare)] if i % 2 == 0 else [("b", bare), ("s", styled)]
        for kind, acc in order:
            buf = io.BytesIO()
            acc.append(timed(lambda kind=kind, buf=buf: render_docx(tree, buf) if kind == "s" else bare_docx(tree, buf)))
    with tempfile.TemporaryDirectory() as d:
        e2e = statistics.median(timed(lambda: export_docx(tpl, doc, Path(d) / "bao_cao.docx")) for _ in range(5))
    ms, mb = statistics.median(styled), statistics.median(bare)
    print(f"report: {label}  ({n_para} paragraphs, {n_cells} table cells, {len(tree.appendices)} appendices)")
    print(f"tree build (median of 3):         {t_build * 1000:7.1f} ms")
    print(f"styled render_docx (median of {a.reps}): {ms * 1000:7.1f} ms")
    print(f"bare python-docx   (median of {a.reps}): {mb * 1000:7.1f} ms")
    print(f"ratio styled/bare:                {ms / mb:7.2f}x   (target < 1.5x)")
    print(f"export_docx to a file, end to end: {e2e * 1000:6.1f} ms  (target < 1000 ms)")
    return 0 if ms / mb < 1.5 and e2e < 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
