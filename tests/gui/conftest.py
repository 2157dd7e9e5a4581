"""GUI tests: real widgets, offscreen, one data folder per test; results are checked through the Desk."""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before any QApplication exists

import pytest  # noqa: E402

TEMPLATE_PERIODS = {"month": 4, "quarter": 2, "half": 1, "months": 5, "year": None, "custom": None}


@pytest.fixture
def dialogs(monkeypatch):
    """Record message boxes instead of showing them; `answers` is what ask() returns (default: yes)."""
    from nq57desk.gui import qtutil

    seen: list[tuple[str, str, str, str]] = []
    state = {"answer": True}

    def hook(kind, title, text, detail):
        seen.append((kind, title, text, detail))
        return state["answer"]

    monkeypatch.setattr(qtutil, "DIALOG_HOOK", hook)
    seen_state = type("Dialogs", (), {"seen": seen, "state": state})
    return seen_state


@pytest.fixture
def gui_desk(tmp_path):
    from nq57desk.services import Desk

    d = Desk(tmp_path / "data")
    d.save_profile({"commune_code": "05503"})
    yield d
    d.close()


@pytest.fixture
def win(qtbot, qapp, gui_desk, dialogs):
    from PySide6.QtCore import Qt

    from nq57desk.gui.shell.app import setup_app
    from nq57desk.gui.shell.mainwindow import MainWindow

    setup_app(qapp)
    w = MainWindow(gui_desk.data_dir, desk=gui_desk)
    qtbot.addWidget(w)
    w.setWindowState(Qt.WindowNoState)  # the offscreen screen is 800 px wide: the window would open maximized on it
    w.resize(1366, 768)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close_report()


def make_report(desk, template_id: str) -> int:
    t = next(x for x in desk.templates() if x.id == template_id)
    kind = t.period_kinds[0]
    period = {"kind": kind, "year": 2026, "number": TEMPLATE_PERIODS[kind]}
    if kind == "custom":
        period.update(start="2026-01-01", end="2026-05-16", label="từ 01/01 đến 16/5/2026")
    return desk.create_report(template_id, period)


@pytest.fixture
def tan_cuong():
    """The golden report of Tân Cương (23 pages, landscape appendices): (template, document)."""
    from .helpers import golden

    return golden("002_tan_cuong.json")
