"""Where things live: the per-user data folder (platformdirs), overridable by --data-dir or NQ57_DATA_DIR."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "nq57desk"
DB_NAME = "nq57desk.db"
KEY_NAME = "khoa-ky-xa.pem"  # this installation's private signing key (nq57desk.bundle.signing)


def resources_dir() -> Path:
    """resources/ beside the package in a source tree, or inside a PyInstaller bundle."""
    base = getattr(sys, "_MEIPASS", None)
    if base:
        return Path(base) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def data_dir(override: str | os.PathLike | None = None) -> Path:
    if override:
        p = Path(override)
    elif os.environ.get("NQ57_DATA_DIR"):
        p = Path(os.environ["NQ57_DATA_DIR"])
    else:
        from platformdirs import user_data_dir

        p = Path(user_data_dir(APP_NAME, appauthor=False, roaming=False))
    p.mkdir(parents=True, exist_ok=True)
    return p


def db_path(data: Path) -> Path:
    return data / DB_NAME


def signing_key_path(data: Path) -> Path:
    """The private key that signs this installation's bundles: in the data folder, so backups carry it."""
    return data / KEY_NAME


def user_templates_dir(data: Path) -> Path:
    p = data / "templates"
    p.mkdir(parents=True, exist_ok=True)
    return p


def local_user() -> str:
    """The Windows/Linux login name, recorded on each revision."""
    for k in ("NQ57_USER", "USERNAME", "USER", "LOGNAME"):
        if os.environ.get(k):
            return os.environ[k]
    try:
        import getpass

        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name is not an error worth stopping for
        return "người dùng"
