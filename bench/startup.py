"""Start-up where it counts: nq57desk against a comparable hand-written PySide6 window, and its frozen build's disk reads.

    python bench/startup.py [--runs N]            # (a) time, from source
    python bench/startup.py --frozen [--runs N]   # (b) files opened and bytes read, frozen onedir (Linux)

Both modes first import the largest report of tests/fixtures/reports into a temporary data folder and mark it as
the last one open (so the app reopens it).

(a) Time. Alternating, N times each after one warm-up of each, two fresh processes:
  - a comparable window written by hand with PySide6 (`python -c COMPARABLE`): QApplication, a 1280×720
    QMainWindow with a menu bar of 4 menus, a tool bar of 8 actions, a 25-item tree beside a 15-field form, a status
    bar; no data, no files. It pays what any real form pays on PySide6 (the first use of those classes, their
    enums, the first paint of ~60 widgets), which a bare empty QMainWindow does not;
  - nq57desk: `python -m nq57desk --data-dir D` with NQ57_STARTUP_PROBE=1.
  Each is timed from launching it to the line it prints when its window is first shown (`startup_ms=`; nq57desk
  prints `report_ms=` with it when that first window already shows the report, read by nq57desk.glimpse), and for
  nq57desk also to `editable_ms=` (the report takes input: with the glimpse at once, its edits kept until the
  folder is open) and `ready_ms=` (the data folder open: integrity check, migrations, start-up backup; edits
  saved). Targets: report shown ≤ 1.3× the comparable window, report editable ≤ 2.0×. Both run with compiled
  bytecode, as an installed app does: PYTHONDONTWRITEBYTECODE is dropped for the children and their .pyc files go
  to a temporary PYTHONPYCACHEPREFIX (nothing is written into the source tree); the warm-up run fills it.

(b) Disk, frozen: dist/nq57desk (build_scripts/build_linux.sh; --app another build) until its report takes input
  (`editable_ms`, as the bare window's start-up ends when it is shown) and until its data folder is open
  (`ready_ms`), against the frozen bare window that bench/size.py builds (build/size-bench/dist/hello, `--probe`;
  --bare another), alternating, N times each. What an old PC's hard disk pays at start-up:
  - files opened: the distinct paths of the successful open/openat calls of the process and its threads, seen by
    `strace -f` (one run each after a warm-up, apart from the timed ones): a disk pays a seek for a file the first
    time; the count of calls is shown too (PyInstaller's bootloader reopens the executable, which carries the
    Python archive, for every module it imports: cached, no disk read); «until editable» counts the opens logged
    before the process's write of its `editable_ms=` line;
  - bytes read from disk: the child's `ru_inblock` (os.wait4; Linux counts it from the block layer, so it includes
    shared libraries paged in through mmap; «until editable»: the same counter, /proc/PID/io read_bytes, when the
    line is read) after every file of the frozen folder, of the data folder and every file
    the strace run saw opened is dropped from the page cache (posix_fadvise DONTNEED: no root, nothing else
    evicted; pages another process has mapped stay, as they would on a real PC).
  Target: both ≤ 1.3× the frozen bare window's. Linux only (strace, posix_fadvise, ru_inblock); Windows has none
  of the three without extra tools (Process Monitor shows the files opened by hand).

Runs are interleaved A/B because this machine is shared: the medians and the spread (min–max) are printed, and the
ratio of each pair of runs, so a noisy run shows as one.
"""

from __future__ import annotations

import sys
from pathlib import Path

# scripts in bench/ must never shadow the standard library
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

COMPARABLE = r"""
import sys
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QApplication, QComboBox, QDoubleSpinBox, QFormLayout, QLineEdit, QMainWindow,
                               QPlainTextEdit, QScrollArea, QSpinBox, QSplitter, QTreeWidget, QTreeWidgetItem, QWidget)

app = QApplication(sys.argv[:1])
w = QMainWindow()
w.setWindowTitle("Báo cáo")
w.resize(1280, 720)
bar = w.menuBar()
for title in ("Tệp", "Sửa", "Xem", "Trợ giúp"):
    menu = bar.addMenu(title)
    for i in range(6):
        act = QAction(f"{title} mục {i + 1}", w)
        act.setShortcut(QKeySequence(f"Ctrl+Shift+{i + 1}"))
        menu.addAction(act)
tools = w.addToolBar("Công cụ")
for name in ("Mới", "Mở", "Lưu", "Hoàn tác", "Làm lại", "Tìm", "Xuất", "In"):
    tools.addAction(QAction(name, w))
tree = QTreeWidget()
tree.setHeaderHidden(True)
for i in range(5):
    top = QTreeWidgetItem(tree, [f"{'IVX'[i % 3]}. Phần thứ {i + 1} của báo cáo"])
    for j in range(4):
        QTreeWidgetItem(top, [f"{j + 1}. Mục {j + 1} của phần {i + 1}"])
tree.expandAll()
form_host = QWidget()
form = QFormLayout(form_host)
for i in range(15):
    kind = i % 5
    if kind == 0:
        field = QLineEdit()
        field.setPlaceholderText("Nhập nội dung")
    elif kind == 1:
        field = QSpinBox()
        field.setRange(0, 10**9)
    elif kind == 2:
        field = QDoubleSpinBox()
        field.setSuffix(" %")
    elif kind == 3:
        field = QComboBox()
        field.addItems(["Chưa", "Đang làm", "Xong"])
    else:
        field = QPlainTextEdit()
        field.setMaximumHeight(80)
    form.addRow(f"Chỉ tiêu {i + 1}", field)
scroll = QScrollArea()
scroll.setWidgetResizable(True)
scroll.setWidget(form_host)
split = QSplitter(Qt.Orientation.Horizontal)
split.addWidget(tree)
split.addWidget(scroll)
w.setCentralWidget(split)
w.statusBar().showMessage("Sẵn sàng")
w.show()
app.processEvents()
import time
sys.stdout.write(f"startup_ms=0\nstartup_cpu_ms={round(time.process_time() * 1000)}\n")
sys.stdout.flush()
"""


def prepare(folder: Path) -> tuple[int, str]:
    """A data folder holding the largest golden report, marked as the last one open."""
    from bench._common import largest_report
    from nq57desk.services import Desk

    src = largest_report()
    desk = Desk(folder)
    try:
        rid = desk.import_report(src.read_bytes())
        if desk.profile() is None:
            desk.save_profile({"commune_code": desk.document(rid)["commune"]["code"]})
    finally:
        desk.close()
    (folder / "nq57desk.ini").write_text(f"[session]\nlast_report={rid}\n", encoding="utf-8")
    return rid, src.name


def launch(cmd: list[str], env: dict, marks: tuple[str, ...], prefix: list[str] | None = None) -> dict[str, float]:
    """Wall-clock ms from launching the process to each probe line, the CPU ms it prints (`startup_cpu_ms`), and
    once it has exited by itself (both programs quit after their last probe line) its whole CPU time (`cpu_ms`)
    and the bytes it read from disk (`inblock_bytes`, Linux)."""
    t0 = time.perf_counter()
    p = subprocess.Popen([*(prefix or []), *cmd], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
                         encoding="utf-8")
    out: dict[str, float] = {}
    watchdog = threading.Timer(120, p.kill)  # a child that never quits would hang the read below
    watchdog.start()
    try:
        for line in p.stdout:
            key = line.split("=", 1)[0].strip()
            if key in (*marks, "report_ms", "editable_ms") and key not in out:
                out[key] = (time.perf_counter() - t0) * 1000
                cpu = _cpu_now(p.pid)
                if cpu is not None:
                    out[f"cpu_at_{key}"] = cpu
                read = _read_bytes_now(p.pid)
                if read is not None:
                    out[f"read_at_{key}"] = read
            elif key == "startup_cpu_ms":
                out[key] = float(line.split("=", 1)[1])
        if hasattr(os, "wait4"):
            _, status, usage = os.wait4(p.pid, 0)
            p.returncode = os.waitstatus_to_exitcode(status)
            out["inblock_bytes"] = usage.ru_inblock * 512
            out["cpu_ms"] = (usage.ru_utime + usage.ru_stime) * 1000
        else:
            p.wait(timeout=60)
    finally:
        watchdog.cancel()
        if p.poll() is None:
            p.kill()
            p.wait()
    if not all(m in out for m in marks):
        raise SystemExit(f"Tiến trình không in {marks}: {p.stderr.read()[-2000:]}")
    p.stderr.close()
    return out


def _cpu_now(pid: int) -> float | None:
    """CPU ms (user + system, all threads) the process has used so far (Linux; 10 ms ticks), or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def _read_bytes_now(pid: int) -> float | None:
    """Bytes the process (all threads) has made the block layer fetch so far (Linux /proc/PID/io), or None."""
    try:
        for line in Path(f"/proc/{pid}/io").read_text().splitlines():
            if line.startswith("read_bytes:"):
                return float(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def spread(values: list[float], fmt: str = "{:.0f}") -> str:
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def ratios(num: list[float], den: list[float]) -> list[float]:
    return [n / d for n, d in zip(num, den, strict=True)]


def verdict(ratio: float, target: float) -> str:
    return f"{ratio:.2f}× (target ≤ {target}×: {'met' if ratio <= target else 'NOT met'})"


def time_source(args, env, data: Path, rid: int, name: str) -> None:
    app_cmd = [sys.executable, "-m", "nq57desk", "--data-dir", str(data)]
    comp_cmd = [sys.executable, "-c", COMPARABLE]
    app_env = dict(env, NQ57_STARTUP_PROBE="1")
    launch(comp_cmd, env, ("startup_ms",))  # warm-up: OS file caches, bytecode (and the template cache, uic's code)
    launch(app_cmd, app_env, ("startup_ms", "ready_ms"))
    comp, shown, editable, ready, report = [], [], [], [], []
    cpu_comp, cpu_shown, cpu_editable, cpu_ready = [], [], [], []
    for i in range(args.runs):
        order = [0, 1] if i % 2 == 0 else [1, 0]  # ABBA: neither always runs first after the other
        for which in order:
            if which == 0:
                r = launch(comp_cmd, env, ("startup_ms",))
                comp.append(r["startup_ms"])
                cpu_comp.append(r["startup_cpu_ms"])
            else:
                r = launch(app_cmd, app_env, ("startup_ms", "ready_ms"))
                shown.append(r["startup_ms"])
                ready.append(r["ready_ms"])
                editable.append(r.get("editable_ms", r["ready_ms"]))  # an app without the line: editable when ready
                cpu_shown.append(r["startup_cpu_ms"])
                if "cpu_at_ready_ms" in r:
                    cpu_ready.append(r["cpu_at_ready_ms"])
                    cpu_editable.append(r.get("cpu_at_editable_ms", r["cpu_at_ready_ms"]))
                if "report_ms" in r:
                    report.append(r["report_ms"])
    c, s, e = statistics.median(comp), statistics.median(shown), statistics.median(editable)
    print(f"source; report: {name} (id {rid}); {args.runs} runs each, interleaved; launch → …, ms, median (min–max)")
    print(f"  comparable PySide6 window shown            {spread(comp):>16}")
    what = "report shown" if len(report) == len(shown) else "window shown WITHOUT the report"
    print(f"  nq57desk {what:<34}{spread(shown):>16}   {verdict(s / c, 1.3)}; "
          f"per pair {spread(ratios(shown, comp), '{:.2f}')}")
    print(f"  nq57desk report editable                   {spread(editable):>16}   {verdict(e / c, 2.0)}; "
          f"per pair {spread(ratios(editable, comp), '{:.2f}')}")
    print(f"  nq57desk data folder open (edits saved)    {spread(ready):>16}   "
          f"{statistics.median(ready) / c:.2f}×; per pair {spread(ratios(ready, comp), '{:.2f}')}")
    # CPU time (all threads) is far less sensitive than wall time to other work on a shared machine
    cc = statistics.median(cpu_comp)
    print(f"  CPU ms: comparable window shown {spread(cpu_comp)}; nq57desk report shown {spread(cpu_shown)} "
          f"{statistics.median(cpu_shown) / cc:.2f}×", end="")
    if cpu_ready:
        print(f", report editable {spread(cpu_editable)} {statistics.median(cpu_editable) / cc:.2f}×, data folder open "
              f"{spread(cpu_ready)} {statistics.median(cpu_ready) / cc:.2f}×", end="")
    print()


def strace_opens(cmd: list[str], env: dict, marks: tuple[str, ...], until: str) -> tuple[int, set[str], set[str]]:
    """Successful open/openat calls of one run (all threads), the distinct paths, and the distinct paths opened
    before the process wrote its probe line `until=` (strace logs the write to stdout in order with the opens)."""
    with tempfile.TemporaryDirectory(prefix="nq57strace") as tmp:
        log = Path(tmp) / "trace"
        launch(cmd, env, marks, prefix=["strace", "-f", "-qq", "-e", "trace=open,openat,openat2,write",
                                        "-e", "status=successful", "-s", "64", "-o", str(log)])
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    calls, paths, before, seen_mark = 0, set(), set(), False
    for line in lines:
        call = line.split(None, 1)[-1] if line[:1].isdigit() else line  # "PID call(...)" with -f
        if call.startswith("write(1, "):
            seen_mark = seen_mark or f"{until}=" in call
            continue
        if not call.startswith(("open(", "openat(", "openat2(")):
            continue
        calls += 1
        _, _, rest = line.partition('"')
        if rest:
            paths.add(rest.partition('"')[0])
            if not seen_mark:
                before.add(rest.partition('"')[0])
    return calls, paths, before


def evict(paths: set[str], folders: list[Path]) -> None:
    """Drop these files from the page cache (what a cold start of a PC reads again)."""
    files = {Path(p) for p in paths}
    for folder in folders:
        files.update(p for p in folder.rglob("*"))
    for p in files:
        try:
            if not p.is_file():
                continue
            fd = os.open(p, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def disk_frozen(args, env, data: Path, rid: int, name: str) -> None:
    frozen_app, frozen_bare = args.app.resolve(), args.bare.resolve()
    if not (frozen_app.exists() and frozen_bare.exists()):
        raise SystemExit(f"Cần {frozen_app} và {frozen_bare}: chạy build_scripts/build_linux.sh rồi bench/size.py trước.")
    if not (sys.platform.startswith("linux") and shutil.which("strace") and hasattr(os, "posix_fadvise")):
        raise SystemExit("--frozen đo số tệp mở và số byte đọc từ đĩa bằng strace, posix_fadvise, ru_inblock: "
                         "chỉ có trên Linux (apt-get install strace).")
    app_cmd, app_marks = [str(frozen_app), "--data-dir", str(data)], ("startup_ms", "ready_ms")
    bare_cmd, bare_marks = [str(frozen_bare), "--probe"], ("startup_ms",)
    app_env = dict(env, NQ57_STARTUP_PROBE="1")
    launch(bare_cmd, env, bare_marks)  # warm-up: the first frozen run fills the data folder's caches
    launch(app_cmd, app_env, app_marks)
    app_calls, app_paths, app_editable_paths = strace_opens(app_cmd, app_env, app_marks, "editable_ms")
    bare_calls, bare_paths, _ = strace_opens(bare_cmd, env, bare_marks, "startup_ms")
    everything = app_paths | bare_paths
    folders = [frozen_app.parent, frozen_bare.parent, data]
    app_bytes, bare_bytes, app_ms, bare_ms, app_editable_bytes, app_editable_ms = [], [], [], [], [], []
    for i in range(args.runs):
        for which in ([0, 1] if i % 2 == 0 else [1, 0]):
            os.sync()
            evict(everything, folders)
            if which == 0:
                r = launch(bare_cmd, env, bare_marks)
                bare_bytes.append(r["inblock_bytes"] / 2**20)
                bare_ms.append(r["startup_ms"])
            else:
                r = launch(app_cmd, app_env, app_marks)
                app_bytes.append(r["inblock_bytes"] / 2**20)
                app_ms.append(r["ready_ms"])
                app_editable_ms.append(r["editable_ms"])
                if "read_at_editable_ms" in r:
                    app_editable_bytes.append(r["read_at_editable_ms"] / 2**20)
    print(f"frozen onedir, cold page cache for their files; report: {name} (id {rid}); {args.runs} runs each, "
          "interleaved; median (min–max)")
    b, a = statistics.median(bare_bytes), statistics.median(app_bytes)
    n = len(bare_paths)
    print(f"  files opened (strace, one run)    bare window {n:5d}   nq57desk to report editable "
          f"{len(app_editable_paths):5d}   {verdict(len(app_editable_paths) / n, 1.3)}")
    print(f"  {'':<34}{'':<17}nq57desk to folder open   {len(app_paths):5d}   {verdict(len(app_paths) / n, 1.3)}")
    print(f"  open calls (same run)             bare window {bare_calls:5d}   nq57desk to folder open {app_calls:5d}   "
          f"{app_calls / bare_calls:.2f}× (PyInstaller reopens its archive for each module it imports)")
    if app_editable_bytes:
        e = statistics.median(app_editable_bytes)
        print(f"  MB read from disk                 bare window {spread(bare_bytes, '{:.1f}')}   "
              f"nq57desk to report editable {spread(app_editable_bytes, '{:.1f}')}   {verdict(e / b, 1.3)}")
    print(f"  {'':<34}{'':<32}nq57desk to folder open {spread(app_bytes, '{:.1f}')}   {verdict(a / b, 1.3)}")
    print(f"  ms, cold (for scale only)         bare window {spread(bare_ms)}   nq57desk to report editable "
          f"{spread(app_editable_ms)}, to folder open {spread(app_ms)}")
    extra = sorted(app_paths - bare_paths)
    if args.list_files:
        print(f"  the {len(extra)} files nq57desk opens that the bare window does not ('*': before the report is editable):")
        for f in extra:
            print(f"    {'*' if f in app_editable_paths else ' '} {f}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--frozen", action="store_true",
                    help="files opened and bytes read by dist/nq57desk (build_scripts/build_linux.sh) against the "
                         "frozen bare window that bench/size.py builds (build/size-bench/dist/hello); Linux")
    exe = ".exe" if sys.platform == "win32" else ""
    ap.add_argument("--app", type=Path, default=ROOT / "dist" / "nq57desk" / f"nq57desk{exe}",
                    help="--frozen: the frozen app's executable (default: dist/nq57desk/nq57desk)")
    ap.add_argument("--bare", type=Path, default=ROOT / "build" / "size-bench" / "dist" / "hello" / f"hello{exe}",
                    help="--frozen: the frozen bare window's executable (default: bench/size.py's)")
    ap.add_argument("--list-files", action="store_true", help="--frozen: list the files only nq57desk opens")
    args = ap.parse_args(argv)
    env = dict(os.environ)
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY") and sys.platform.startswith("linux"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    from bench._common import machine

    print(machine())
    with tempfile.TemporaryDirectory(prefix="nq57bench") as tmp:
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        data = Path(tmp) / "data"
        rid, name = prepare(data)
        (disk_frozen if args.frozen else time_source)(args, env, data, rid, name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
