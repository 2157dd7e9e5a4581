"""Reading the store of received bundles, and the import shared by a real import and a dry run.

Plain SQL through a `run(sql, params) -> rows` callable, so the same code reads the open database of a Desk and,
for a dry run from the command line, an existing database opened read-only (no database, lock or templates folder
is created). The writes are the store's (nq57desk.upper.store).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from nq57desk.aggregate.collect import check_province, duplicate_of, read_source, validator
from nq57desk.aggregate.decide import Line, Submission, decide
from nq57desk.aggregate.sources import list_sources
from nq57desk.errors import NQError, StoreError
from nq57desk.report.document import period_of_code, period_title
from nq57desk.units import commune
from nq57desk.upper.keys import PENDING, KeyMap, held, pending_message
from nq57desk.upper.results import ImportResult

_META = ("id", "commune_code", "template_id", "period_code", "revision", "sha256", "source_name", "exported_at",
         "imported_at")
_META4 = ("province_code", "commune_name", "template_version", "period", "report_status", "errors", "warnings",
          "findings", "file_sha256", "app_version")
_META5 = ("public_key", "signature", "signed")  # schema 0005: who signed it, and what (nq57desk.upper.keys)
Progress = Callable[[int, int, str], None]


class Reader:
    """Metadata of received bundles through a DB-API-style `run(sql, params) -> rows`."""

    def __init__(self, run: Callable[[str, tuple], list], registry, changed: dict[int, str] | None = None):
        """`changed`: id → why, of stored rows whose document is no longer what its commune signed."""
        self.run, self.registry, self.changed = run, registry, changed or {}
        self._templates: dict = {}
        try:
            cols = {r[1] for r in run("PRAGMA table_info(received)", ())}
        except (sqlite3.Error, StoreError):
            cols = set()
        self.exists = bool(cols)
        self.full = all(c in cols for c in _META4)
        self.signed = all(c in cols for c in _META5)
        self.keys = KeyMap(self._key_rows())

    def _key_rows(self) -> list:
        try:
            return self.run("SELECT commune_code, public_key, status FROM commune_key", ())
        except (sqlite3.Error, StoreError):  # a database older than 0005 (dry run only): no key is known
            return []

    def rows(self, province: str | None = None, template: str | None = None, period: str | None = None) -> list[dict]:
        if not self.exists:
            return []
        fields = _META + (_META4 if self.full else ("document",)) + (_META5 if self.signed else ())
        where, params = ["1 = 1"], []
        for col, v in (("template_id", template), ("period_code", period)):
            if v:
                where.append(f"{col} = ?")
                params.append(v)
        if province and self.full:
            where.append("province_code = ?")
            params.append(province)
        out = []
        for r in self.run(f"SELECT {', '.join(fields)} FROM received WHERE {' AND '.join(where)} ORDER BY id", tuple(params)):
            row = dict(zip(fields, r, strict=True))
            if not self.full:  # a database older than schema 0004 (dry run only): read what the document says
                row.update(_from_document(row.pop("document")))
            if province and row.get("province_code") != province:
                continue
            out.append(row)
        return out

    def split(self, rows: list[dict]) -> tuple[list[dict], list[Line]]:
        """The rows that count, and a «held» line for each that does not (unsigned, signature failing, key not
        confirmed as the commune's: nq57desk.upper.keys.held)."""
        usable, lines = [], []
        for row in rows:
            why = ("tampered", self.changed[row["id"]]) if row["id"] in self.changed else held(row, self.keys)
            if why is None:
                usable.append(row)
            else:
                lines.append(held_line(row, *why))
        return usable, lines

    def template(self, tid: str, version):
        k = (tid, version)
        if k not in self._templates:
            try:
                self._templates[k] = self.registry.get(tid, int(version) if version is not None else None)
            except (NQError, ValueError, TypeError):
                self._templates[k] = None
        return self._templates[k]

    def submission(self, row: dict, loader: Callable[[int], str] | None) -> Submission | None:
        tpl = self.template(row["template_id"], row.get("template_version"))
        if tpl is None:
            return None  # its template is no longer installed: kept in the store, left out until it is
        try:
            period = json.loads(row.get("period") or "null")
        except ValueError:
            period = None
        if not isinstance(period, dict):
            return None
        u = commune(row["commune_code"])
        com = {"code": row["commune_code"], "name": row.get("commune_name") or (u.name if u else ""),
               "province_code": row.get("province_code") or (u.province_code if u else ""),
               "province_name": u.province_name if u else ""}
        line = Line(row["source_name"], "accepted", "", "", com["code"], com["name"], row["template_id"],
                    row["period_code"], row["revision"], row.get("exported_at") or "", row["sha256"],
                    row.get("report_status") or "", row.get("imported_at") or "", period_title(period))
        findings, explained = read_findings(row.get("findings"))
        rid = row["id"]
        return Submission(line, tpl, com, period, int(row["revision"]), row.get("exported_at") or "", row["sha256"],
                          row.get("report_status") or "", errors=int(row.get("errors") or 0),
                          warnings=int(row.get("warnings") or 0), findings=findings, explained=explained,
                          imported_at=row.get("imported_at") or "", row_id=rid, file_sha256=row.get("file_sha256") or "",
                          app_version=row.get("app_version") or "",
                          _loader=(lambda: loader(rid)) if loader is not None else None)


def held_line(row: dict, reason: str, message: str) -> Line:
    p = period_of_code(row["period_code"])
    return Line(row["source_name"], "held", message, reason, row["commune_code"], row.get("commune_name") or "",
                row["template_id"], row["period_code"], row["revision"], row.get("exported_at") or "", row["sha256"],
                row.get("report_status") or "", row.get("imported_at") or "", period_title(p) if p else "")


def findings_json(sub: Submission) -> str:
    """The `findings` column: the first error messages, and how many errors have a giải trình. A plain list (no
    explained error) is what every version before giải trình wrote, and is still read as such."""
    if not sub.explained:
        return json.dumps(sub.findings, ensure_ascii=False)
    return json.dumps({"messages": sub.findings, "explained": sub.explained}, ensure_ascii=False)


def read_findings(text) -> tuple[list[str], int]:
    try:
        v = json.loads(text or "[]")
    except ValueError:
        return [], 0
    if isinstance(v, dict):
        msgs, n = v.get("messages"), v.get("explained")
        return ([str(x) for x in msgs] if isinstance(msgs, list) else [],
                n if isinstance(n, int) and not isinstance(n, bool) and n >= 0 else 0)
    return ([str(x) for x in v] if isinstance(v, list) else []), 0


def _from_document(document: str) -> dict:
    try:
        d = json.loads(document)
        c = d.get("commune") or {}
        return {"province_code": c.get("province_code"), "commune_name": c.get("name"),
                "template_version": (d.get("template") or {}).get("version"),
                "period": json.dumps(d.get("period"), ensure_ascii=False), "report_status": d.get("status"),
                "errors": 0, "warnings": 0, "findings": None, "file_sha256": None, "app_version": None}
    except (ValueError, TypeError, AttributeError):
        return {"period": None}


def now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


# -- the importer, shared by a real import and a dry run ----------------------------------------------------------

def run_import(reader: Reader, registry, paths, *, province,
               store: Callable[[Submission, set[int], bool], bool] | None, progress: Progress | None,
               cancelled: Callable[[], bool] | None) -> ImportResult:
    """Read, check and decide every input; `store(sub, other_revisions, key_pending)` keeps an accepted one (None:
    a dry run). A bundle whose key is not confirmed as its commune's is stored but held (a «held» line)."""
    pc = check_province(province)
    validate = validator()
    srcs = list_sources(paths)
    usable, _held = reader.split(reader.rows(pc))
    existing = [s for s in (reader.submission(r, None) for r in usable) if s is not None]
    known: dict[tuple, Line] = {(*s.key, s.revision, s.json_sha256): s.line for s in existing}
    revs: dict[tuple, set[int]] = {}
    for s in existing:
        revs.setdefault(s.key, set()).add(s.revision)
    lines: list[Line] = []
    new: list[Submission] = []
    res = ImportResult(lines, dry_run=store is None, province=pc)
    zips: dict = {}
    try:
        for i, src in enumerate(srcs):
            if cancelled is not None and cancelled():
                res.cancelled = True
                lines += [Line(s.name, "skipped", "chưa nhập: đã hủy.", "cancelled") for s in srcs[i:]]
                break
            if progress is not None:
                progress(i, len(srcs), src.name)
            got = read_source(src, registry, province=pc, validate=validate, zips=zips, keep=store is not None)
            if isinstance(got, Line):
                lines.append(got)
                continue
            dup = duplicate_of(got, known)
            if dup is not None:
                when = f", nhập lúc {hm(dup.imported_at)}" if dup.imported_at else ""
                got.line.status, got.line.message = "duplicate", f"cùng nội dung với «{dup.source}»{when}; không có gì mới."
                lines.append(got.line)
                continue
            code, pub = got.key[0], got.signed.public_key
            if not reader.keys.trusted(code, pub):  # stored, waits for the officer to confirm the key
                got.line.status, got.line.reason = "held", "pending_key"
                got.line.message = pending_message(code, pub, reader.keys.has_confirmed(code))
                if store is not None and not store(got, revs.get(got.key, set()), True):
                    got.line.status = "duplicate"
                    got.line.message = "cùng nội dung với một bản đã có (đang chờ xác nhận khóa); không có gì mới."
                reader.keys.note(code, pub, PENDING)
                got._packed = None
                lines.append(got.line)
                continue
            if store is not None and not store(got, revs.get(got.key, set()), False):  # stored meanwhile
                got.line.status, got.line.message = "duplicate", "cùng nội dung với một bản đã có; không có gì mới."
                lines.append(got.line)
                continue
            got._packed = None  # stored (or a dry run): the decision needs no document
            known[(*got.key, got.revision, got.json_sha256)] = got.line
            revs.setdefault(got.key, set()).add(got.revision)
            lines.append(got.line)
            new.append(got)
    finally:
        for zf in zips.values():
            zf.close()
    touched = {s.key for s in new}
    decide([s for s in existing if s.key in touched] + new)  # the final word on each new line
    res.groups = sorted({(ln.template, ln.period) for ln in lines
                         if ln.status in ("accepted", "duplicate", "replaced", "conflict") and ln.template})
    return res


def hm(iso: str) -> str:
    try:
        return dt.datetime.fromisoformat(iso).strftime("%H:%M %d/%m/%Y")
    except (TypeError, ValueError):
        return iso or ""


# -- a dry run without opening the data folder --------------------------------------------------------------------

def preview_import(data_dir, paths, *, province: str | None = None, progress: Progress | None = None,
                   cancelled: Callable[[], bool] | None = None) -> ImportResult:
    """What an import would do, without opening the data folder for writing: no database, lock file or templates
    folder is created; an existing database is only read (read-only), to tell duplicates and newer revisions."""
    from nq57desk import settings
    from nq57desk.templates import Registry

    folder = _data_folder(data_dir)
    tdir = folder / "templates"
    registry = Registry([tdir] if tdir.is_dir() else [], data_dir=folder)
    db = settings.db_path(folder)
    con = None
    if db.is_file():
        try:
            con = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
        except sqlite3.Error as e:
            raise StoreError(f"Không đọc được cơ sở dữ liệu {db} ({e}).") from e

    def run(sql: str, params: tuple) -> list:
        if con is None:
            return []
        try:
            return con.execute(sql, params).fetchall()
        except sqlite3.Error as e:
            raise StoreError(f"Không đọc được cơ sở dữ liệu {db} ({e}).") from e

    try:
        return run_import(Reader(run, registry), registry, paths, province=province, store=None, progress=progress,
                       cancelled=cancelled)
    finally:
        if con is not None:
            con.close()


def _data_folder(override) -> Path:
    """The data folder a command would use, without creating it."""
    from nq57desk import settings

    if override:
        return Path(override)
    if os.environ.get("NQ57_DATA_DIR"):
        return Path(os.environ["NQ57_DATA_DIR"])
    return settings.data_dir()

