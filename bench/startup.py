"""Start-up time: nq57desk with the largest golden report open, against a bare PySide6 QMainWindow.

    python bench/startup.py [--runs N] [--frozen]

Imports the largest report of tests/fixtures/reports into a temporary data folder and marks it as the last one
open (so the app reopens it), then starts, alternating, N times each (after one warm-up of each):

  (a) a bare PySide6 QMainWindow: `python -c …` — QApplication, a 1280×720 QMainWindow, show();
  (b) nq57desk: `python -m nq57desk --data-dir D` with NQ57_STARTUP_PROBE=1.

Each is a fresh process; the time is measured from launching it to the line it prints when its window is first
shown (`startup_ms=`; nq57desk prints `report_ms=` with it when that first window already shows the report, read
by nq57desk.glimpse), and for nq57desk also to `ready_ms=` (the data folder open: integrity check, migrations,
start-up backup; the report editable). Prints the medians and the ratios (target: ≤ 1.5× the bare window).

Both run with compiled bytecode, as an installed app does: PYTHONDONTWRITEBYTECODE is dropped for the children
and their .pyc files go to a temporary PYTHONPYCACHEPREFIX (nothing is written into the source tree); the
warm-up run fills it.
"""

from __future__ import annotations

import sys
from pathlib import Path

# scripts in bench/ must never shadow the standard library
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BARE = r"""
import sys
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
w = QMainWindow()
w.setWindowTitle("bare")
w.resize(1280, 720)
w.show()
app.processEvents()
sys.stdout.write("startup_ms=0\n")
sys.stdout.flush()
"""


def prepare(folder: Path) -> tuple[int, str]:
    """A data folder holding the largest golden report, marked as the last one open."""
    from nq57desk.services import Desk

    reports = sorted((ROOT / "tests" / "fixtures" / "reports").glob("*.json"), key=lambda p: p.stat().st_size)
    if not reports:
        raise SystemExit("Không có báo cáo mẫu nào trong tests/fixtures/reports.")
    src = reports[-1]
    desk = Desk(folder)
    try:
        rid = desk.import_report(src.read_bytes())
        if desk.profile() is None:
            desk.save_profile({"commune_code": desk.document(rid)["commune"]["code"]})
    finally:
        desk.close()
    (folder / "nq57desk.ini").write_text(f"[session]\nlast_report={rid}\n", encoding="utf-8")
    return rid, src.name


def launch(cmd: list[str], env: dict, marks: tuple[str, ...]) -> dict[str, float]:
    """Wall-clock ms from launching the process to each probe line."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True, encoding="utf-8")
    out: dict[str, float] = {}
    try:
        for line in p.stdout:
            key = line.split("=", 1)[0].strip()
            if key in (*marks, "report_ms") and key not in out:
                out[key] = (time.perf_counter() - t0) * 1000
            if all(m in out for m in marks):
                break
        p.wait(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
    if not all(m in out for m in marks):
        raise SystemExit(f"Tiến trình không in {marks}: {p.stderr.read()[-2000:]}")
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--frozen", action="store_true",
                    help="time dist/nq57desk (build_scripts/build_linux.sh) against the frozen bare window that "
                         "bench/size.py builds (build/size-bench/dist/hello)")
    args = ap.parse_args(argv)
    exe = ".exe" if sys.platform == "win32" else ""
    frozen_app = ROOT / "dist" / "nq57desk" / f"nq57desk{exe}"
    frozen_bare = ROOT / "build" / "size-bench" / "dist" / "hello" / f"hello{exe}"
    if args.frozen and not (frozen_app.exists() and frozen_bare.exists()):
        raise SystemExit(f"Cần {frozen_app} và {frozen_bare}: chạy build_scripts/build_linux.sh rồi bench/size.py trước.")
    env = dict(os.environ)
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY") and sys.platform.startswith("linux"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryDirectory(prefix="nq57bench") as tmp:
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        data = Path(tmp) / "data"
        rid, name = prepare(data)
        app_cmd = [sys.executable, "-m", "nq57desk", "--data-dir", str(data)]
        bare_cmd = [sys.executable, "-c", BARE]
        if args.frozen:
            app_cmd = [str(frozen_app), "--data-dir", str(data)]
            bare_cmd = [str(frozen_bare), "--probe"]
        app_env = dict(env, NQ57_STARTUP_PROBE="1")
        launch(bare_cmd, env, ("startup_ms",))  # warm-up: OS file caches (and the template cache, uic's code)
        launch(app_cmd, app_env, ("startup_ms", "ready_ms"))
        bare, shown, ready, report = [], [], [], []
        for _ in range(args.runs):
            bare.append(launch(bare_cmd, env, ("startup_ms",))["startup_ms"])
            r = launch(app_cmd, app_env, ("startup_ms", "ready_ms"))
            shown.append(r["startup_ms"])
            ready.append(r["ready_ms"])
            if "report_ms" in r:
                report.append(r["report_ms"])
    b, s, r = statistics.median(bare), statistics.median(shown), statistics.median(ready)
    print(f"{'frozen onedir' if args.frozen else 'source'}; report: {name} (id {rid}); {args.runs} runs each, "
          "medians, launch → …")
    print(f"bare PySide6 QMainWindow shown            {b:7.0f} ms")
    if len(report) == len(shown):
        print(f"nq57desk window shown, report open        {s:7.0f} ms   {s / b:.2f}× bare (target ≤ 1.5×)")
    else:
        print(f"nq57desk window shown (without the report) {s:7.0f} ms   {s / b:.2f}× bare")
    print(f"nq57desk data folder open, report editable {r:7.0f} ms   {r / b:.2f}× bare")
    return 0


if __name__ == "__main__":
    sys.exit(main())
