"""bench/walkthrough.py keeps working: a whole period through the real window, a screenshot per step."""

from __future__ import annotations

import importlib.util

from tests.conftest import ROOT


def _walkthrough():
    spec = importlib.util.spec_from_file_location("walkthrough", ROOT / "bench" / "walkthrough.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_walkthrough_runs_a_whole_period(qapp, tmp_path):
    from PySide6.QtGui import QImage

    w = _walkthrough().walk(tmp_path / "walk")
    names = [p.name for p in w.shots]
    assert len(names) >= 15 and len(set(names)) == len(names)
    for p in w.shots:
        img = QImage(str(p))
        assert not img.isNull() and img.width() >= 400, p.name
    main = QImage(str(next(p for p in w.shots if p.name.endswith("-so-lieu.png"))))
    assert (main.width(), main.height()) == (1366, 768)
    steps = (tmp_path / "walk" / "steps.txt").read_text(encoding="utf-8")
    assert "«Đánh dấu Hoàn thành»: done" in steps
    assert "USB: " in steps and ".xlsx" in steps
    assert (tmp_path / "walk" / "bao-cao.docx").stat().st_size > 5000
    assert "hoan-thanh" in " ".join(names) and names[-1].endswith("trang-chu.png")
