"""The import-linter contract covers every module of nq57desk but the GUI, including modules added later."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

LINT = Path(sys.executable).with_name("lint-imports.exe" if os.name == "nt" else "lint-imports")


def _lint(tmp_path, extra: dict[str, str]) -> subprocess.CompletedProcess:
    """lint-imports with the project's pyproject over a copy of the package holding the extra modules."""
    shutil.copytree(ROOT / "nq57desk", tmp_path / "nq57desk", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    for rel, text in extra.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    return subprocess.run([str(LINT), "--no-cache"], cwd=tmp_path, env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=300)


@pytest.mark.skipif(not LINT.exists(), reason="import-linter not installed (dev extra)")
@pytest.mark.parametrize("extra, broken", [
    ({}, None),
    ({"nq57desk/newcore.py": "import PySide6.QtCore\n"}, "nq57desk.newcore -> PySide6"),
    ({"nq57desk/newpkg/__init__.py": "", "nq57desk/newpkg/deep.py": "import shiboken6\n"},
     "nq57desk.newpkg.deep -> shiboken6"),
    ({"nq57desk/newcore.py": "from nq57desk.gui.shell import app\n"}, "nq57desk.newcore -> nq57desk.gui.shell.app"),
    ({"nq57desk/__init__.py": (ROOT / "nq57desk" / "__init__.py").read_text(encoding="utf-8") + "import PySide6\n"},
     "nq57desk -> PySide6"),  # the package's own __init__, which a list of submodules never covered
    ({"nq57desk/gui/extra.py": "import shiboken6\nimport PySide6\n"}, None),  # the GUI may
], ids=["as-is", "new-module-pyside6", "new-package-shiboken6", "new-module-gui", "package-init", "gui-may"])
def test_contract_catches_new_core_modules(tmp_path, extra, broken):
    res = _lint(tmp_path, extra)
    if broken is None:
        assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    else:
        assert res.returncode != 0 and broken in res.stdout, res.stdout[-2000:]

