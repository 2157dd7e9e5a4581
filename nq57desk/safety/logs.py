"""The log in the data folder: rotating, so it never fills an old disk, and packed for IT support on request."""

from __future__ import annotations

import datetime as dt
import io
import logging
import logging.handlers
import os
import platform
import sys
import zipfile
from pathlib import Path

from nq57desk.safety.atomic import atomic_write_bytes

LOG_NAME = "nq57desk.log"
MAX_BYTES = 1_000_000
KEEP = 5  # nq57desk.log and nq57desk.log.1 … .5: at most ~6 MB
LOGGER = "nq57desk"


def log_dir(data_dir: str | os.PathLike) -> Path:
    return Path(data_dir) / "logs"


def logger(data_dir: str | os.PathLike) -> logging.Logger:
    """The app's logger, writing to logs/nq57desk.log in this data folder (set up once per folder)."""
    log = logging.getLogger(LOGGER)
    target = str(log_dir(data_dir) / LOG_NAME)
    if not any(getattr(h, "baseFilename", None) == os.path.abspath(target) for h in log.handlers):
        for h in list(log.handlers):  # another data folder in the same process (tests, restore): move the log
            if isinstance(h, logging.handlers.RotatingFileHandler):
                log.removeHandler(h)
                h.close()
        log_dir(data_dir).mkdir(parents=True, exist_ok=True)
        h = logging.handlers.RotatingFileHandler(target, maxBytes=MAX_BYTES, backupCount=KEEP, encoding="utf-8",
                                                 delay=True)
        h.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        log.addHandler(h)
        log.setLevel(logging.INFO)
        log.propagate = False
    return log


def current_folder() -> Path | None:
    """The data folder of this process: the one it last opened, else the one its log already writes to."""
    from nq57desk.safety.lock import last_folder

    folder = last_folder()
    if folder is not None:
        return folder
    for h in logging.getLogger(LOGGER).handlers:
        name = getattr(h, "baseFilename", None)
        if name:
            return Path(name).parent.parent
    return None


def log_unexpected(data_dir: str | os.PathLike | None, where: str, exc_info=True) -> Path | None:
    """Write a traceback to the log (data_dir None: the current data folder's); never raises (logging must not
    make a fault worse)."""
    try:
        data_dir = data_dir if data_dir is not None else current_folder()
        if data_dir is None:
            return None
        logger(data_dir).error("lỗi không mong muốn %s", where, exc_info=exc_info)
        return log_dir(data_dir) / LOG_NAME
    except Exception:  # noqa: BLE001
        return None


def _about(data_dir: Path, version: str) -> str:
    db = data_dir / "nq57desk.db"
    backups = sorted((data_dir / "backups").glob("*.db")) if (data_dir / "backups").is_dir() else []
    lines = [
        f"nq57desk {version}",
        f"Thời điểm: {dt.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"Hệ điều hành: {platform.platform()}",
        f"Python: {sys.version.split()[0]}",
        f"Thư mục dữ liệu: {data_dir}",
        f"Cơ sở dữ liệu: {db.stat().st_size if db.exists() else 0} byte",
        f"Số bản sao lưu: {len(backups)}" + (f" (mới nhất: {backups[-1].name})" if backups else ""),
    ]
    return "\n".join(lines) + "\n"


def pack_logs(data_dir: str | os.PathLike, target: str | os.PathLike, version: str) -> tuple[Path, int]:
    """«Xuất nhật ký»: the logs and a short description of the machine in one .zip (no report content).

    Returns the zip's path and how many log files it holds. Written temp → fsync → rename.
    """
    data_dir, target = Path(data_dir), Path(target)
    if target.suffix.lower() != ".zip":
        target = target.with_suffix(".zip")
    for h in logging.getLogger(LOGGER).handlers:
        h.flush()
    files = sorted(p for p in log_dir(data_dir).glob(f"{LOG_NAME}*") if p.is_file()) if log_dir(data_dir).is_dir() else []
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("thong-tin.txt", _about(data_dir, version))
        for p in files:
            z.write(p, f"logs/{p.name}")
    atomic_write_bytes(target, buf.getvalue())
    return target, len(files)
