"""Errors whose message is meant for the officer, in Vietnamese; the one translation of OS and SQLite faults."""

from __future__ import annotations

import errno as _errno
import os


class NQError(Exception):
    """An error the user can act on; str(err) is a Vietnamese sentence."""


class TemplateError(NQError):
    """A template file is broken: names the file, the place and the problem."""

    def __init__(self, source: str, place: str, problem: str):
        self.source, self.place, self.problem = source, place, problem
        where = f"{source}" + (f", tại {place}" if place else "")
        super().__init__(f"Mẫu báo cáo lỗi ({where}): {problem}")


class DocumentError(NQError):
    """A report document (JSON) cannot be accepted."""

    def __init__(self, problem: str, place: str = ""):
        self.place, self.problem = place, problem
        super().__init__(f"Tài liệu báo cáo không hợp lệ{f' tại {place}' if place else ''}: {problem}")


class StoreError(NQError):
    """The local database cannot be used as asked."""


class FileError(NQError):
    """A file could not be read or written (disk full, read-only, USB pulled out, open in Word/Excel …).

    `cause` keeps the original error (errno, winerror) for the log; str(err) never shows its English text.
    """

    def __init__(self, action: str, path: str | os.PathLike | None, cause: BaseException, *, full: bool = False):
        self.action, self.path, self.cause = action, str(path or ""), cause
        self.errno = getattr(cause, "errno", None)
        name = display_name(path)
        if path and not name:  # a temp file: name the folder it was in
            parent = os.path.dirname(str(path).rstrip("\\/"))
            name = parent if full else display_name(parent)
        elif name and full:
            name = str(path)
        where = f" «{name}»" if name else ""
        super().__init__(f"{action}{where}: {error_vi(cause)}.")


def display_name(path) -> str:
    """The last part of a path (a temp name is never shown: it means nothing to the officer)."""
    s = str(path or "").rstrip("\\/")
    name = s.replace("\\", "/").rsplit("/", 1)[-1]
    return "" if name.startswith((".~", ".nq57-")) or name.endswith(".tmp") else name


_GONE = "thiết bị không còn kết nối (USB bị rút ra?); hãy cắm lại rồi làm lại"
_ERRNO = {
    _errno.ENOSPC: "ổ đĩa đã đầy; hãy xóa bớt tệp hoặc chọn ổ khác rồi làm lại",
    _errno.EACCES: "không có quyền truy cập (thư mục chỉ cho đọc, hoặc tệp đang mở trong chương trình khác)",
    _errno.EPERM: "không có quyền truy cập (thư mục chỉ cho đọc, hoặc tệp đang mở trong chương trình khác)",
    _errno.EROFS: "ổ đĩa chỉ cho đọc (USB đang gạt khóa chống ghi?)",
    _errno.ENOENT: "không tìm thấy tệp hoặc thư mục này",
    _errno.EISDIR: "đây là một thư mục, không phải một tệp; hãy chọn hoặc đặt tên một tệp",
    _errno.ENOTDIR: "một phần của đường dẫn là tệp chứ không phải thư mục",
    _errno.EIO: "lỗi đọc/ghi thiết bị (USB bị rút ra hoặc bị hỏng?)",
    _errno.ENAMETOOLONG: "tên tệp hoặc đường dẫn quá dài; hãy chọn thư mục hoặc tên ngắn hơn",
    _errno.EBUSY: "tệp đang được mở trong chương trình khác (Word, Excel…); hãy đóng tệp đó rồi làm lại",
    _errno.ENXIO: _GONE,
    _errno.ENODEV: _GONE,
    _errno.EEXIST: "đã có tệp trùng tên",
    _errno.ENOTEMPTY: "thư mục không trống",
    _errno.EMFILE: "máy đang mở quá nhiều tệp; hãy đóng bớt chương trình rồi làm lại",
    _errno.ENFILE: "máy đang mở quá nhiều tệp; hãy đóng bớt chương trình rồi làm lại",
    _errno.EINVAL: "tên tệp hoặc đường dẫn không hợp lệ (có ký tự như : ? * \" < > |?)",
    _errno.EFBIG: "tệp quá lớn cho ổ đĩa này (USB định dạng FAT32 chỉ nhận tệp dưới 4 GB)",
    _errno.EXDEV: "không chuyển được tệp sang ổ đĩa khác",
}
if hasattr(_errno, "EDQUOT"):
    _ERRNO[_errno.EDQUOT] = _ERRNO[_errno.ENOSPC]
if hasattr(_errno, "ETXTBSY"):
    _ERRNO[_errno.ETXTBSY] = _ERRNO[_errno.EBUSY]
for _name in ("ENOMEDIUM", "ESHUTDOWN", "ENOTCONN", "ESTALE"):
    if hasattr(_errno, _name):
        _ERRNO[getattr(_errno, _name)] = _GONE

# Windows error codes that Python maps to a vague errno (or to none): the same sentences as their errno.
_WINERROR = {
    32: _ERRNO[_errno.EBUSY],  # sharing violation
    33: _ERRNO[_errno.EBUSY],  # lock violation
    19: _ERRNO[_errno.EROFS],  # ERROR_WRITE_PROTECT
    21: "thiết bị chưa sẵn sàng hoặc đã bị rút ra; hãy cắm lại rồi làm lại",  # ERROR_NOT_READY
    55: _GONE,  # ERROR_DEV_NOT_EXIST
    1167: _GONE,  # ERROR_DEVICE_NOT_CONNECTED
    39: _ERRNO[_errno.ENOSPC],  # ERROR_HANDLE_DISK_FULL
    112: _ERRNO[_errno.ENOSPC],  # ERROR_DISK_FULL
    123: "tên tệp có ký tự không được phép (như : ? * \" < > |); hãy đặt tên khác",  # ERROR_INVALID_NAME
    206: _ERRNO[_errno.ENAMETOOLONG],  # ERROR_FILENAME_EXCED_RANGE
}


# SQLite's messages (sqlite3.Error args) → what they mean for the officer.
_SQLITE = [
    ("database or disk is full", _ERRNO[_errno.ENOSPC]),
    ("disk i/o error", _ERRNO[_errno.EIO]),
    ("readonly database", "cơ sở dữ liệu chỉ cho đọc (thư mục hoặc tệp không cho ghi)"),
    ("unable to open database file", "không mở được tệp cơ sở dữ liệu (thư mục không có, không có quyền, "
                                     "hoặc ổ đĩa đã bị rút ra)"),
    ("database is locked", "cơ sở dữ liệu đang bị một chương trình khác dùng; hãy đóng chương trình đó rồi làm lại"),
    ("database table is locked", "cơ sở dữ liệu đang bị một chương trình khác dùng; hãy đóng chương trình đó rồi "
                                 "làm lại"),
    ("file is not a database", "tệp này không phải là cơ sở dữ liệu"),
    ("file is encrypted", "tệp này không phải là cơ sở dữ liệu"),
    ("database disk image is malformed", "tệp cơ sở dữ liệu bị hỏng"),
    ("no such table", "tệp không có dữ liệu của nq57desk"),
    ("out of memory", "máy không đủ bộ nhớ; hãy đóng bớt chương trình rồi làm lại"),
    ("interrupted", "thao tác bị ngắt giữa chừng"),
]


def os_error_vi(e: BaseException) -> str:
    """What an OSError means for the officer, in Vietnamese (never the English strerror on its own)."""
    win = getattr(e, "winerror", None)
    if win in _WINERROR:
        return _WINERROR[win]
    code = getattr(e, "errno", None)
    if code in (_errno.EACCES, _errno.EPERM) and any(
            f and os.path.isdir(f) for f in (getattr(e, "filename", None), getattr(e, "filename2", None))):
        return _ERRNO[_errno.EISDIR]  # Windows says "access denied" when a folder is opened or replaced as a file
    if code in _ERRNO:
        return _ERRNO[code]
    if code:
        return f"lỗi hệ thống khi đọc/ghi tệp (mã lỗi {code})"
    return "lỗi hệ thống khi đọc/ghi tệp"


def sqlite_error_vi(e: BaseException) -> str:
    """What a SQLite error (sqlite3 or one wrapped by SQLAlchemy) means for the officer, in Vietnamese."""
    orig = getattr(e, "orig", None) or e
    text = str(orig.args[0] if getattr(orig, "args", None) else orig).lower()
    for needle, vi in _SQLITE:
        if needle in text:
            return vi
    return "lỗi cơ sở dữ liệu"


def is_sqlite_error(e: BaseException) -> bool:
    import sqlite3

    return isinstance(e, sqlite3.Error) or isinstance(getattr(e, "orig", None), sqlite3.Error)


def error_vi(e: BaseException) -> str:
    """One Vietnamese phrase for a file or database fault; an NQError already speaks Vietnamese."""
    if isinstance(e, NQError):
        return str(e).rstrip(".")
    if is_sqlite_error(e):
        return sqlite_error_vi(e)
    if isinstance(e, OSError):
        return os_error_vi(e)
    if isinstance(e, ValueError):  # a copy read back different from its source
        return "tệp ghi ra khác tệp gốc khi đọc lại kiểm tra (ổ đĩa hoặc USB có thể bị lỗi)"
    return f"lỗi không mong muốn ({type(e).__name__})"
