"""The open data folder: reports, revisions, templates, profile, acknowledgements, exports. Every write is one
transaction; what leaves is plain data (nq57desk.services.records)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, sessionmaker

from nq57desk import settings
from nq57desk.errors import DocumentError, NQError, TemplateError
from nq57desk.errors import os_error_vi as os_error_vi  # re-export: the one translation lives in errors.py
from nq57desk.report import document as rdoc
from nq57desk.report import outline
from nq57desk.report.carry import carry_forward
from nq57desk.report.shaping import shape
from nq57desk.safety import lock
from nq57desk.safety.backup import (
    BackupInfo,
    backup_file_name,
    backup_now,
    list_backups,
    make_backup,
)
from nq57desk.safety.integrity import SESSION_SUFFIX, DamagedDatabase, check_database
from nq57desk.services.folder import atomic_write, has_data
from nq57desk.services.records import (
    EDITED_NOTICE,
    REOPENED_NOTICE,
    STATUS_SUMMARY,
    ReportInfo,
    RevisionInfo,
    SaveResult,
    TemplateInfo,
    now,
)
from nq57desk.services.summary import age_seconds, changes, merge_summary
from nq57desk.store.engine import make_engine, migrate
from nq57desk.store.models import Acknowledgement, Profile, Report, Revision
from nq57desk.templates import Registry, Template
from nq57desk.templates.cache import cache_dir
from nq57desk.units import check_commune, commune_dict
from nq57desk.validation import Finding, blocking, done_refusal, refusal_text, validate

COALESCE_SECONDS = 600  # edits by the same person within 10 minutes extend one revision


class Desk:
    """One open data folder: its database, its templates. Pass it in; there is no global instance."""

    def __init__(self, data_dir: str | os.PathLike | None = None, *, start_backup: bool = True):
        """Open a data folder: lock it, check the database, migrate (backup first), back up if changed.

        Raises FolderLocked when another process has the folder open and DamagedDatabase when the file is
        damaged (nothing is written to it; the caller offers `restore_from_backup`).
        """
        self.data_dir = settings.data_dir(data_dir)
        self.db_path = settings.db_path(self.data_dir)
        self.backups_dir = self.data_dir / "backups"
        self._closed = False
        self._marker_synced = False
        lock.acquire(self.data_dir)
        try:
            from nq57desk.bundle.package import LOCAL_DIR
            from nq57desk.safety.atomic import clean_leftovers

            for folder in (self.data_dir, self.data_dir / LOCAL_DIR):  # what killed writes left (the folder is ours now)
                clean_leftovers(folder)
            if self.db_path.exists():
                res = check_database(self.db_path, self.backups_dir)
                if not res.ok:
                    raise DamagedDatabase(res, self.db_path)
            self.engine = make_engine(self.db_path)
            self._dirty = False
            self.migration_backup = migrate(self.engine, self.db_path, self.backups_dir)
            if start_backup and self.migration_backup is None and has_data(self.engine):
                backup_now(self.db_path, self.backups_dir, "khoi-dong", only_if_changed=True)
        except BaseException:
            lock.release(self.data_dir)
            raise
        self._session = sessionmaker(self.engine, expire_on_commit=False)
        event.listen(self._session, "before_commit", self._count_commit)
        event.listen(self._session, "after_commit", self._note_commit)
        self.registry = Registry([settings.user_templates_dir(self.data_dir)], cache_dir=cache_dir(self.data_dir),
                                 data_dir=self.data_dir)

    def _count_commit(self, session) -> None:
        """Every write transaction also raises user_version (in the database header, same transaction)."""
        from nq57desk.store.engine import count_commit

        session.info["commit_no"] = count_commit(session.connection())

    def _note_commit(self, session) -> None:
        """After a commit: remember its number beside the database, so a WAL lost after a power cut (the main
        file then lags behind this number) is noticed at the next start."""
        n = session.info.pop("commit_no", None)
        if n is not None:
            self.note_commit(n)

    def note_commit(self, n: int) -> None:
        """The one hook after a write transaction committed outside a session (the upper level's store, which
        raised the number with nq57desk.store.received.count_commit): backup at close, marker beside the file."""
        self._dirty = True
        self._write_marker(n)

    def _write_marker(self, n: int) -> None:
        """Durably: the number is overwritten in place at a fixed width (one sector, never half-written) and
        fsynced; the folder is synced once, so the marker's name survives a power cut too. The commit is already
        safe, so a marker that cannot be written is logged, not raised."""
        from nq57desk.safety.atomic import fsync_dir

        marker = Path(str(self.db_path) + SESSION_SUFFIX)
        try:
            fd = os.open(marker, os.O_WRONLY | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o644)
            try:
                os.write(fd, f"{int(n):020d}\n".encode("ascii"))
                os.fsync(fd)
            finally:
                os.close(fd)
            if not self._marker_synced:
                fsync_dir(marker.parent)
                self._marker_synced = True
        except OSError:
            from nq57desk.safety.logs import log_unexpected

            log_unexpected(self.data_dir, "khi ghi dấu phiên làm việc")

    def close(self, backup: bool = True) -> None:
        """Back up if changed, checkpoint the WAL, forget the session marker, release the folder."""
        if self._closed:
            return
        self._closed = True
        try:
            if backup and self._dirty:
                try:
                    backup_now(self.db_path, self.backups_dir, "dong-ung-dung", only_if_changed=True)
                except (OSError, NQError):
                    pass  # a failed backup at close must not lose the close itself
            with self.engine.connect() as c:
                c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            Path(str(self.db_path) + SESSION_SUFFIX).unlink(missing_ok=True)
            self.engine.dispose()
        finally:
            lock.release(self.data_dir)

    # backups -------------------------------------------------------------------------------------------------
    def backup(self, dest: str | os.PathLike | None = None) -> Path:
        """"Sao lưu": to a chosen file (USB) or into the rotated backups folder; verified before it is named."""
        if dest is None:
            return backup_now(self.db_path, self.backups_dir, "thu-cong")
        dest = Path(dest)
        if dest.is_dir():
            dest = dest / backup_file_name("thu-cong")
        return make_backup(self.db_path, dest, reread=True)

    def list_backups(self) -> list[BackupInfo]:
        return list_backups(self.backups_dir)

    def session(self) -> Session:
        return self._session()

    # templates ---------------------------------------------------------------------------------------------
    def templates(self) -> list[TemplateInfo]:
        from nq57desk.templates import builtin_dir

        out = []
        for t in self.registry.latest():
            out.append(TemplateInfo(t.id, t.version, t.title, t.period_kinds,
                                    builtin=(builtin_dir() / t.source).exists(), provinces=t.provinces))
        return out

    def template(self, tid: str, version: int | None = None) -> Template:
        return self.registry.get(tid, version)

    def import_template(self, path: str | os.PathLike) -> TemplateInfo:
        """Check a template file from a USB stick, then copy it into the data folder (atomically)."""
        from nq57desk.templates.loader import load_template  # YAML when a file is parsed, not at start-up

        tpl = load_template(path, self.registry.catalogue())  # raises TemplateError naming the file, place, problem
        for t in self.registry.all():
            if t.id == tpl.id and t.version == tpl.version:
                raise TemplateError(Path(path).name, "", f"mẫu «{tpl.id}» phiên bản {tpl.version} đã có; hãy tăng «version»")
        dest = settings.user_templates_dir(self.data_dir) / f"{tpl.id}-v{tpl.version}{Path(path).suffix.lower()}"
        atomic_write(dest, Path(path).read_bytes())
        return TemplateInfo(tpl.id, tpl.version, tpl.title, tpl.period_kinds, builtin=False, provinces=tpl.provinces)

    # profile -----------------------------------------------------------------------------------------------
    def profile(self) -> dict | None:
        with self.session() as s:
            p = s.get(Profile, 1)
            return json.loads(p.data) if p else None

    def author(self, s: Session | None = None) -> str:
        """Who a revision is by, for «Lịch sử các bản»: the officer named in the profile («Người lập báo cáo»),
        else the computer's login name. Inside a transaction, pass its session (the profile is read there)."""
        if getattr(self, "_author", None) is None:
            if s is None:
                p = self.profile() or {}
            else:
                row = s.get(Profile, 1)
                p = json.loads(row.data) if row is not None else {}
            self._author = (str(p.get("officer") or "").strip() or settings.local_user())[:100]
        return self._author

    def save_profile(self, data: dict) -> dict:
        from nq57desk.vn import nfc_deep

        data = nfc_deep(dict(data))
        commune = commune_dict(data.get("commune_code") or (data.get("commune") or {}).get("code", ""))
        data["commune"] = commune
        data["commune_code"] = commune["code"]
        data.setdefault("issuer", ["ỦY BAN NHÂN DÂN", commune["name"].upper()])
        data.setdefault("place", rdoc._place_of(commune["name"]))
        data.setdefault("symbol", "BC-UBND")
        with self.session() as s, s.begin():
            p = s.get(Profile, 1)
            if p is None:
                p = Profile(id=1)
                s.add(p)
            p.commune_code = commune["code"]
            p.data = json.dumps(data, ensure_ascii=False)
            p.updated_at = now()
        self._author = None
        return data

    # reports -----------------------------------------------------------------------------------------------
    def list_reports(self, year: int | None = None, status: str | None = None, deleted: bool = False) -> list[ReportInfo]:
        with self.session() as s:
            q = select(Report).where(Report.deleted_at.is_not(None) if deleted else Report.deleted_at.is_(None))
            if year:
                q = q.where(Report.period_year == year)
            if status:
                q = q.where(Report.status == status)
            rows = s.scalars(q.order_by(Report.updated_at.desc(), Report.id.desc())).all()
            demos = self._demo_ids(s)
            return [self._info(r, r.id in demos) for r in rows]

    def report_info(self, rid: int) -> ReportInfo:
        with self.session() as s:
            return self._info(self._report(s, rid), rid in self._demo_ids(s))

    @staticmethod
    def _demo_ids(s: Session) -> set[int]:
        """The reports whose current revision is the demo report, asked of SQLite's JSON functions so a list of
        reports does not parse every document."""
        q = (select(Revision.report_id).join(Report, Report.id == Revision.report_id)
             .where(Revision.number == Report.revision, func.json_extract(Revision.document, "$.demo") == 1))
        return set(s.scalars(q))

    def _info(self, r: Report, demo: bool = False) -> ReportInfo:
        try:
            title = self.registry.get(r.template_id, r.template_version).title
        except NQError:
            title = r.template_id
        period = {"kind": r.period_kind, "year": r.period_year, "number": r.period_number,
                  "start": r.period_start, "end": r.period_end}
        if r.period_kind == "custom":
            doc = None
            for rev in r.revisions[-1:]:
                doc = json.loads(rev.document)
            if doc:
                period = doc["period"]
        return ReportInfo(r.id, r.commune_code, r.commune_name, rdoc.period_title(period), r.period_code, r.period_year,
                          r.template_id, title, r.status, r.revision, r.updated_at, r.deleted_at is not None, demo)

    def _report(self, s: Session, rid: int) -> Report:
        r = s.get(Report, rid)
        if r is None:
            raise NQError(f"Không có báo cáo số {rid}.")
        return r

    def create_report(self, template_id: str, period: dict, *, from_previous: bool = False,
                      commune_code: str | None = None, version: int | None = None) -> int:
        tpl = self.registry.get(template_id, version)
        profile = self.profile() or {}
        code = commune_code or profile.get("commune_code")
        if not code:
            raise NQError("Chưa thiết lập thông tin xã/phường. Hãy vào «Thông tin đơn vị» trước khi tạo báo cáo.")
        if period.get("kind") not in tpl.period_kinds:
            raise NQError(f"Mẫu «{tpl.title}» không dùng cho kỳ báo cáo này.")
        doc = rdoc.new_document(tpl, commune_dict(code), rdoc.make_period(**period), profile)
        if from_previous:
            prev = self._previous_document(tpl, doc)
            if prev is None:
                raise NQError("Không tìm thấy báo cáo kỳ trước của mẫu này để kế thừa.")
            doc = outline.carry(tpl, prev, doc)  # the shape of the last report, not its words
            doc = carry_forward(shape(tpl, doc), prev, doc)
        return self._insert(tpl, doc, summary="Tạo mới" + (" từ báo cáo kỳ trước" if from_previous else ""))

    def _previous_document(self, tpl: Template, doc: dict) -> dict | None:
        """The same commune's most recent earlier report of this template (the previous period's, if it exists);
        never the demo report, whose words are not the commune's."""
        with self.session() as s:
            q = (select(Report).where(Report.template_id == tpl.id, Report.commune_code == doc["commune"]["code"],
                                      Report.deleted_at.is_(None),
                                      Report.period_end < (doc["period"]["end"] or doc["period"]["start"]))
                 .order_by(Report.period_end.desc(), Report.id.desc()))
            for r in s.scalars(q):
                prev = json.loads(r.revisions[-1].document)
                if not rdoc.is_demo(prev):
                    return prev
            return None

    def import_report(self, data: str | bytes, warn=None) -> int:
        """Import a report document (JSON). Nothing is written unless the whole document is accepted.

        A «Hoàn thành»/«Đã gửi» document that could not be marked so now (an error without giải trình, a required
        item blank) is stored as «Nháp» (only set_status gives those statuses); `warn(message)` is then called with
        a Vietnamese sentence.
        """
        doc = rdoc.loads(data)
        tref = doc.get("template")
        if not isinstance(tref, dict) or not isinstance(tref.get("id"), str):
            raise DocumentError("thiếu «template» {id, version}")
        if not isinstance(tref.get("version"), int) or isinstance(tref["version"], bool):
            raise DocumentError("«template.version» phải là số nguyên")
        try:
            tpl = self.registry.get(tref["id"], tref["version"])
        except NQError:
            raise DocumentError(f"mẫu báo cáo «{tref['id']}» phiên bản {tref['version']} chưa có trong ứng dụng") from None
        rdoc.check_document(doc, tpl)
        claimed, why = doc["status"], ""
        if claimed in ("done", "sent"):
            why = done_refusal(validate(tpl, doc), doc, f"ghi «{rdoc.STATUS_VI[claimed]}»")
            if why:
                doc["status"] = "draft"
        same = self._same_report(doc)
        if same is not None:  # the same file imported again: the officer means the report already here
            if warn is not None:
                warn(f"báo cáo này đã có trong ứng dụng (mã {same}: cùng xã, mẫu, kỳ và nội dung); không tạo báo cáo thứ hai.")
            return same
        if has_data(self.engine):
            backup_now(self.db_path, self.backups_dir, "truoc-nhap", only_if_changed=True)
        summary = "Nhập từ tệp"
        if why:
            summary += f"; tệp ghi «{rdoc.STATUS_VI[claimed]}» nhưng chưa đủ điều kiện nên lưu là «Nháp»"
        rid = self._insert(tpl, doc, summary=summary)
        if why and warn is not None:
            warn(f"báo cáo {rid}: tệp ghi trạng thái «{rdoc.STATUS_VI[claimed]}» nhưng chưa đủ điều kiện, nên đã nhập "
                 f"với trạng thái «Nháp» (xem: nq57desk validate {rid}). {why}")
        return rid

    def import_word(self, path, *, template_id: str | None = None, commune_code: str | None = None,
                    period: dict | None = None, dry_run: bool = False):
        """A Word report read into a new report (issue 16): returns (new id or None for a dry run, the import with
        its review). Nothing is stored unless the whole file was read and placed."""
        from nq57desk.templates.catalogue import default_catalogue
        from nq57desk.wordimport import import_word

        cat = self.registry.catalogue() or default_catalogue()
        imp = import_word(path, self.registry.latest(), cat, template_id=template_id, commune_code=commune_code,
                          period=period, profile=self.profile() or {})
        if dry_run:
            return None, imp
        if has_data(self.engine):
            backup_now(self.db_path, self.backups_dir, "truoc-nhap", only_if_changed=True)
        from pathlib import Path as _P

        return self._insert(imp.template, imp.doc, summary=f"Tạo từ báo cáo Word «{_P(str(path)).name}»"), imp

    def _same_report(self, doc: dict) -> int | None:
        """The report of the same commune, template and period whose newest revision holds exactly this document."""
        want = json.loads(rdoc.stored_text(doc))
        with self.session() as s:
            found = s.query(Report).filter_by(template_id=doc["template"]["id"], commune_code=doc["commune"]["code"],
                                              period_code=rdoc.period_code(doc["period"])).order_by(Report.id).all()
            for r in found:
                if r.revisions and json.loads(r.revisions[-1].document) == want:
                    return r.id
        return None

    def _insert(self, tpl: Template, doc: dict, summary: str) -> int:
        p = doc["period"]
        t = now()
        with self.session() as s, s.begin():
            r = Report(template_id=tpl.id, template_version=tpl.version, commune_code=doc["commune"]["code"],
                       commune_name=doc["commune"].get("name") or check_commune(doc["commune"]).name,
                       province_code=doc["commune"].get("province_code") or check_commune(doc["commune"]).province_code,
                       period_kind=p["kind"], period_year=p["year"], period_number=p.get("number"),
                       period_start=p["start"], period_end=p["end"] or "", period_code=rdoc.period_code(p),
                       status=doc["status"], revision=doc["revision"], created_at=t, updated_at=t)
            s.add(r)
            s.flush()
            rep = doc.get("replaces") or {}
            s.add(Revision(report_id=r.id, number=doc["revision"], document=rdoc.stored_text(doc), status=doc["status"],
                           frozen=doc["status"] == "sent", replaces=rep.get("revision"), author=self.author(s),
                           summary=summary, created_at=t, updated_at=t))
            return r.id

    def document(self, rid: int, revision: int | None = None) -> dict:
        with self.session() as s:
            r = self._report(s, rid)
            revs = [x for x in r.revisions if revision is None or x.number == revision]
            if not revs:
                raise NQError(f"Báo cáo {rid} không có bản số {revision}.")
            return json.loads(revs[-1].document)

    def dump(self, rid: int) -> str:
        return rdoc.dumps(self.document(rid))

    def template_of(self, rid: int) -> Template:
        """The report's template in the report's own outline (renamed, hidden, added and moved sections)."""
        return self.template_for(self.document(rid))

    def template_for(self, doc: dict) -> Template:
        return shape(self.registry.get(doc["template"]["id"], doc["template"]["version"]), doc)

    def save_document(self, rid: int, doc: dict, author: str | None = None) -> SaveResult:
        """Save an edited document. A sent (frozen) revision is never changed: the edit opens a replacement."""
        from nq57desk.vn import nfc_deep

        author = author or self.author()
        doc = nfc_deep(doc)
        if doc.get("outline") or doc.get("lines"):  # the officer shaped the report: the format that holds a shape
            doc["format"] = rdoc.FORMAT
        tpl = self.registry.get(doc["template"]["id"], doc["template"]["version"])
        t = now()
        with self.session() as s, s.begin():
            r = self._report(s, rid)
            last = r.revisions[-1]
            old = json.loads(last.document)
            # -- status: only set_status changes it; the caller's «status»/«replaces» are not taken. Any edit of a
            # «Hoàn thành» report takes it back to «Nháp» (SaveResult.reopened says so): what was finished and
            # checked is no longer what is stored, and the history says what changed.
            doc["status"], doc["replaces"] = old["status"], old.get("replaces")
            reopened = doc["status"] == "done" and not changes(tpl, old, doc).startswith("Không đổi")
            with_errors = reopened and self._errors_after_check(tpl, doc)
            if reopened:
                doc["status"] = "draft"
            # -- end status
            if last.frozen:
                number = last.number + 1
                doc["revision"] = number
                doc["status"] = "draft"
                doc["replaces"] = {"revision": last.number, "kind": (doc.get("replaces") or {}).get("kind", "thay thế")}
                rev = Revision(report_id=r.id, number=number, status="draft", frozen=False, replaces=last.number,
                               author=author, summary=f"Báo cáo thay thế bản {last.number} đã gửi; " + changes(tpl, old, doc),
                               created_at=t, updated_at=t, document="")
                s.add(rev)
            elif last.exported_at:  # handed out as a bundle: the upper level may hold it, never change it
                doc["revision"] = last.number
                if doc == old:
                    return SaveResult(last.number, last.updated_at, False, status=old["status"],
                                      replaces=old.get("replaces"))
                number = doc["revision"] = last.number + 1
                rev = Revision(report_id=r.id, number=number, status=doc.get("status", "draft"), frozen=False,
                               replaces=last.replaces, author=author, created_at=t, updated_at=t, document="",
                               summary=f"Sửa sau khi bản {last.number} đã xuất gói gửi cấp trên; " + changes(tpl, old, doc))
                s.add(rev)
            elif (last.author == author and last.status == doc.get("status") and not reopened and
                  not (last.summary or "").startswith(STATUS_SUMMARY) and
                  age_seconds(last.created_at, t) < COALESCE_SECONDS):
                rev = last
                doc["revision"] = last.number
                rev.summary = merge_summary(rev.summary, changes(tpl, old, doc))
                rev.updated_at = t
            else:
                number = last.number + 1
                doc["revision"] = number
                rev = Revision(report_id=r.id, number=number, status=doc.get("status", "draft"), frozen=False,
                               replaces=last.replaces, author=author, summary=changes(tpl, old, doc),
                               created_at=t, updated_at=t, document="")
                s.add(rev)
            rdoc.check_document(doc, tpl)
            if reopened:  # status
                rev.summary = ("Hoàn thành → Nháp vì có lỗi; " if with_errors else "Hoàn thành → Nháp vì đã sửa; ") + rev.summary
            rev.document = rdoc.stored_text(doc)
            rev.status = doc["status"]
            r.status, r.revision, r.updated_at = doc["status"], rev.number, t
            return SaveResult(rev.number, t, rev is not last, status=doc["status"], reopened=reopened,
                              notice=(REOPENED_NOTICE if with_errors else EDITED_NOTICE) if reopened else "",
                              replaces=doc.get("replaces"))

    @staticmethod
    def _errors_after_check(tpl: Template, doc: dict) -> bool:
        """True when the content could not be «Hoàn thành» (validation.done_refusal)."""
        rdoc.check_document(doc, tpl)  # a malformed document is refused before it is validated
        return bool(done_refusal(validate(tpl, doc), doc))

    def validate(self, rid: int) -> list[Finding]:
        doc = self.document(rid)
        return validate(self.registry.get(doc["template"]["id"], doc["template"]["version"]), doc)

    def acknowledge(self, rid: int, finding: Finding) -> None:
        """Accept a warning: it stays listed but no longer asks for attention. Errors cannot be acknowledged."""
        if finding.severity != "warning":
            raise NQError("Chỉ chấp nhận được cảnh báo; lỗi phải được sửa.")
        with self.session() as s, s.begin():
            self._report(s, rid)
            exists = s.scalars(select(Acknowledgement).where(
                Acknowledgement.report_id == rid, Acknowledgement.finding_key == finding.key,
                Acknowledgement.message == finding.message)).first()
            if exists is None:
                s.add(Acknowledgement(report_id=rid, finding_key=finding.key, message=finding.message,
                                      author=self.author(s), created_at=now()))

    def unacknowledge(self, rid: int, key: str, message: str) -> None:
        with self.session() as s, s.begin():
            for a in s.scalars(select(Acknowledgement).where(
                    Acknowledgement.report_id == rid, Acknowledgement.finding_key == key,
                    Acknowledgement.message == message)).all():
                s.delete(a)

    def acknowledged(self, rid: int) -> set[tuple[str, str]]:
        with self.session() as s:
            rows = s.scalars(select(Acknowledgement).where(Acknowledgement.report_id == rid)).all()
            return {(a.finding_key, a.message) for a in rows}

    def set_status(self, rid: int, status: str) -> SaveResult:
        """Nháp → Hoàn thành (refused while an error has no giải trình or a required item is blank) → Đã gửi
        (the revision is frozen)."""
        if status not in rdoc.STATUSES:
            raise NQError(f"Trạng thái «{status}» không có.")
        doc = self.document(rid)
        tpl = self.registry.get(doc["template"]["id"], doc["template"]["version"])
        cur = doc["status"]
        if status in ("done", "sent"):
            why = done_refusal(validate(tpl, doc), doc, f"đánh dấu «{rdoc.STATUS_VI[status]}»")
            if why:
                raise NQError(why)
        if status == "sent" and cur != "done":
            raise NQError("Chỉ gửi được báo cáo đã «Hoàn thành».")
        if cur == "sent":
            raise NQError("Báo cáo đã gửi không đổi trạng thái được; hãy sửa để tạo báo cáo thay thế.")
        t = now()
        with self.session() as s, s.begin():
            r = self._report(s, rid)
            last = r.revisions[-1]
            doc["status"] = status
            number = last.number + 1
            doc["revision"] = number
            rev = Revision(report_id=r.id, number=number, status=status, frozen=status == "sent", replaces=last.replaces,
                           author=self.author(s), summary=f"{STATUS_SUMMARY}{rdoc.STATUS_VI[cur]} → "
                           f"{rdoc.STATUS_VI[status]}", created_at=t, updated_at=t, document=rdoc.stored_text(doc))
            s.add(rev)
            r.status, r.revision, r.updated_at = status, number, t
            return SaveResult(number, t, True)

    def revisions(self, rid: int) -> list[RevisionInfo]:
        with self.session() as s:
            r = self._report(s, rid)
            return [RevisionInfo(x.number, x.status, x.frozen, x.replaces, x.author, x.summary, x.created_at, x.updated_at)
                    for x in reversed(r.revisions)]

    def restore_revision(self, rid: int, number: int) -> SaveResult:
        """Go back to an earlier revision: its content becomes a new revision (history is never rewritten)."""
        old = self.document(rid, number)
        cur = self.document(rid)
        old["status"] = "draft" if cur["status"] == "sent" else cur["status"]
        old["replaces"] = cur.get("replaces")
        tpl = self.registry.get(old["template"]["id"], old["template"]["version"])
        reopened = old["status"] == "done" and self._errors_after_check(tpl, old)
        if reopened:  # as for an edit: restored content with errors cannot stay «Hoàn thành»
            old["status"] = "draft"
        t = now()
        with self.session() as s, s.begin():
            r = self._report(s, rid)
            last = r.revisions[-1]
            n = last.number + 1
            if last.frozen:
                old["status"] = "draft"
                old["replaces"] = {"revision": last.number, "kind": "thay thế"}
            old["revision"] = n
            s.add(Revision(report_id=r.id, number=n, status=old["status"], frozen=False,
                           replaces=(old.get("replaces") or {}).get("revision"), author=self.author(s),
                           summary=f"Khôi phục nội dung bản {number}", created_at=t, updated_at=t, document=rdoc.stored_text(old)))
            r.status, r.revision, r.updated_at = old["status"], n, t
            return SaveResult(n, t, True, status=old["status"], reopened=reopened,
                              notice=REOPENED_NOTICE if reopened else "")

    def duplicate_report(self, rid: int) -> int:
        doc = self.document(rid)
        doc.update(status="draft", revision=1, replaces=None)
        doc["header"]["number"] = ""
        doc["header"]["date"] = None
        return self._insert(self.registry.get(doc["template"]["id"], doc["template"]["version"]), doc,
                            summary=f"Nhân bản từ báo cáo {rid}")

    def delete_report(self, rid: int) -> None:
        """Move to the bin (recoverable)."""
        with self.session() as s, s.begin():
            self._report(s, rid).deleted_at = now()

    def undelete_report(self, rid: int) -> None:
        with self.session() as s, s.begin():
            self._report(s, rid).deleted_at = None

    # exports (renderers are imported when used: they are heavy) ---------------------------------------------
    def export_docx(self, rid: int, path: str | os.PathLike) -> Path:
        """Always: a report with errors is a draft, printed with «DỰ THẢO» (render.tree's `draft`)."""
        from nq57desk.render.docx import export_docx

        doc = self.document(rid)
        tpl = self.registry.get(doc["template"]["id"], doc["template"]["version"])
        rdoc.refuse_unwritable(doc, "")  # a report stored by an older version may hold U+FFFE: say where, write nothing
        export_docx(tpl, doc, Path(path))
        return Path(path)

    def export_xlsx(self, rid: int, path: str | os.PathLike) -> Path:
        from nq57desk import __version__
        from nq57desk.bundle.writer import write_bundle

        doc = self.document(rid)
        tpl = self.registry.get(doc["template"]["id"], doc["template"]["version"])
        self.refuse_blocking(tpl, doc, "xuất gói gửi cấp trên")
        rdoc.refuse_unwritable(doc, "")
        write_bundle(tpl, doc, Path(path), app_version=__version__, key=self.signing_key())
        self._mark_exported(rid, doc["revision"], Path(path).name)
        return Path(path)

    def signing_key(self):
        """This installation's Ed25519 key (made on first use, kept in the data folder and its backups)."""
        from nq57desk.bundle.signing import installation_key

        if getattr(self, "_signing_key", None) is None:
            self._signing_key = installation_key(self.data_dir)
        return self._signing_key

    def key_fingerprint(self) -> str:
        """The code the upper level compares, read over the phone (e.g. «ABCD-EFGH-IJKL-MNOP»)."""
        from nq57desk.bundle.signing import fingerprint, public_key_text

        return fingerprint(public_key_text(self.signing_key()))

    def _mark_exported(self, rid: int, number: int, name: str) -> None:
        """Note on the revision that it went out as a bundle: the next edit then opens a new revision, so two
        bundles with the same revision number never carry different contents (the upper level's conflict)."""
        import re

        with self.session() as s, s.begin():
            rev = next((x for x in self._report(s, rid).revisions if x.number == number), None)
            if rev is not None:
                rev.exported_at = now()
                rev.exported_to = re.sub(r"\.dang-xuat-\d+(?=\.xlsx$)", "", name)  # the GUI's temp name

    def upper(self):
        """The upper level on this data folder: received bundles, completeness, consolidation (nq57desk.upper)."""
        from nq57desk.upper import Upper

        return Upper(self)

    @staticmethod
    def refuse_blocking(tpl, doc, action: str) -> None:
        """What goes to the upper level waits until every error is fixed or has a giải trình (validation.blocking);
        the demo report never goes."""
        if rdoc.is_demo(doc):
            raise NQError(rdoc.DEMO_REFUSAL.format(action=action))
        block = blocking(validate(tpl, doc), doc)
        if block:
            raise NQError(refusal_text(block, action))

    # demo ----------------------------------------------------------------------------------------------------
    def ensure_demo(self) -> int | None:
        """On a new data folder: one demo report to look at (Xã Tân Cương's). It carries its own commune and
        never touches the profile: the officer's own commune is chosen in the first-run dialog."""
        if self.list_reports() or self.list_reports(deleted=True):
            return None
        demo = settings.resources_dir() / "demo" / "bao-cao-mau.json"
        if not demo.exists():
            return None
        try:
            return self.import_report(demo.read_bytes())
        except NQError:
            return None


