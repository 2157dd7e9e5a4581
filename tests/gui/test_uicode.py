"""uic's code for the Designer files: generated once, compiled once, and a damaged cache never stops a window."""

from __future__ import annotations

from pathlib import Path

import pytest

from nq57desk.gui import uicode

UI = Path(__file__).resolve().parents[2] / "ui" / "find.ui"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setattr(uicode, "_cache_dir", lambda: tmp_path / "ui")
    return tmp_path / "ui"


def test_code_is_compiled_once_and_kept(cache):
    if not UI.exists():
        pytest.skip("ui/find.ui is missing")
    first = uicode.setup_class(UI)
    if first is None:
        pytest.skip("uic is not available here")
    kept = list(cache.glob("find-*.code"))
    assert len(kept) == 1
    assert uicode.setup_class(UI).__name__ == first.__name__  # from the kept code


def test_damaged_code_is_made_again(cache):
    if not UI.exists() or uicode.setup_class(UI) is None:
        pytest.skip("uic is not available here")
    kept = next(cache.glob("find-*.code"))
    kept.write_bytes(b"\x00 not marshal")
    assert uicode.setup_class(UI) is not None
    assert next(cache.glob("find-*.code")).read_bytes() != b"\x00 not marshal"
