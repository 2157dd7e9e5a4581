"""Safe file helpers used by bundles, packages and the consolidated outputs.

The project keeps one implementation of atomic writes in nq57desk.safety.atomic (temp file → flush → fsync →
os.replace); this module names the pieces the bundle code relies on, so bundle/ and aggregate/ import them from one
place (the read-back of copies on a USB stick, which must come from the stick and not from the OS cache, included).
"""

from __future__ import annotations

from nq57desk.safety.atomic import (
    atomic_write,
    atomic_write_bytes,
    clean_leftovers,
    copy_to_temp,
    copy_verified,
    fsync_dir,
    read_back_sha256,
    remove_quietly,
    sha256_bytes,
    sha256_file,
    temp_name,
)

__all__ = ["atomic_write", "atomic_write_bytes", "clean_leftovers", "copy_to_temp", "copy_verified", "fsync_dir",
           "read_back_sha256", "remove_quietly", "sha256_bytes", "sha256_file", "temp_name"]
