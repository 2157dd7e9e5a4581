"""Errors on worker threads reach the log with their traceback (once, in gui/workers.py), NQErrors do not;
and the file names the GUI proposes for export are FAT32-safe for odd commune names."""

from __future__ import annotations

import logging

import pytest

from nq57desk.errors import NQError
from nq57desk.safety import logs


def _log_text(data_dir) -> str:
    for h in logging.getLogger(logs.LOGGER).handlers:
        h.flush()
    p = logs.log_dir(data_dir) / logs.LOG_NAME
    return p.read_text("utf-8") if p.exists() else ""


def test_unexpected_worker_error_is_logged_with_its_traceback(qtbot, gui_desk):
    from nq57desk.gui.workers import run_async

    got = []

    def autosave_that_breaks():
        return {"khóa": 1}["thiếu"]

    run_async(autosave_that_breaks, on_fail=got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=5000)
    assert isinstance(got[0], KeyError)
    text = _log_text(gui_desk.data_dir)
    assert "lỗi không mong muốn trong luồng nền" in text and "autosave_that_breaks" in text
    assert "Traceback" in text and "KeyError: 'thiếu'" in text
    assert text.count("KeyError: 'thiếu'") == 1  # once, however many callers


def test_nqerror_on_a_worker_is_the_officers_business_not_logged(qtbot, gui_desk):
    from nq57desk.gui.workers import run_async

    got = []

    def refused():
        raise NQError("Báo cáo còn 2 lỗi.")

    before = _log_text(gui_desk.data_dir)
    run_async(refused, on_fail=got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=5000)
    assert _log_text(gui_desk.data_dir) == before


def test_errors_while_opening_a_folder_are_logged_in_that_folder(qtbot, tmp_path):
    """Opening the data folder runs on a worker too: its log is the folder's, even before a Desk exists."""
    from nq57desk.gui.workers import run_async
    from nq57desk.services import Desk

    data = tmp_path / "mo"
    got = []

    def open_then_fail():
        Desk(data).close()
        raise RuntimeError("hỏng khi mở")

    run_async(open_then_fail, on_fail=got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=10000)
    assert "RuntimeError: hỏng khi mở" in _log_text(data)


@pytest.mark.parametrize("name", ["CON", "Xã: An?Trường*", "xa\u0300 Ta\u0302n", "Đ" * 400, "  .", "LPT1", "Phường <1>|"])
def test_gui_default_export_names_are_fat32_safe(name):
    from nq57desk.gui.printout.outputfiles import default_name
    from tests.test_reliability import _fat32_ok

    doc = {"commune": {"code": "05503", "name": name},
           "period": {"kind": "month", "year": 2026, "number": 5, "start": "2026-05-01", "end": "2026-05-31"}}
    for ext in ("docx", "xlsx", "pdf"):
        n = default_name(doc, ext)
        assert _fat32_ok(n), n
