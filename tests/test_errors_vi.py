"""Faults the officer meets (disk full, read-only folder, a folder instead of a file, a file open in Excel …) are
told in Vietnamese, by one translation (nq57desk.errors), in the CLI and the services alike."""

from __future__ import annotations

import errno
import os
import re
import sqlite3
import tempfile

import pytest

from nq57desk import errors
from nq57desk.cli import main
from nq57desk.errors import FileError, NQError, error_vi, os_error_vi, sqlite_error_vi
from tests.conftest import REPORTS

VIETNAMESE = re.compile(r"[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.I)
ERRNOS = ["ENOSPC", "EDQUOT", "EACCES", "EPERM", "EROFS", "ENOENT", "EISDIR", "ENOTDIR", "EIO", "ENAMETOOLONG",
          "EBUSY", "ENXIO", "ENODEV", "EEXIST", "EMFILE", "EINVAL", "EFBIG", "ENOMEDIUM"]


def _english(text: str) -> list[str]:
    """English OS / SQLite words that must never reach the officer on their own."""
    bad = [os.strerror(getattr(errno, n)) for n in ERRNOS if hasattr(errno, n)]
    bad += ["Errno", "disk I/O error", "database or disk is full", "readonly database", "unable to open",
            "Is a directory", "Permission denied", "No such file", "Traceback", ".tmp", ".nq57-"]
    return [w for w in bad if w in text]


@pytest.mark.parametrize("name", [n for n in ERRNOS if hasattr(errno, n)])
def test_every_errno_has_a_vietnamese_sentence(name):
    code = getattr(errno, name)
    text = os_error_vi(OSError(code, os.strerror(code)))
    assert VIETNAMESE.search(text) and not _english(text) and "mã lỗi" not in text, text


class _WinError(OSError):
    def __init__(self, winerror, code=errno.EACCES):
        super().__init__(code, "The process cannot access the file because it is being used by another process")
        self.winerror = winerror


@pytest.mark.parametrize("winerror", [32, 33])
def test_a_file_open_in_word_or_excel_is_named_as_such(winerror):
    text = os_error_vi(_WinError(winerror))
    assert "đang được mở trong chương trình khác" in text and "Excel" in text


def test_windows_access_denied_on_a_folder_says_it_is_a_folder(tmp_path):
    """Windows opens or replaces a folder as a file with "access denied" (EACCES), not EISDIR."""
    e = PermissionError(errno.EACCES, "Access is denied", str(tmp_path))
    assert "là một thư mục" in os_error_vi(e)
    e = PermissionError(errno.EACCES, "Access is denied", str(tmp_path / ".~x.tmp"), None, str(tmp_path))
    assert "là một thư mục" in os_error_vi(e)
    assert "quyền" in os_error_vi(PermissionError(errno.EACCES, "Access is denied", str(tmp_path / "x.db")))


def test_device_removed_and_unknown_errors():
    assert "rút ra" in os_error_vi(_WinError(21, 0)) and "rút ra" in os_error_vi(OSError(errno.ENODEV, "x"))
    assert os_error_vi(OSError(9999, "Weird")) == "lỗi hệ thống khi đọc/ghi tệp (mã lỗi 9999)"
    assert os_error_vi(OSError("no errno")) == "lỗi hệ thống khi đọc/ghi tệp"


@pytest.mark.parametrize("message, words", [
    ("database or disk is full", "ổ đĩa đã đầy"),
    ("disk I/O error", "lỗi đọc/ghi thiết bị"),
    ("attempt to write a readonly database", "chỉ cho đọc"),
    ("unable to open database file", "không mở được tệp cơ sở dữ liệu"),
    ("database is locked", "chương trình khác"),
    ("file is not a database", "không phải là cơ sở dữ liệu"),
    ("database disk image is malformed", "bị hỏng"),
])
def test_sqlite_messages_in_vietnamese(message, words):
    e = sqlite3.OperationalError(message)
    assert words in sqlite_error_vi(e) and words in error_vi(e)

    class Wrapped(Exception):  # as SQLAlchemy wraps it
        orig = e

    assert words in sqlite_error_vi(Wrapped("(sqlite3.OperationalError) " + message))


def test_file_error_names_the_file_never_the_temp():
    e = FileError("Không ghi được tệp", "/usb/.nq57-abc123.tmp", OSError(errno.EACCES, "Permission denied"))
    assert str(e) == ("Không ghi được tệp «usb»: không có quyền truy cập (thư mục chỉ cho đọc, hoặc tệp đang mở "
                      "trong chương trình khác).")
    assert isinstance(e, NQError) and e.errno == errno.EACCES
    assert "«bao-cao.docx»" in str(FileError("Không ghi được tệp", "D:\\bao-cao.docx", OSError(errno.ENOSPC, "x")))
    from nq57desk import services

    assert services.os_error_vi is errors.os_error_vi  # the old name still works


def _run(capsys, data_dir, *args):
    code = main(["--data-dir", str(data_dir), *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def cli_data(data_dir, capsys):
    assert _run(capsys, data_dir, "import", str(REPORTS / "002_tan_cuong.json"))[0] == 0
    return data_dir


def _assert_vietnamese(code, err, words):
    assert code == 2, err
    assert err.startswith("Lỗi: ") and words in err and not _english(err), err
    assert "không mong muốn" not in err


def test_cli_backup_to_a_full_disk(cli_data, tmp_path, capsys, monkeypatch):
    from nq57desk.safety import backup as backup_mod

    real = backup_mod.sqlite3.connect

    class Full(sqlite3.Connection):
        def backup(self, *a, **kw):
            raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(backup_mod.sqlite3, "connect", lambda *a, **kw: real(*a, factory=Full, **kw))
    code, _out, err = _run(capsys, cli_data, "backup", "-o", str(tmp_path / "usb.db"))
    _assert_vietnamese(code, err, "ổ đĩa đã đầy")
    assert not list(tmp_path.glob("usb.db*")) and not list(tmp_path.glob(".~*"))


def test_cli_backup_to_a_read_only_folder(cli_data, tmp_path, capsys, monkeypatch):
    from nq57desk.safety import backup as backup_mod

    real = backup_mod.sqlite3.connect
    ro = tmp_path / "ro"
    ro.mkdir()

    def connect(path, *a, **kw):
        if str(path).startswith(str(ro)):  # as SQLite says it when it cannot create the file
            raise sqlite3.OperationalError("unable to open database file")
        return real(path, *a, **kw)

    monkeypatch.setattr(backup_mod.sqlite3, "connect", connect)
    code, _out, err = _run(capsys, cli_data, "backup", "-o", str(ro / "b.db"))
    _assert_vietnamese(code, err, "Không ghi được bản sao lưu «b.db»")
    assert list(ro.iterdir()) == []


def test_cli_docx_export_to_a_read_only_folder(cli_data, tmp_path, capsys, monkeypatch):
    real = tempfile.mkstemp

    def mkstemp(*a, dir=None, **kw):
        if dir and "ro" in str(dir):
            raise PermissionError(errno.EACCES, "Permission denied", os.path.join(str(dir), ".nq57-x1y2.tmp"))
        return real(*a, dir=dir, **kw)

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    (tmp_path / "ro").mkdir()
    code, _out, err = _run(capsys, cli_data, "export", "1", "--docx", str(tmp_path / "ro" / "bao-cao.docx"))
    _assert_vietnamese(code, err, "Không ghi được tệp «bao-cao.docx»: không có quyền truy cập")


def test_cli_data_folder_read_only(tmp_path, capsys, monkeypatch):
    import builtins

    real = builtins.open

    def no_write(file, mode="r", *a, **kw):
        if str(file).endswith("nq57desk.lock"):
            raise PermissionError(errno.EACCES, "Permission denied", str(file))
        return real(file, mode, *a, **kw)

    monkeypatch.setattr(builtins, "open", no_write)
    code, _out, err = _run(capsys, tmp_path / "data", "list")
    _assert_vietnamese(code, err, "Không dùng được thư mục dữ liệu")
    assert str(tmp_path / "data") in err


def test_cli_sqlite_read_only_database(cli_data, capsys, monkeypatch):
    """A database SQLite cannot write (read-only file): a sentence, exit 2, never "Lỗi không mong muốn"."""
    from nq57desk.services import Desk

    def refuse(self, *a, **kw):
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(Desk, "import_report", refuse)
    code, _out, err = _run(capsys, cli_data, "import", str(REPORTS / "003_phu_thinh.json"))
    _assert_vietnamese(code, err, "chỉ cho đọc")


@pytest.mark.parametrize("args, words", [
    (("import", "/khong/co/tep.json"), "«/khong/co/tep.json»: không tìm thấy tệp hoặc thư mục này"),
    (("import", "{tmp}"), "đây là một thư mục, không phải một tệp"),
    (("dump", "1", "-o", "{tmp}"), "đây là một thư mục, không phải một tệp"),
    (("export", "1", "--docx", "{tmp}"), "đây là một thư mục, không phải một tệp"),
])
def test_cli_missing_files_and_folders_instead_of_files(cli_data, tmp_path, capsys, args, words):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    before = sorted(p.name for p in tmp_path.iterdir())
    code, _out, err = _run(capsys, cli_data, *args)
    _assert_vietnamese(code, err, words)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.skipif(os.name == "nt", reason="Windows says 'access denied' there; bundle/format.os_problem reads it first")
def test_cli_bundle_to_a_folder_uses_the_one_translation(cli_data, tmp_path, capsys):
    code, _out, err = _run(capsys, cli_data, "export", "1", "--xlsx", str(tmp_path))
    _assert_vietnamese(code, err, "đây là một thư mục, không phải một tệp")
    code, _out, err = _run(capsys, cli_data, "export", "1", "--package", str(cli_data / "nq57desk.db" / "goi"))
    _assert_vietnamese(code, err, "một phần của đường dẫn là tệp")


def test_cli_check_on_a_folder_without_a_database(tmp_path, capsys):
    code, out, _err = _run(capsys, tmp_path / "moi", "check")
    assert code == 0 and "chưa có cơ sở dữ liệu" in out and "toàn vẹn" not in out
    assert not (tmp_path / "moi" / "nq57desk.db").exists()


def test_cli_finalizer_errors_go_to_the_log_not_after_the_message(cli_data, tmp_path, capsys, monkeypatch):
    """A zip whose write failed is closed again by the garbage collector and complains ("seek of closed file"):
    the CLI logs that instead of printing an English traceback under the Vietnamese message."""
    import sys

    from nq57desk.services import Desk

    class HalfWrittenZip:
        def __init__(self):
            self.me = self  # a cycle: only the collector frees it

        def __del__(self):
            raise ValueError("seek of closed file")

    def export(self, rid, path):
        HalfWrittenZip()
        raise NQError("Tệp «a.xlsx»: không ghi được gói báo cáo: ổ đích đã đầy.")

    monkeypatch.setattr(Desk, "export_xlsx", export)
    hook = sys.unraisablehook
    code, _out, err = _run(capsys, cli_data, "export", "1", "--xlsx", str(tmp_path / "a.xlsx"))
    assert code == 2 and err == "Lỗi: Tệp «a.xlsx»: không ghi được gói báo cáo: ổ đích đã đầy.\n"
    assert sys.unraisablehook is hook
    log = (cli_data / "logs" / "nq57desk.log").read_text("utf-8")
    assert "ValueError: seek of closed file" in log
