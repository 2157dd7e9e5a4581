#!/usr/bin/env python3
"""Set up and run nq57desk with nothing but Python 3.11+: `python bootstrap.py app` or `python bootstrap.py test`.

Creates .venv beside this file on first use, installs the project into it (pinned versions from
pyproject.toml), then opens the app or runs the tests. Works the same on Windows and Linux.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PY = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _stamp(extra: str) -> Path:
    return VENV / f".installed-{extra}"


def ensure(extra: str) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this script runs before the project does
        sys.exit("Cần Python 3.11 trở lên.")
    if not PY.exists():
        print("Đang tạo môi trường .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    stamp = _stamp(extra)
    if stamp.exists() and stamp.read_text() == want:
        return
    print("Đang cài đặt các gói cần thiết …", flush=True)
    subprocess.check_call([str(PY), "-m", "pip", "install", "-q", "--disable-pip-version-check", "--upgrade", "pip"])
    spec = f".[{extra}]" if extra else "."
    subprocess.check_call([str(PY), "-m", "pip", "install", "-q", "--disable-pip-version-check", "-e", spec], cwd=ROOT)
    stamp.write_text(want)


def main(argv: list[str]) -> int:
    cmd = argv[0] if argv else "app"
    rest = argv[1:]
    if cmd == "app":
        ensure("")
        return subprocess.call([str(PY), "-m", "nq57desk", *rest], cwd=ROOT)
    if cmd == "test":
        ensure("dev")
        env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
        return subprocess.call([str(PY), "-m", "pytest", "-q", *rest], cwd=ROOT, env=env)
    if cmd == "cli":
        ensure("")
        return subprocess.call([str(PY), "-m", "nq57desk", *rest], cwd=ROOT)
    print("cách dùng: python bootstrap.py app | test [tham số pytest] | cli [lệnh nq57desk]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
