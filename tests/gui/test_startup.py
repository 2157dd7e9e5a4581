"""`NQ57_STARTUP_PROBE=1`: the app prints when its window is first shown (and when the data folder is open), exits 0."""

from __future__ import annotations

import os
import subprocess
import sys


def test_startup_probe_reopens_last_report(tmp_path):
    from nq57desk.services import Desk
    from tests.conftest import REPORTS

    data = tmp_path / "data"
    d = Desk(data)
    rid = d.import_report((REPORTS / "003_phu_thinh.json").read_bytes())
    d.save_profile({"commune_code": "05800"})
    d.close()
    (data / "nq57desk.ini").write_text(f"[session]\nlast_report={rid}\n", encoding="utf-8")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", NQ57_STARTUP_PROBE="1")
    p = subprocess.run([sys.executable, "-m", "nq57desk", "--data-dir", str(data)], env=env, capture_output=True,
                       text=True, encoding="utf-8", timeout=120)
    assert p.returncode == 0, p.stderr
    lines = dict(line.split("=", 1) for line in p.stdout.split())
    assert int(lines["startup_ms"]) > 0 and int(lines["ready_ms"]) >= int(lines["startup_ms"])
    # the probe does not touch the settings of the data folder
    assert (data / "nq57desk.ini").read_text(encoding="utf-8").strip().endswith(f"last_report={rid}")
