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
MARK_EVERY = 50  # files stored between two writes of the commit marker (Desk._write_marker, fsynced)


class Upper:
    """The upper level on one open data folder (a Desk): its store of received bundles."""

    def __init__(self, desk):
        self.desk = desk
        self.registry = desk.registry
        self._commit_no = 0
        self._unmarked = 0

    # reading -------------------------------------------------------------------------------------------------
    def _run(self, sql: str, params: tuple) -> list:
        with self.desk.engine.connect() as c:
            return c.exec_driver_sql(sql, params).fetchall()

    def _reader(self) -> Reader:
        return Reader(self._run, self.registry)

    def _document(self, rid: int) -> str:
        rows = self._run("SELECT document FROM received WHERE id = ?", (rid,))
        if not rows:
            raise NQError(f"Không còn bản nhận số {rid} trong cơ sở dữ liệu.")
        return rows[0][0]

    def _decisions(self, province=None, template=None, period=None, documents=False) -> dict[Key, Decision]:
        r = self._reader()
        subs = [r.submission(row, self._document if documents else None) for row in r.rows(province, template, period)]
        return decide(s for s in subs if s is not None)

    # import --------------------------------------------------------------------------------------------------
    def import_bundles(self, paths, *, province: str | None = None, dry_run: bool = False,
                       progress: Progress | None = None, cancelled: Callable[[], bool] | None = None) -> ImportResult:
        """Import bundles (files, folders, .zip packages) into the store; a dry run stores and writes nothing.

        progress(done, total, name) is called before each file; cancelled() is asked before each file: True stops
        there (what was stored stays stored; the rest get a "chưa nhập" line).
        """
        state = {"backup": None, "tried": False}

        def store(sub: Submission, others: set[int]) -> bool:
            if not state["tried"]:
                state["tried"] = True
                state["backup"] = self._backup()
            return self._store(sub, others)

        try:
            res = run_import(self._reader(), self.registry, paths, province=province, store=None if dry_run else store,
                             progress=progress, cancelled=cancelled)
        finally:
            self._mark()
        res.backup = state["backup"]
        return res

    def _mark(self) -> None:
        if self._unmarked:
            self.desk._dirty = True
            self.desk._write_marker(self._commit_no)
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

    def _store(self, sub: Submission, others: set[int]) -> bool:
        """One accepted bundle, in one transaction; False when the same content is already there.

        `others`: the revisions of the same report already stored (the folder has one writer: it is exact), so the
        common case — a report's first bundle — is a single INSERT.
        """
        from sqlalchemy import insert, update
        from sqlalchemy.exc import IntegrityError

        from nq57desk.store.models import Received

        code, tid, pc = sub.key
        t = now()
        values = dict(commune_code=code, template_id=tid, period_code=pc, revision=sub.revision, sha256=sub.json_sha256,
                      document=sub.text(), source_name=sub.line.source, exported_at=sub.exported_at or None,
                      imported_at=t, superseded=any(r > sub.revision for r in others),
                      province_code=sub.commune.get("province_code"), commune_name=sub.commune.get("name"),
                      template_version=sub.template.version, period=json.dumps(sub.period, ensure_ascii=False),
                      report_status=sub.report_status, file_sha256=sub.file_sha256 or None, errors=sub.errors,
                      warnings=sub.warnings, findings=findings_json(sub),
                      app_version=sub.app_version[:40])
        try:  # a Core connection, not an ORM session: one of these per file, thousands in a province's import
            with self.desk.engine.begin() as c:
                sub.row_id = c.execute(insert(Received).values(**values)).inserted_primary_key[0]
                if any(r < sub.revision for r in others):
                    c.execute(update(Received).where(Received.commune_code == code, Received.template_id == tid,
                                                     Received.period_code == pc, Received.revision < sub.revision)
                              .values(superseded=True))
                # the commit number that lost-WAL detection compares (Desk._count_commit does this for sessions)
                n = c.exec_driver_sql("PRAGMA user_version").scalar() + 1
                c.exec_driver_sql(f"PRAGMA user_version = {int(n)}")
        except IntegrityError:
            return False
        self._commit_no = n
        self._unmarked += 1
        if self._unmarked >= MARK_EVERY:  # the marker beside the database: every MARK_EVERY files and at the end
            self._mark()
        sub.imported_at = sub.line.imported_at = t
        return True

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
        decisions = self._decisions(pc, template, period, documents=documents)
        provs = [pc] if pc else group_provinces(decisions, template, period)
        units = [u for p in provs for u in communes(p)]
        subs = [s for d in decisions.values() for s in [d.used, *d.conflict, *d.history] if s is not None]
        lines = [s.line for s in sorted(subs, key=lambda s: (s.imported_at, s.row_id or 0))]
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
        rows = [x for x in r.rows(None, template, period) if x["commune_code"] == commune_code]
        subs = [s for s in (r.submission(x, None) for x in rows) if s is not None]
        decide(subs)
        return [s.line for s in sorted(subs, key=lambda s: (-s.revision, s.imported_at))]

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
