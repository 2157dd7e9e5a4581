"""The upper level on one open data folder: import into the store, what was received, consolidated outputs."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

from nq57desk.aggregate.collect import check_province
from nq57desk.aggregate.decide import (
    CommuneStatus,
    Decision,
    Group,
    Line,
    Submission,
    decide,
    group_provinces,
    groups_of,
    make_group,
)
from nq57desk.errors import NQError, StoreError
from nq57desk.report.document import period_title
from nq57desk.units import communes, provinces
from nq57desk.upper.reading import Progress, Reader, findings_json, now, run_import
from nq57desk.upper.results import GroupInfo, ImportResult

Key = tuple[str, str, str]
MARK_EVERY = 50  # files stored between two writes of the commit marker (Desk.note_commit, fsynced)


class Upper:
    """The upper level on one open data folder (a Desk): its store of received bundles."""

    def __init__(self, desk):
        self.desk = desk
        self.registry = desk.registry
        self._commit_no = 0
        self._unmarked = 0
        self._changed: dict[int, str] | None = None  # stored rows changed since signed (checked once, at first use)

    # reading -------------------------------------------------------------------------------------------------
    def _run(self, sql: str, params: tuple) -> list:
        with self.desk.engine.connect() as c:
            return c.exec_driver_sql(sql, params).fetchall()

    def _reader(self) -> Reader:
        if self._changed is None:  # the upper level's start: every stored document against its signature
            self._changed = self._changed_documents()
        return Reader(self._run, self.registry, self._changed)

    def _document(self, rid: int) -> str:
        rows = self._run("SELECT document FROM received WHERE id = ?", (rid,))
        if not rows:
            raise NQError(f"Không còn bản nhận số {rid} trong cơ sở dữ liệu.")
        return rows[0][0]

    def _decisions(self, province=None, template=None, period=None, documents=False) -> dict[Key, Decision]:
        return self._decided(province, template, period, documents)[0]

    def _decided(self, province=None, template=None, period=None, documents=False) -> tuple[dict[Key, Decision], list[Line]]:
        """The decisions over the rows that count, and a «held» line for each row that does not (its key not
        confirmed, unsigned, or its stored copy changed since its commune signed it: left out of everything)."""
        r = self._reader()
        usable, held = r.split(r.rows(province, template, period))
        subs = [r.submission(row, self._document if documents else None) for row in usable]
        return decide(s for s in subs if s is not None), held

    def _changed_documents(self) -> dict[int, str]:
        """id → why, for the stored bundles whose document or fields are no longer what the commune signed."""
        return {rid: why + "; không tổng hợp, hãy nhập lại gói của xã." for rid, why in changed_rows(self._run)}

    # import --------------------------------------------------------------------------------------------------
    def import_bundles(self, paths, *, province: str | None = None, dry_run: bool = False,
                       progress: Progress | None = None, cancelled: Callable[[], bool] | None = None) -> ImportResult:
        """Import bundles (files, folders, .zip packages) into the store; a dry run stores and writes nothing.

        progress(done, total, name) is called before each file; cancelled() is asked before each file: True stops
        there (what was stored stays stored; the rest get a "chưa nhập" line).
        """
        state = {"backup": None, "tried": False}

        def store(sub: Submission, others: set[int], pending: bool) -> bool:
            if not state["tried"]:
                state["tried"] = True
                state["backup"] = self._backup()
            return self._store(sub, others, pending)

        try:
            res = run_import(self._reader(), self.registry, paths, province=province, store=None if dry_run else store,
                             progress=progress, cancelled=cancelled)
        finally:
            self._mark()
        res.backup = state["backup"]
        return res

    def _mark(self) -> None:
        if self._unmarked:
            self.desk.note_commit(self._commit_no)
            self._unmarked = 0

    def _backup(self) -> str | None:
        from nq57desk.safety.backup import backup_now

        try:
            with self.desk.engine.connect() as c:
                has = c.exec_driver_sql("SELECT (SELECT count(*) FROM report) + (SELECT count(*) FROM profile) + "
                                        "(SELECT count(*) FROM received)").scalar()
            if not has:
                return None
            p = backup_now(self.desk.db_path, self.desk.backups_dir, "truoc-nhap", only_if_changed=True)
        except (OSError, StoreError, sqlite3.Error) as e:
            raise StoreError(f"Không sao lưu được cơ sở dữ liệu trước khi nhập ({e}); chưa nhập tệp nào.") from e
        return str(p) if p else None

    def _store(self, sub: Submission, others: set[int], pending: bool = False) -> bool:
        """One accepted bundle, in one transaction; False when the same content is already there.

        `others`: the revisions of the same report already stored (the folder has one writer: it is exact), so the
        common case — a report's first bundle — is a single INSERT. `pending`: its key is not yet confirmed as the
        commune's; the key is noted as pending in the same transaction.
        """
        from sqlalchemy.exc import IntegrityError

        from nq57desk.store import received as repo

        code, tid, pc = sub.key
        t = now()
        values = dict(commune_code=code, template_id=tid, period_code=pc, revision=sub.revision, sha256=sub.json_sha256,
                      document=sub.text(), source_name=sub.line.source, exported_at=sub.exported_at or None,
                      imported_at=t, superseded=any(r > sub.revision for r in others),
                      province_code=sub.commune.get("province_code"), commune_name=sub.commune.get("name"),
                      template_version=sub.template.version, period=json.dumps(sub.period, ensure_ascii=False),
                      report_status=sub.report_status, file_sha256=sub.file_sha256 or None, errors=sub.errors,
                      warnings=sub.warnings, findings=findings_json(sub),
                      app_version=sub.app_version[:40], public_key=sub.signed.public_key,
                      signature=sub.signed.signature, signed=sub.signed.fields_json)
        try:  # a Core connection, not an ORM session: one of these per file, thousands in a province's import
            with self.desk.engine.begin() as c:
                sub.row_id = repo.insert_received(c, values, supersede_older=any(r < sub.revision for r in others))
                if pending:
                    repo.add_key(c, code, sub.signed.public_key, repo.PENDING, "bundle", t)
                n = repo.count_commit(c)
        except IntegrityError:  # the same content is stored: fine, unless that stored copy was changed since
            n = self._repair(values, sub)
            if n is None:
                return False
        self._commit_no = n
        self._unmarked += 1
        if self._unmarked >= MARK_EVERY:  # the marker beside the database: every MARK_EVERY files and at the end
            self._mark()
        sub.imported_at = sub.line.imported_at = t
        return True

    def _repair(self, values: dict, sub: Submission) -> int | None:
        """The commune's genuine bundle again, where its stored copy was changed in the database: the stored copy
        is rewritten from the bundle (the commit number, or None when there was nothing to repair)."""
        from nq57desk.store import received as repo

        with self.desk.engine.begin() as c:
            rid = repo.same_received(c, values)
            if rid is None or rid not in (self._changed or {}):
                return None
            repo.rewrite_received(c, rid, values)
            n = repo.count_commit(c)
        del self._changed[rid]
        sub.row_id = rid
        return n

    # what is there -------------------------------------------------------------------------------------------
    def provinces(self) -> list[tuple[str, str]]:
        """(code, name) of the provinces bundles were received from, by name."""
        rows = self._run("SELECT DISTINCT province_code FROM received WHERE province_code IS NOT NULL", ())
        codes = {r[0] for r in rows}
        return [(c, n) for c, n in provinces() if c in codes]

    def groups(self, province: str | None = None) -> list[GroupInfo]:
        """The templates and periods received (for one province, or all), the most reported first."""
        pc = check_province(province)
        decisions = self._decisions(pc)
        out = []
        for tid, per in groups_of(decisions):
            ds = [d for k, d in decisions.items() if k[1:] == (tid, per)]
            any_sub = next(s for d in ds for s in [d.used, *d.conflict, *d.history] if s is not None)
            out.append(GroupInfo(tid, any_sub.template.title, per, period_title(any_sub.period),
                                 sum(1 for d in ds if d.used is not None),
                                 tuple(group_provinces(decisions, tid, per))))
        return out

    def group(self, template: str, period: str, province: str | None = None, *, documents: bool = True) -> Group:
        """Completeness and the reports used for one template and period: of `province`'s communes, or of every
        province this group's bundles come from. documents=False: no document is read (completeness only)."""
        pc = check_province(province)
        decisions, held = self._decided(pc, template, period, documents=documents)
        provs = [pc] if pc else group_provinces(decisions, template, period)
        units = [u for p in provs for u in communes(p)]
        subs = [s for d in decisions.values() for s in [d.used, *d.conflict, *d.history] if s is not None]
        lines = [s.line for s in sorted(subs, key=lambda s: (s.imported_at, s.row_id or 0))] + held
        peers = None
        if documents:  # the period's reports under every template, for the sheet by indicator code
            peers = [d.used for d in self._decisions(pc, None, period, documents=True).values() if d.used is not None]
        g = make_group(decisions, template, period, units, lines, peers)
        g.catalogue = self.catalogue()
        return g

    def catalogue(self):
        """The indicator catalogue of this data folder: the shipped one and the province's additions."""
        from nq57desk.templates.catalogue import catalogue_for

        return catalogue_for(self.desk.data_dir)

    def completeness(self, template: str, period: str, province: str | None = None) -> list[CommuneStatus]:
        return self.group(template, period, province, documents=False).completeness

    def history(self, commune_code: str, template: str, period: str) -> list[Line]:
        """Every bundle received for one commune's report, newest revision first, with what became of it."""
        r = self._reader()
        rows, held = r.split([x for x in r.rows(None, template, period) if x["commune_code"] == commune_code])
        subs = [s for s in (r.submission(x, None) for x in rows) if s is not None]
        decide(subs)
        return [s.line for s in sorted(subs, key=lambda s: (-s.revision, s.imported_at))] + held

    # the key registry (nq57desk.upper.keys) ------------------------------------------------------------------
    def held(self, province: str | None = None) -> list[Line]:
        """Every stored bundle that is not used, with the reason (key to confirm, unsigned, signature failing)."""
        return self._decided(check_province(province), documents=True)[1]

    def keys(self) -> list[dict]:
        """The registry: one entry per commune key, with its code to read over the phone and its status."""
        from nq57desk.bundle.signing import fingerprint
        from nq57desk.store.received import key_rows
        from nq57desk.units import commune

        with self.desk.engine.connect() as c:
            rows = key_rows(c)
        out = []
        for code, pub, status, source, first, confirmed in rows:
            u = commune(code)
            out.append({"commune_code": code, "commune_name": u.name if u else "", "public_key": pub,
                        "fingerprint": fingerprint(pub), "status": status, "source": source, "first_seen": first,
                        "confirmed_at": confirmed})
        return out

    def confirm_key(self, commune_code: str, fingerprint: str | None = None) -> list[str]:
        """Confirm the commune's pending key (the one whose code the officer compared with the commune's); its
        stored bundles count from now on. With several pending keys the code must say which. Returns the codes
        confirmed."""
        from nq57desk.bundle.signing import fingerprint as fp
        from nq57desk.bundle.signing import same_fingerprint
        from nq57desk.store import received as repo

        code = str(commune_code).strip()
        pending = [k for k in self.keys() if k["commune_code"] == code and k["status"] == repo.PENDING]
        if fingerprint:
            pending = [k for k in pending if same_fingerprint(k["fingerprint"], fingerprint)]
        if not pending:
            what = f" có mã «{fingerprint}»" if fingerprint else ""
            raise NQError(f"Xã {code} không có khóa nào{what} đang chờ xác nhận.")
        if len(pending) > 1:
            raise NQError(f"Xã {code} có {len(pending)} khóa đang chờ xác nhận ("
                          + ", ".join(k["fingerprint"] for k in pending) + "); hãy ghi mã khóa đã đối chiếu với xã.")
        with self.desk.engine.begin() as c:
            repo.add_key(c, code, pending[0]["public_key"], repo.CONFIRMED, "confirmed", now())
            n = repo.count_commit(c)
        self.desk.note_commit(n)
        return [fp(pending[0]["public_key"])]

    def export_keys(self, path) -> int:
        """Write the confirmed keys to a registry file another upper level imports; returns how many."""
        from nq57desk.safety.atomic import atomic_write_bytes
        from nq57desk.store.received import key_rows
        from nq57desk.units import commune
        from nq57desk.upper.keys import registry_file

        with self.desk.engine.connect() as c:
            rows = key_rows(c)
        names = {code: (u.name if (u := commune(code)) else "") for code, *_ in rows}
        atomic_write_bytes(Path(path), registry_file(rows, names))
        return sum(1 for r in rows if r[2] == "confirmed")

    def import_keys(self, path) -> tuple[int, int]:
        """Read the province's registry file: every key in it becomes confirmed for its commune (all or nothing).
        Returns (keys new or newly confirmed, keys already confirmed)."""
        from nq57desk.store import received as repo
        from nq57desk.upper.keys import read_registry_file

        p = Path(path)
        try:
            data = p.read_bytes()
        except OSError as e:
            raise NQError(f"Không đọc được tệp khóa «{p}» ({e.strerror or e}).") from None
        entries = read_registry_file(data, p.name)
        t, changed = now(), 0
        with self.desk.engine.begin() as c:
            for code, pub in entries:
                changed += repo.add_key(c, code, pub, repo.CONFIRMED, "file", t)
            n = repo.count_commit(c)
        self.desk.note_commit(n)
        return changed, len(entries) - changed

    def verify_received(self) -> list[str]:
        """What `check` and the upper level's start report: stored bundles changed since their commune signed
        them (Vietnamese, one line each)."""
        return received_problems(self._run)


    # outputs -------------------------------------------------------------------------------------------------
    def chosen_groups(self, province=None, template=None, period=None, only=None) -> list[tuple[str, str]]:
        """The (template, period) groups an output covers: the one asked for, else every group received (limited to
        `only` when given); BundleError when the one asked for has no report."""
        from nq57desk.aggregate.workbook import pick_groups

        pc = check_province(province)
        have = groups_of(self._decisions(pc))  # the order of groups(), without building each group's summary
        if only is not None and not (template or period):
            have = [g for g in have if g in set(only)]
        return pick_groups(have, template, period)

    def write_workbook(self, path, *, province: str | None = None, template: str | None = None,
                       period: str | None = None, only: list[tuple[str, str]] | None = None) -> list[Path]:
        """The consolidated workbook(s): one for the chosen (template, period), else one per group present
        (OUT_<template>_<period>.xlsx). `only`: limit the groups to these (e.g. those an import touched)."""
        from nq57desk.aggregate.workbook import group_paths, write_group_workbook

        groups = self.chosen_groups(province, template, period, only)
        if not groups:  # nothing received yet: the completeness sheet alone (every commune missing)
            return [write_group_workbook(self.group("", "", province or self._default_province()), Path(path))]
        targets = group_paths(Path(path), groups)
        for (tid, per), target in zip(groups, targets, strict=True):
            write_group_workbook(self.group(tid, per, province), target)
        return targets

    def write_docx(self, path, *, province: str | None = None, template: str | None = None, period: str | None = None,
                   only: list[tuple[str, str]] | None = None, issuer: list[str] | None = None) -> list[Path]:
        """The consolidated DOCX report skeleton(s) in the Decree 30 format, one per group like the workbook."""
        from nq57desk.aggregate.report_docx import write_consolidated_docx
        from nq57desk.aggregate.workbook import group_paths

        groups = self.chosen_groups(province, template, period, only)
        if not groups:
            raise NQError("Chưa có báo cáo nào của các xã để lập báo cáo tổng hợp.")
        targets = group_paths(Path(path), groups)
        for (tid, per), target in zip(groups, targets, strict=True):
            write_consolidated_docx(self.group(tid, per, province), target, issuer=issuer)
        return targets

    def write_csv(self, path, *, province: str | None = None, template: str | None = None, period: str | None = None,
                  only: list[tuple[str, str]] | None = None) -> int:
        """One DHIS2 dataValueSet CSV with every report used of the chosen groups; returns the number of rows."""
        from nq57desk.aggregate.dhis2 import write_dhis2_csv

        groups = self.chosen_groups(province, template, period, only)
        return write_dhis2_csv([self.group(tid, per, province) for tid, per in groups], path)

    def _default_province(self) -> str | None:
        p = self.desk.profile() or {}
        return (p.get("commune") or {}).get("province_code") or None


def changed_rows(run) -> list[tuple[int, str]]:
    """(id, why) of the stored bundles whose document or fields are no longer what the commune signed, through
    `run(sql, params)` (the Desk's engine, or a read-only sqlite3 connection for `nq57desk check`)."""
    from nq57desk.store.received import SIGNED_COLUMNS, signed_rows_sql
    from nq57desk.upper.keys import document_problem

    try:
        cols = {r[1] for r in run("PRAGMA table_info(received)", ())}
    except (sqlite3.Error, StoreError):
        return []
    if not set(SIGNED_COLUMNS) <= cols:
        return []
    out = []
    for r in run(signed_rows_sql("signed IS NOT NULL"), ()):
        row = dict(zip(SIGNED_COLUMNS, r, strict=True))
        if why := document_problem(row):
            out.append((row["id"], why))
    return out


def received_problems(run) -> list[str]:
    """`check`'s lines for the stored bundles changed since signed (Vietnamese, one each, naming the bundle)."""
    rows = {r[0]: r for r in run("SELECT id, commune_code, period_code, revision FROM received", ())} \
        if (bad := changed_rows(run)) else {}
    return [f"gói đã nhận số {rid} (xã {rows[rid][1]}, kỳ {rows[rid][2]}, lần gửi {rows[rid][3]}): {why}"
            for rid, why in bad]
