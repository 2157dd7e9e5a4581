"""Parsed templates kept between runs, so the window can show the last report without parsing YAML first.

Parsing and checking the largest template takes ~40 ms on this machine (YAML, then the model, then the reference
checks); unpickling it takes ~2 ms. The cache is an optimisation only: a file that is missing, stale, unreadable or
from another app version is ignored and the template is parsed as usual.

The entries are pickles in the data folder. They are written only by the app itself, never imported from outside;
anyone able to write the data folder can equally replace the per-user installation, so they add no new way in.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import tempfile
from pathlib import Path

from nq57desk import __version__
from nq57desk.templates.model import Template

_CODE = Path(__file__).resolve().parent


def cache_dir(data_dir: str | os.PathLike) -> Path:
    """Where a data folder keeps its parsed templates (the glimpse reads them, the folder's registry writes them)."""
    return Path(data_dir) / "cache"


def _file_stamp(path: Path) -> str:
    """A file as a cache key: its size, modification time and file number, as Python keys its own .pyc files by
    the source's size and time. Nothing is read (on a hard disk each file read at start-up is a seek); a file
    replaced by another (the app writes templates atomically) has a new number."""
    st = path.stat()
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"


@functools.cache  # the code cannot change under a running process
def _code_stamp() -> str:
    """The app version, and in a source tree the template code itself (a model change makes old pickles stale)."""
    parts = [__version__]
    for name in ("model.py", "loader.py", "expr.py", "refs.py", "yamlsafe.py", "catalogue.py"):
        p = _CODE / name
        if p.is_file():
            parts.append(_file_stamp(p))
    from nq57desk.templates.catalogue import shipped_path

    if shipped_path().is_file():  # a template's `indicators:` blocks are built from the catalogue
        parts.append(_file_stamp(shipped_path()))
    return "|".join(parts)


def cached_template(path: Path, cache_dir: Path, catalogue=None) -> Template:
    """load_template(path), from the cache when the file and the code are unchanged since it was stored (by their
    size and time: a hit opens the pickle only, not the YAML).

    `catalogue`: a data folder's own indicator catalogue (None: the shipped one, part of the code stamp)."""
    extra = catalogue.stamp if catalogue is not None else ""
    key = hashlib.sha256(f"{_file_stamp(Path(path))}|{_code_stamp()}|{extra}".encode()).hexdigest()[:32]
    entry = Path(cache_dir) / f"{Path(path).stem}.{key}.pickle"
    try:
        with open(entry, "rb") as f:
            tpl = pickle.load(f)
        if isinstance(tpl, Template):
            return tpl
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        pass
    from nq57desk.templates.loader import load_template  # YAML only on a miss

    tpl = load_template(path, catalogue)
    _store(entry, tpl)
    return tpl


def _store(entry: Path, tpl: Template) -> None:
    tmp = None
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        stem = entry.name.rsplit(".", 2)[0]  # "hp-6thang.v1" of "hp-6thang.v1.<key>.pickle"
        for old in entry.parent.glob("*.pickle"):
            if old.name.rsplit(".", 2)[0] == stem:
                old.unlink(missing_ok=True)  # one entry per template file: older ones are stale
        fd, tmp = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            pickle.dump(tpl, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, entry)
        tmp = None
    except (OSError, pickle.PicklingError, TypeError, AttributeError, RecursionError):
        pass  # a cache that cannot be written only costs the next start some milliseconds
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
