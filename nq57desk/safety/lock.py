"""One writer per data folder: an OS file lock held for as long as the folder is open in this process."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from nq57desk.errors import StoreError

_held: dict[Path, list] = {}  # folder → [file object, count]; the same process may open a folder twice
_guard = threading.Lock()


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


def acquire(folder: Path) -> None:
    folder = folder.resolve()
    with _guard:
        if folder in _held:
            _held[folder][1] += 1
            return
        f = open(folder / "nq57desk.lock", "a+b")  # noqa: SIM115 - held open on purpose
        if not _try_lock(f):
            f.close()
            raise FolderLocked(
                "nq57desk đang mở thư mục dữ liệu này ở một cửa sổ khác (hoặc một lệnh khác đang chạy). "
                "Hãy dùng cửa sổ đang mở, hoặc đóng nó rồi thử lại."
            )
        f.seek(0)
        f.truncate()
        f.write(str(os.getpid()).encode())
        f.flush()
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
