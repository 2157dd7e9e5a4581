"""Peak memory (RSS) of the app with its heaviest report open and exported, beside a bare PySide6 window.

    python bench/memory.py [--runs 3]

Each measurement is a fresh child process (Qt offscreen) that reports its own peak resident set size
(getrusage ru_maxrss on Linux, PeakWorkingSetSize on Windows):
  bare  QApplication + an empty QMainWindow, shown: what any PySide6 widgets app costs;
  app   the app's main window (nq57desk.gui) on a new data folder with the largest golden report
        (tests/fixtures/reports) imported and open in the editor, then «Xuất DOCX» and «Xuất Excel» through the
        window's own export path; without nq57desk.gui, the same work through the core only (Desk).
Budget: app < 200 MB on the officers' 4 GB PCs.
"""

from __future__ import annotations

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]  # scripts here must not shadow standard modules
sys.path.insert(0, os.path.dirname(_HERE))

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from bench._common import current_rss_mb, largest_report, machine, peak_rss_mb, run_child  # noqa: E402

BUDGET_MB = 200


def _stage(stages: dict, name: str) -> None:
    stages[name] = {"rss": current_rss_mb(), "peak": round(peak_rss_mb(), 1)}


def child_bare() -> dict:
    from PySide6.QtWidgets import QApplication, QMainWindow

    stages: dict = {}
    app = QApplication(sys.argv[:1])
    w = QMainWindow()
    w.resize(1366, 768)
    w.show()
    for _ in range(5):
        app.processEvents()
    _stage(stages, "window shown")
    return {"kind": "bare", "peak_mb": round(peak_rss_mb(), 1), "stages": stages}


def child_app() -> dict:
    stages: dict = {}
    report = largest_report()
    with tempfile.TemporaryDirectory(prefix="nq57-bench-mem-") as tmp:
        tmp = Path(tmp)
        if importlib.util.find_spec("nq57desk.gui.shell.mainwindow") is None:
            return _core_only(tmp, report, stages)
        from PySide6.QtCore import QEventLoop, QSettings, QTimer

        from nq57desk.gui import qtutil
        from nq57desk.gui.shell.app import make_app
        from nq57desk.gui.shell.mainwindow import MainWindow

        qtutil.DIALOG_HOOK = lambda kind, title, text, detail: False  # «Mở tệp ngay bây giờ?» → Không
        app = make_app()
        _stage(stages, "Qt app")
        from nq57desk.services import Desk

        desk = Desk(tmp / "data")
        desk.save_profile({"commune_code": json.loads(report.read_bytes())["commune"]["code"]})
        rid = desk.import_report(report.read_bytes())
        _stage(stages, "data folder open")
        win = MainWindow(desk.data_dir, desk=desk, settings=QSettings(str(tmp / "s.ini"), QSettings.IniFormat),
                         persist=False)
        win.resize(1366, 768)
        win.show()
        for _ in range(5):
            app.processEvents()
        _stage(stages, "home page shown")
        assert win.open_report(rid)
        for _ in range(10):
            app.processEvents()
        _stage(stages, "report open")
        for kind in ("docx", "xlsx"):
            out = tmp / f"out.{kind}"
            loop = QEventLoop()
            done: list[str] = []
            assert win.export(kind, str(out), ask_path=False), kind
            win.exporter.finished.connect(lambda p, loop=loop, done=done: (done.append(p), loop.quit()))
            QTimer.singleShot(120_000, loop.quit)
            if not done:
                loop.exec()
            if not done or not done[0] or not out.exists():
                raise SystemExit(f"export {kind} did not finish")
            _stage(stages, f"exported {kind}")
        win.close_report()
        win.close()
        desk.close()
    return {"kind": "app (GUI)", "report": report.name, "peak_mb": round(peak_rss_mb(), 1), "stages": stages}


def _core_only(tmp: Path, report: Path, stages: dict) -> dict:
    from nq57desk.services import Desk

    desk = Desk(tmp / "data")
    rid = desk.import_report(report.read_bytes())
    desk.validate(rid)
    _stage(stages, "report imported")
    desk.export_docx(rid, tmp / "out.docx")
    _stage(stages, "exported docx")
    desk.export_xlsx(rid, tmp / "out.xlsx")
    _stage(stages, "exported xlsx")
    desk.close()
    return {"kind": "app (core only: no nq57desk.gui)", "report": report.name, "peak_mb": round(peak_rss_mb(), 1),
            "stages": stages}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--child", choices=["bare", "app"], help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        print(json.dumps(child_bare() if args.child == "bare" else child_app()))
        return 0
    t0 = time.time()
    res: dict[str, list[dict]] = {"bare": [], "app": []}
    for _ in range(args.runs):  # interleaved: both see the same machine state
        for kind in ("bare", "app"):
            res[kind].append(run_child(Path(__file__), "--child", kind))
    bare = statistics.median(r["peak_mb"] for r in res["bare"])
    app = statistics.median(r["peak_mb"] for r in res["app"])
    last = res["app"][-1]
    print(f"machine: {machine()}")
    print(f"peak RSS, median of {args.runs} runs each (MB = 2^20 bytes), Qt offscreen")
    print(f"  bare PySide6 QMainWindow   {bare:7.1f} MB   runs {[r['peak_mb'] for r in res['bare']]}")
    print(f"  nq57desk {last['kind']:<17} {app:7.1f} MB   runs {[r['peak_mb'] for r in res['app']]}   "
          f"report {last['report']}")
    for name, st in last["stages"].items():
        rss = f"{st['rss']:.1f}" if st["rss"] is not None else "?"
        print(f"      {name:<16} RSS {rss:>6} MB, peak so far {st['peak']:6.1f} MB")
    print(f"  ratio app / bare           {app / bare:7.2f}×")
    print(f"  app above bare             {app - bare:7.1f} MB")
    verdict = "within" if app < BUDGET_MB else "OVER"
    print(f"  budget                     {BUDGET_MB:7d} MB   → {verdict} budget")
    print(f"({time.time() - t0:.0f} s)")
    return 0 if app < BUDGET_MB else 1


if __name__ == "__main__":
    sys.exit(main())
