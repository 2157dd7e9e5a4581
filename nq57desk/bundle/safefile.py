"""Safe file helpers used by bundles, packages and the consolidated outputs.

The project keeps one implementation of atomic writes in nq57desk.safety.atomic (temp file → flush → fsync →
os.replace); this module names the pieces the bundle code relies on, so bundle/ and aggregate/ import them from one
place, and adds the read-back of copies on a USB stick, which must come from the stick and not from the OS cache.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from nq57desk.safety.atomic import (
    BUF,
    atomic_write,
    atomic_write_bytes,
    copy_verified,
    fsync_dir,
    remove_quietly,
    sha256_bytes,
    sha256_file,
    temp_name,
)


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


__all__ = ["atomic_write", "atomic_write_bytes", "copy_to_temp", "copy_verified", "drop_cache", "fsync_dir",
           "read_back_sha256", "remove_quietly", "sha256_bytes", "sha256_file", "temp_name"]
