"""Safe file helpers used by bundles, packages and the consolidated outputs.

The project keeps one implementation, in nq57desk.safety.atomic (temp file → flush → fsync → os.replace, and
copies that are read back and compared by SHA-256 before they take their final name); this module names the
pieces the bundle code relies on, so bundle/ and aggregate/ import them from one place.
"""

from nq57desk.safety.atomic import (
    atomic_write,
    atomic_write_bytes,
    copy_to_temp,
    copy_verified,
    fsync_dir,
    remove_quietly,
    sha256_bytes,
    sha256_file,
    temp_name,
)

__all__ = ["atomic_write", "atomic_write_bytes", "copy_to_temp", "copy_verified", "fsync_dir", "remove_quietly",
           "sha256_bytes", "sha256_file", "temp_name"]
