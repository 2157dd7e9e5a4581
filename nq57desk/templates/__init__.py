"""Report templates: data files that define a report kind completely."""

from __future__ import annotations

from pathlib import Path

from nq57desk.errors import NQError, TemplateError
from nq57desk.settings import resources_dir
from nq57desk.templates.model import Template

__all__ = ["Registry", "Template", "load_template", "parse_template", "builtin_dir", "for_province"]


def __getattr__(name: str):
    """The loader (and YAML) only when a template file is actually parsed: the window can show the last report
    from the parsed-template cache without them (nq57desk/templates/cache.py)."""
    if name in ("load_template", "parse_template"):
        from nq57desk.templates import loader

        return getattr(loader, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

SUFFIXES = (".yaml", ".yml", ".json")


def for_province(templates, province: str | None) -> list:
    """The templates as an officer of `province` should see them: their province's own outlines first, then those
    any commune may use, other provinces' last (still there: a province may borrow another's)."""
    def rank(t) -> int:  # a Template or the desk's TemplateInfo: both carry `provinces`
        if not t.provinces:
            return 1
        return 0 if province in t.provinces else 2

    return sorted(templates, key=rank)


def builtin_dir() -> Path:
    return resources_dir() / "templates"


class Registry:
    """Every template the app knows: the shipped ones and those imported into the data folder."""

    def __init__(self, dirs: list[Path] | None = None, cache_dir: Path | None = None, data_dir: Path | None = None):
        """`cache_dir`: where parsed templates are kept between runs (nq57desk.templates.cache); None parses.
        `data_dir`: the data folder whose catalogue/ adds indicators to the shipped catalogue (templates may name them).
        """
        self.dirs = [builtin_dir()] + list(dirs or [])
        self.cache_dir = cache_dir
        self.data_dir = data_dir
        self._catalogue = None  # set by all(): the catalogue the files are read with
        self._cache: dict[Path, tuple] = {}
        self.broken: list[TemplateError] = []

    def catalogue(self):
        """The data folder's own catalogue, or None for the shipped one (also when the folder's files are broken:
        their problems are then set aside in .broken, and templates naming their codes fail to load, saying so)."""
        if self.data_dir is None:
            return None
        from nq57desk.templates.catalogue import catalogue_paths

        if len(catalogue_paths(self.data_dir)) == 1:
            return None  # the shipped one, read only when a template is parsed (not for the cached ones)
        from nq57desk.templates.catalogue import CatalogueError, catalogue_for, default_catalogue

        try:
            cat = catalogue_for(self.data_dir)
        except CatalogueError as e:
            self.broken.append(TemplateError("catalogue", "", str(e)))
            return None
        return None if cat is default_catalogue() else cat

    def _load(self, path: Path) -> Template:
        catalogue = self._catalogue
        mtime = path.stat().st_mtime
        hit = self._cache.get(path)
        if hit and hit[0] == mtime and hit[2] is catalogue:
            return hit[1]
        if self.cache_dir is not None:
            from nq57desk.templates.cache import cached_template

            tpl = cached_template(path, self.cache_dir, catalogue)
        else:
            from nq57desk.templates.loader import load_template

            tpl = load_template(path, catalogue)
        self._cache[path] = (mtime, tpl, catalogue)
        return tpl

    def all(self) -> list[Template]:
        """Every version of every template, sorted by id then version; broken files are set aside in .broken."""
        out: dict[tuple[str, int], Template] = {}
        self.broken = []
        self._catalogue = self.catalogue()
        for d in self.dirs:
            if not d.is_dir():
                continue
            try:
                paths = sorted(d.iterdir())
            except OSError as e:
                self.broken.append(TemplateError(str(d), "", f"không đọc được thư mục mẫu ({e.strerror or e})"))
                continue
            for p in paths:
                if p.suffix.lower() not in SUFFIXES:
                    continue
                try:
                    t = self._load(p)
                except TemplateError as e:
                    self.broken.append(e)
                    continue
                except Exception as e:  # noqa: BLE001 - one bad file (from a USB stick) must not stop every command
                    self.broken.append(TemplateError(p.name, "", f"không đọc được tệp mẫu (lỗi {type(e).__name__})"))
                    continue
                out.setdefault((t.id, t.version), t)
        return [out[k] for k in sorted(out)]

    def latest(self) -> list[Template]:
        best: dict[str, Template] = {}
        for t in self.all():
            if t.id not in best or t.version > best[t.id].version:
                best[t.id] = t
        return sorted(best.values(), key=lambda t: t.id)

    def get(self, tid: str, version: int | None = None) -> Template:
        cands = [t for t in self.all() if t.id == tid and (version is None or t.version == version)]
        if not cands:
            v = f" phiên bản {version}" if version is not None else ""
            raise NQError(f"Không có mẫu báo cáo «{tid}»{v}. Hãy nhập tệp mẫu trước (nq57desk templates --import TỆP).")
        return max(cands, key=lambda t: t.version)
