"""One writer per data folder: an OS file lock held for as long as the folder is open in this process."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from nq57desk.errors import FileError, StoreError

_held: dict[Path, list] = {}  # folder → [file object, count]; the same process may open a folder twice
_guard = threading.Lock()
_last: list[Path] = []  # the data folder this process last opened (where its log goes)


class FolderLocked(StoreError):
    pass


def _try_lock(f) -> bool:
    if os.name == "nt":
        import msvcrt

        try:
            f.seek(0)
            msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    import fcntl

    try:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


def last_folder() -> Path | None:
    """The data folder this process opened last (open or closed since): the log of a worker's error goes there."""
    return _last[-1] if _last else None


def acquire(folder: Path) -> None:
    folder = folder.resolve()
    with _guard:
        _last[:] = [folder]
        if folder in _held:
            _held[folder][1] += 1
            return
        try:
            f = open(folder / "nq57desk.lock", "a+b")  # noqa: SIM115 - held open on purpose
        except OSError as e:
            raise FileError("Không dùng được thư mục dữ liệu", folder, e, full=True) from e
        if not _try_lock(f):
            f.close()
            raise FolderLocked(
                "nq57desk đang mở thư mục dữ liệu này ở một cửa sổ khác (hoặc một lệnh khác đang chạy). "
                "Hãy dùng cửa sổ đang mở, hoặc đóng nó rồi thử lại."
            )
        try:
            f.seek(0)
            f.truncate()
            f.write(str(os.getpid()).encode())
            f.flush()
        except OSError:
            pass  # the pid is for IT support only; the lock itself is held
        _held[folder] = [f, 1]


def release(folder: Path) -> None:
    folder = folder.resolve()
    with _guard:
        entry = _held.get(folder)
        if entry is None:
            return
        entry[1] -= 1
        if entry[1] == 0:
            entry[0].close()  # closing the file releases the OS lock
            del _held[folder]
