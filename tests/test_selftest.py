"""The installation self-test (`nq57desk selftest`), run in-process on the source tree.

The same function runs in the frozen app after every build (build_scripts/build_linux.sh, build_windows.ps1).
"""

from __future__ import annotations

import shutil

import pytest

from nq57desk.selftest import run_selftest

QT_LIBRARY = "LỖI Kiểm tra thư viện Qt"  # its own test below: one defect, one failing test


def _run() -> tuple[int, list[str]]:
    lines: list[str] = []
    return run_selftest(out=lines.append), lines


def _assert_passed(rc: int, lines: list[str]) -> None:
    report = "\n".join(lines)
    steps = lines[1:-1]
    others = [line for line in steps if not line.startswith(("ok  ", "--  ", QT_LIBRARY))]
    assert not others, report
    assert rc == (1 if any(line.startswith(QT_LIBRARY) for line in steps) else 0), report


def test_pyside6_does_not_lose_references():
    """PySide6-Essentials 6.12.0 on Python 3.11 drops a reference to None on every void call: the app aborts
    (Fatal Python error: none_dealloc) after a few thousand edits. 6.11.3, or Python 3.12+, is fine."""
    pytest.importorskip("PySide6")
    from nq57desk.selftest import _qt_library

    assert _qt_library().startswith("Thư viện Qt ổn định")


def test_selftest_passes_on_the_source_tree(monkeypatch, tmp_path):
    monkeypatch.setenv("NQ57_DATA_DIR", str(tmp_path / "must-not-be-used"))
    rc, lines = _run()
    report = "\n".join(lines)
    _assert_passed(rc, lines)
    steps = lines[1:-1]
    assert any(line.startswith("ok  Nạp 4 mẫu báo cáo") for line in steps), report
    assert any("DOCX" in line and line.startswith("ok") for line in steps), report
    assert any("Excel" in line and line.startswith("ok") for line in steps), report
    assert not (tmp_path / "must-not-be-used").exists(), "the self-test must work in its own temporary folder"


def test_selftest_draws_an_icon_with_qt_when_a_platform_is_set(monkeypatch):
    pytest.importorskip("PySide6")
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    rc, lines = _run()
    _assert_passed(rc, lines)
    assert any(line.startswith("ok  Vẽ") and "Qt" in line for line in lines), "\n".join(lines)
    assert any(line.startswith("ok  Dựng cửa sổ chính") for line in lines), "\n".join(lines)


def _fake_resources(tmp_path, monkeypatch):
    """A copy of resources/ that the app uses instead of the real one."""
    from nq57desk import settings

    res = tmp_path / "resources"
    shutil.copytree(settings.resources_dir(), res)
    monkeypatch.setattr(settings, "resources_dir", lambda: res)
    monkeypatch.setattr("nq57desk.templates.resources_dir", lambda: res)
    return res


def test_a_broken_template_fails_the_selftest(tmp_path, monkeypatch):
    res = _fake_resources(tmp_path, monkeypatch)
    (res / "templates" / "hong.yaml").write_text("id: [khong dong ngoac\n", encoding="utf-8")
    rc, lines = _run()
    assert rc == 1
    bad = [line for line in lines if line.startswith("LỖI")]
    assert bad and bad[0].startswith("LỖI Nạp mẫu báo cáo"), "\n".join(lines)
    assert "hong.yaml" in bad[0]


def test_a_missing_renderer_is_a_failed_step_not_a_crash(monkeypatch):
    from nq57desk.services import Desk

    def no_docx(self, rid, path):
        raise ImportError("No module named 'nq57desk.render.docx'")

    monkeypatch.setattr(Desk, "export_docx", no_docx)
    rc, lines = _run()
    assert rc == 1
    assert any(line.startswith("LỖI Xuất DOCX: ImportError") for line in lines), "\n".join(lines)
    assert any(line.startswith("ok  Xuất và đọc lại gói Excel") for line in lines), "later steps still run"


def test_missing_icons_fail_the_selftest(tmp_path, monkeypatch):
    res = _fake_resources(tmp_path, monkeypatch)
    shutil.rmtree(res / "icons")
    rc, lines = _run()
    assert rc == 1
    assert any(line.startswith("LỖI Đọc biểu tượng") for line in lines), "\n".join(lines)
