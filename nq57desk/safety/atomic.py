"""Atomic writes and verified copies: a file under its final name is always complete.

write: temp file in the same folder → flush → fsync → os.replace (→ fsync the folder where the OS allows).
copy:  the same, then the temp copy is read back and its SHA-256 compared before it takes the final name.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

BUF = 1024 * 1024


def sha256_file(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(BUF):
            h.update(chunk)
    return h.hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def temp_name(final: Path) -> Path:
    """A hidden, FAT32-safe temporary name beside the final file; it names the writing process, so a later run
    can tell the leftover of a killed write (clean_leftovers) from a write still going on."""
    return final.with_name(f".~{final.stem[:40]}.{os.getpid()}-{secrets.token_hex(4)}.tmp")


_LEFTOVER = re.compile(r"^\.~(?P<stem>.*)\.(?:(?P<pid>\d+)-)?[0-9a-f]{8}\.tmp$")
STALE_AFTER = 6 * 3600  # seconds: a temp this old is nobody's, even where we cannot ask whether its writer lives


def _alive(pid: int) -> bool | None:
    """Whether a process runs (POSIX); None where we cannot ask safely (Windows' os.kill terminates)."""
    if os.name != "posix":
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def clean_leftovers(folder: str | os.PathLike, stem: str | None = None) -> list[Path]:
    """Remove what killed writes left in `folder` (temp files and folders named by temp_name), of one final
    name's stem or all: those whose writer is gone, or that are older than STALE_AFTER. Never raises."""
    out: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return out
    now = time.time()
    for e in entries:
        m = _LEFTOVER.match(e.name)
        if m is None or (stem is not None and m.group("stem") != stem[:40]):
            continue
        pid = int(m.group("pid")) if m.group("pid") else None
        if pid == os.getpid():
            continue  # this process's own write, maybe in another thread
        try:
            age = now - e.stat(follow_symlinks=False).st_mtime
        except OSError:
            continue
        if age < STALE_AFTER and (pid is None or _alive(pid) is not False):
            continue
        try:
            if e.is_dir(follow_symlinks=False):
                shutil.rmtree(e.path)
            else:
                os.unlink(e.path)
            out.append(Path(e.path))
        except OSError:
            pass
    return out


def fsync_dir(folder: Path) -> None:
    """Make a rename durable (POSIX); Windows has no directory handles to sync, so this is a no-op there."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def remove_quietly(path: Path | None) -> None:
    if path is None:
        return
    with contextlib.suppress(OSError):
        os.unlink(path)


def atomic_write(path: str | os.PathLike, write: Callable[[BinaryIO], None], *, mode: int = 0o666) -> None:
    """Call write(f) on a temp file beside `path`, make it durable, then give it the final name.

    Any exception leaves the old file (if any) untouched and no temp file behind. `mode` 0o600: a file only its
    owner reads (a private key), from the moment it exists (where the OS has modes).
    """
    final = Path(path)
    clean_leftovers(final.parent, final.stem)
    tmp = temp_name(final)
    try:
        private = mode != 0o666
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode) if private else None
        with open(fd, "wb") if private else open(tmp, "xb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, final)
    except BaseException:
        remove_quietly(tmp)
        raise
    fsync_dir(final.parent)


def atomic_write_bytes(path: str | os.PathLike, data: bytes, *, mode: int = 0o666) -> None:
    atomic_write(path, lambda f: f.write(data), mode=mode)


def drop_cache(fd: int) -> None:
    """Ask the OS to forget the cached pages of a file it has flushed, so the next read comes from the device.

    POSIX only (posix_fadvise DONTNEED, after fsync: clean pages are then dropped). Windows has no such call for
    one file: a read-back there may still be served from the cache unless the file is opened unbuffered
    (FILE_FLAG_NO_BUFFERING, sector-aligned reads only). USB sticks on Windows 10/11 default to "Quick removal"
    (no write cache), which makes that gap small but not zero.
    """
    advise = getattr(os, "posix_fadvise", None)
    if advise is None:
        return
    try:
        advise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    except OSError:
        pass


def read_back_sha256(path: str | os.PathLike) -> str:
    """SHA-256 of a file as the device holds it (its cached pages dropped first where the OS allows)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        drop_cache(f.fileno())
        while chunk := f.read(BUF):
            h.update(chunk)
    return h.hexdigest()


def copy_to_temp(src: str | os.PathLike, final: Path, expected_sha: str | None = None) -> tuple[Path, str, int]:
    """Copy src beside `final` under a temp name, fsync, drop the cache, read the copy back and compare SHA-256.

    Returns (temp path, sha256, size). Raises OSError (copy failed) or ValueError (copy differs); the temp is
    removed on any failure. The caller renames the temp when every file of a set is in place.
    """
    clean_leftovers(final.parent, final.stem)
    tmp = temp_name(final)
    h = hashlib.sha256()
    size = 0
    try:
        with open(src, "rb") as fin, open(tmp, "xb") as fout:
            while chunk := fin.read(BUF):
                h.update(chunk)
                size += len(chunk)
                fout.write(chunk)
            fout.flush()
            os.fsync(fout.fileno())
            drop_cache(fout.fileno())
        src_sha = h.hexdigest()
        if expected_sha and src_sha != expected_sha:
            raise ValueError("source changed while copying")
        if read_back_sha256(tmp) != src_sha:
            raise ValueError("copy differs from source")
        return tmp, src_sha, size
    except BaseException:
        remove_quietly(tmp)
        raise


def copy_verified(src: str | os.PathLike, dst: str | os.PathLike) -> str:
    """Copy one file safely (temp → fsync → verify → rename → verify again); returns its SHA-256."""
    final = Path(dst)
    tmp, sha, _size = copy_to_temp(src, final)
    try:
        os.replace(tmp, final)
    except BaseException:
        remove_quietly(tmp)
        raise
    fsync_dir(final.parent)
    if sha256_file(final) != sha:
        remove_quietly(final)
        raise ValueError("copy differs from source after rename")
    return sha
