"""The log: rotating within its cap, and packed for IT support without half-written files."""

from __future__ import annotations

import errno
import logging
import os
import zipfile

import pytest

from nq57desk.safety import logs


def test_log_rotates_within_its_cap(tmp_path):
    log = logs.logger(tmp_path)
    line = "x" * 1000
    for _ in range(8000):  # ~8 MB of messages
        log.info(line)
    for h in log.handlers:
        h.flush()
    files = sorted((tmp_path / "logs").iterdir())
    assert len(files) == logs.KEEP + 1
    assert all(p.stat().st_size <= logs.MAX_BYTES + 2000 for p in files)


def test_unexpected_error_is_logged_with_its_traceback(tmp_path):
    try:
        {}["khóa"]
    except KeyError:
        where = logs.log_unexpected(tmp_path, "trong kiểm thử")
    for h in logging.getLogger(logs.LOGGER).handlers:
        h.flush()
    text = where.read_text("utf-8")
    assert "lỗi không mong muốn trong kiểm thử" in text and "KeyError: 'khóa'" in text


def test_log_unexpected_never_raises(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert logs.log_unexpected(blocker / "data", "ở đâu đó") is None  # logs/ cannot be made under a file


def test_pack_logs_is_whole_or_absent(tmp_path, monkeypatch):
    logs.log_unexpected(tmp_path, "một lần", exc_info=False)
    out = tmp_path / "ra" / "nhat-ky"
    out.parent.mkdir()
    where, n = logs.pack_logs(tmp_path, out, "0.1.0")
    assert where.name == "nhat-ky.zip" and n == 1
    with zipfile.ZipFile(where) as z:
        assert "nq57desk 0.1.0" in z.read("thong-tin.txt").decode("utf-8")

    def full(*_a):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError):
        logs.pack_logs(tmp_path, out.with_name("lan-hai.zip"), "0.1.0")
    assert sorted(p.name for p in out.parent.iterdir()) == ["nhat-ky.zip"]
