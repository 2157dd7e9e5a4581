"""One open report: the in-memory document, undo/redo by snapshots, live checks, autosave on a worker."""

from __future__ import annotations

import copy
import json
import time

from PySide6.QtCore import QObject, QTimer, Signal

from nq57desk.errors import NQError, error_vi
from nq57desk.gui.qtutil import hhmm
from nq57desk.gui.workers import run_async, serial_pool
from nq57desk.report.derive import ReportEnv, derived_values
from nq57desk.report.document import context_of
from nq57desk.report.shaping import shape
from nq57desk.templates.numbering import section_paths
from nq57desk.validation import Finding, done_refusal, validate

CONTENT_KEYS = ("header", "outline", "lines", "values", "carried", "recipients", "signature", "explanations")
OPTIONAL_KEYS = ("outline", "lines", "explanations")  # absent rather than null when empty (report/check.py refuses null)
AUTOSAVE_MS = 800  # saved this long after the last keystroke …
AUTOSAVE_MAX_MS = 2500  # … and never later than this after the first unsaved one, even while typing on
SHARED_KEYS = ("outline",)  # never changed in place (outline operations make a new one): copies may share it
CHECK_MS = 120
RETRY_MS = 5000
UNDO_LIMIT = 300


class DocSession(QObject):
    """Every edit goes through set(); the GUI never writes the document any other way."""

    edited = Signal(object)  # the path just edited
    reloaded = Signal(object)  # content replaced (undo/redo/restore): path to show, or None
    findings_changed = Signal(list)
    saved = Signal(str)
    save_failed = Signal(str)
    status_changed = Signal(str)
    notice = Signal(str)  # something the officer must know about the report now (e.g. it went back to «Nháp»)
    outline_changed = Signal(object)  # the report's outline changed (reshaped, undone, restored): section to show

    def __init__(self, desk, rid: int, parent: QObject | None = None, *, doc: dict | None = None, tpl=None,
                 acknowledged=frozenset(), stored_text: str = ""):
        """With desk=None the session shows `doc` before the data folder is open (see attach); it cannot save.
        `stored_text` is that document as read from the database."""
        super().__init__(parent)
        self.desk, self.rid = desk, rid
        self.stored_text = stored_text
        self.preview_acks = acknowledged  # before attach(): read with the glimpse
        self.doc = doc if desk is None else desk.document(rid)
        self.tpl = shape(tpl if desk is None else desk.template(self.doc["template"]["id"], self.doc["template"]["version"]),
                         self.doc)
        self._retemplate()
        self._undo: list[tuple[dict, object]] = []
        self._redo: list[tuple[dict, object]] = []
        self._group: object = None
        self._group_t = 0.0
        self._gen = 0
        self._saved_gen = 0
        self._worker_gen = 0
        self._saving = False
        self.confirm_edit = None  # () -> bool: may a «Hoàn thành» report be edited (and so go back to «Nháp»)?
        self.invalid: dict[str, tuple[str, str, str]] = {}  # key → (where, label, message): typed text not usable
        self.raw_text: dict[str, str] = {}  # key → the unusable text, shown again when the form is rebuilt
        self.findings: list[Finding] = []
        self.save_error = ""  # why the last save failed, shown as a finding until a save succeeds
        self._dirty_since: float | None = None  # when the oldest edit not yet handed to a save was made
        self._derived_gen = -1
        self._derived: dict = {}
        self._env_gen = -1
        self._env: ReportEnv | None = None
        self.pool = serial_pool()
        self.save_timer = QTimer(self, singleShot=True, interval=AUTOSAVE_MS)
        self.save_timer.timeout.connect(self.save_async)
        self.check_timer = QTimer(self, singleShot=True, interval=CHECK_MS)
        self.check_timer.timeout.connect(self.revalidate)
        if desk is not None:  # the glimpse (desk=None): its window runs the checks once the page is painted
            self.revalidate()

    def _retemplate(self) -> bool:
        """Follow the document's outline; True when the shape changed."""
        old = self.tpl
        self.tpl = shape(self.tpl, self.doc)
        self.paths = section_paths(self.tpl, context_of(self.doc))
        self.paths["_head"] = "Phần đầu & kết"
        self._env = None
        self._derived_gen = -1
        return self.tpl is not old

    def reshape(self, op, *args):
        """Change the report's outline with one of nq57desk.report.outline's operations (rename, hide, add, move …):
        one undo step, saved and checked like any edit. Returns what the operation returns besides the document
        (the new section's or block's key), or None. Raises DocumentError (Vietnamese) when refused."""
        res = op(self.tpl, self.doc, *args)
        new, extra = (res if isinstance(res, tuple) else (res, None))
        if new is self.doc:
            return extra
        if not self.may_edit(None):
            QTimer.singleShot(0, lambda: self.outline_changed.emit(None))  # a dragged heading goes back in the tree
            return None
        self._push_undo(("outline",))
        self._group = None
        for k in CONTENT_KEYS:
            if k in new:
                self.doc[k] = new[k]
            else:
                self.doc.pop(k, None)
        self._retemplate()
        self._touch(("outline",))
        self.outline_changed.emit(extra if isinstance(extra, str) else None)
        return extra

    def acknowledged_ids(self) -> set[str]:
        """Accepted warnings, as the panel names them (key|message); stored with the report in the database."""
        pairs = self.desk.acknowledged(self.rid) if self.desk is not None else self.preview_acks
        return {f"{k}|{m}" for k, m in pairs}

    def set_acknowledged(self, finding, on: bool) -> None:
        if self.desk is None:
            return
        if on:
            self.desk.acknowledge(self.rid, finding)
        else:
            self.desk.unacknowledge(self.rid, finding.key, finding.message)

    def attach(self, desk) -> bool:
        """Adopt the data folder opened after the window showed this report; False when the stored report is not
        the one shown (the caller then opens it afresh). The window blocks input meanwhile, but should an edit
        have slipped through (an input method typing into a field), it is kept and saved now, as long as the
        stored report is still the one that was read."""
        try:
            stored = desk.document(self.rid)
        except NQError:
            return False
        if stored != self.doc:
            if not self._gen or not self.stored_text:
                return False
            try:
                read = json.loads(self.stored_text)
            except ValueError:
                return False
            if read != stored:  # changed since it was read: the caller opens it afresh
                return False
        self.desk = desk
        if self.dirty:
            self._schedule_save()
        return True

    # reading -----------------------------------------------------------------------------------------------
    @property
    def status(self) -> str:
        return self.doc.get("status", "draft")

    def get(self, path: tuple, default=None):
        cur = self.doc
        for p in path:
            try:
                cur = cur[p]
            except (KeyError, IndexError, TypeError):
                return default
        return cur

    def derived(self) -> dict:
        if self._derived_gen != self._gen:
            self._derived = derived_values(self.tpl, self.doc)
            self._derived_gen = self._gen
        return self._derived

    def env(self) -> ReportEnv:
        if self._env_gen != self._gen or self._env is None:
            self._env = ReportEnv(self.tpl, self.doc)
            self._env_gen = self._gen
        return self._env

    @property
    def dirty(self) -> bool:
        return max(self._saved_gen, self._worker_gen) < self._gen

    # writing -----------------------------------------------------------------------------------------------
    def set(self, path: tuple, value, group: object = None) -> bool:
        """Change one value. Edits with the same `group` (one field being typed) make one undo step."""
        cur = self.get(path, _MISSING)
        if cur == value or (value is None and cur is _MISSING):
            return False
        if not self.may_edit(path):
            return False
        now = time.monotonic()
        if group is None or group != self._group or now - self._group_t > 30:
            self._push_undo(path)
        self._group, self._group_t = group, now
        parent = self._container(path[:-1])
        last = path[-1]
        if value is None and isinstance(parent, dict) and (path[0] == "values" and len(path) > 2 or
                                                           path[0] in OPTIONAL_KEYS and len(path) == 1):
            parent.pop(last, None)
        else:
            parent[last] = value
        self._touch(path)
        return True

    def _container(self, path: tuple):
        cur = self.doc
        for i, p in enumerate(path):
            if isinstance(cur, dict):
                if cur.get(p) is None:
                    cur[p] = [] if isinstance(path[i + 1] if i + 1 < len(path) else None, int) else {}
                cur = cur[p]
            else:
                cur = cur[p]
        return cur

    def may_edit(self, path) -> bool:
        """A «Hoàn thành» report is edited only after the officer says so (confirm_edit); the edit then makes it
        «Nháp» (the desk stores it so, with what changed). Refused: the form shows the stored value again."""
        if self.status != "done" or self.confirm_edit is None:
            return True
        if not self.confirm_edit():
            QTimer.singleShot(0, lambda: self.reloaded.emit(path))
            return False
        self.doc["status"] = "draft"
        self.status_changed.emit("draft")
        return True

    def break_group(self) -> None:
        """The next edit starts a new undo step (a field lost focus)."""
        self._group = None

    def mark_invalid(self, key: str, where: str, label: str, message: str) -> None:
        if self.invalid.get(key) != (where, label, message):
            self.invalid[key] = (where, label, message)
            self.check_timer.start()

    def clear_invalid(self, key: str) -> None:
        if self.invalid.pop(key, None) is not None:
            self.check_timer.start()

    def clear_invalid_prefix(self, prefix: str) -> None:
        for k in [k for k in self.invalid if k == prefix or k.startswith(prefix + ".") or k.startswith(prefix + "[")]:
            self.invalid.pop(k)
        self.check_timer.start()

    def _snapshot(self) -> dict:
        return {k: copy.deepcopy(self.doc.get(k)) if k not in SHARED_KEYS else self.doc.get(k) for k in CONTENT_KEYS}

    def _put_content(self, content: dict) -> None:
        for k, v in content.items():
            if v is None and k in OPTIONAL_KEYS:
                self.doc.pop(k, None)
            else:
                self.doc[k] = v

    def _push_undo(self, path) -> None:
        self._undo.append((self._snapshot(), path))
        del self._undo[:-UNDO_LIMIT]
        self._redo.clear()

    def _schedule_save(self) -> None:
        """A pause in typing saves; steady typing (a long paragraph) is saved at least every AUTOSAVE_MAX_MS."""
        now = time.monotonic()
        if self._dirty_since is None:
            self._dirty_since = now
        if self.save_error:
            self.save_timer.start(RETRY_MS)
            return
        left = AUTOSAVE_MAX_MS - (now - self._dirty_since) * 1000
        self.save_timer.start(int(max(0, min(AUTOSAVE_MS, left))))

    def _touch(self, path) -> None:
        self._gen += 1
        self._schedule_save()
        self.check_timer.start()
        self.edited.emit(path)

    # undo / redo -------------------------------------------------------------------------------------------
    def can_undo(self) -> bool:
        return bool(self._undo)

    def can_redo(self) -> bool:
        return bool(self._redo)

    def undo(self) -> None:
        self._swap(self._undo, self._redo)

    def redo(self) -> None:
        self._swap(self._redo, self._undo)

    def _swap(self, src: list, dst: list) -> None:
        if not src or not self.may_edit(None):
            return
        content, path = src.pop()
        dst.append((self._snapshot(), path))
        self._put_content(content)
        reshaped = self._retemplate()
        self._group = None
        self.invalid.clear()
        self.raw_text.clear()
        self._gen += 1
        self._schedule_save()
        self.revalidate()
        if reshaped:
            self.outline_changed.emit(None)
        self.reloaded.emit(path)

    # checks ------------------------------------------------------------------------------------------------
    def revalidate(self) -> None:
        self.check_timer.stop()
        local = []
        for key, (where, label, message) in self.invalid.items():
            place = self.paths.get(where, "")
            local.append(Finding("error", where, key, f"{place} › {label}" if place else label, message, "input"))
        if self.save_error:
            local.insert(0, Finding("error", "_head", "_save", "Lưu báo cáo", self.save_error, "save"))
        found = validate(self.tpl, self.doc)
        self.findings = local + [f for f in found if f.key not in self.invalid]
        self.findings.sort(key=lambda f: 0 if f.severity == "error" else 1)
        self.findings_changed.emit(self.findings)

    def _tell(self, res) -> None:
        """What a save, a status change or a restore has to tell the officer (SaveResult.notice), if anything."""
        if res.notice:
            self.notice.emit(res.notice)

    def error_count(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    # giải trình ----------------------------------------------------------------------------------------------
    def explanation(self, finding: Finding) -> str:
        from nq57desk.validation import explanation

        return explanation(self.doc, finding)

    def set_explanation(self, finding: Finding, text: str) -> bool:
        """Write (or, with empty text, remove) the giải trình of an error: one undoable edit of the document."""
        from nq57desk.report.check import CONTROL_CHARS, MAX_EXPLANATION_CHARS
        from nq57desk.vn import nfc

        text = CONTROL_CHARS.sub("", nfc(text.replace("\r\n", "\n").replace("\r", "\n"))).strip()
        if len(text) > MAX_EXPLANATION_CHARS:
            raise NQError(f"Giải trình dài {len(text)} ký tự, quá {MAX_EXPLANATION_CHARS} ký tự; hãy viết gọn lại.")
        mine = {"key": finding.key, "rule": finding.rule, "text": text}
        items, found = [], False
        for e in self.doc.get("explanations") or []:
            if e.get("key") == finding.key and e.get("rule") == finding.rule:
                found = True
                if text:
                    items.append(mine)  # edited in place: the list keeps its order
            else:
                items.append(dict(e))
        if text and not found:
            items.append(mine)
        return self.set(("explanations",), items or None)

    # saving ------------------------------------------------------------------------------------------------
    def _save_call(self, doc: dict, gen: int):
        res = self.desk.save_document(self.rid, doc)  # says what it stored: the report is not read again
        self._worker_gen = max(self._worker_gen, gen)
        return gen, res, res.status, res.revision, res.replaces

    def save_async(self) -> None:
        if not self.dirty or self.desk is None:
            return
        if self._saving:
            return  # the running save's callback schedules the next one
        self._saving = True
        self._dirty_since = None
        doc, gen = doc_copy(self.doc), self._gen
        run_async(lambda: self._save_call(doc, gen), self._saved, self._save_error, pool=self.pool)

    def _saved(self, out) -> None:
        self._saving = False
        if self.save_error:
            self.save_error = ""
            self.check_timer.start()
        gen, res, status, revision, replaces = out
        self._saved_gen = max(self._saved_gen, gen)
        self._apply_meta(status, revision, replaces)
        self._tell(res)
        self.saved.emit(f"Đã lưu lúc {hhmm(res.saved_at)}")
        if self.dirty:
            self._schedule_save()

    def _save_error(self, exc) -> None:
        """The edit stays in the window; the officer sees why in the Kiểm tra panel, and the save is tried again
        (a full disk or a busy file may clear up) every RETRY_MS and at the next edit."""
        self._saving = False
        msg = error_vi(exc).rstrip(".") + "."
        self.save_error = f"Chưa lưu được các thay đổi: {msg} Các thay đổi vẫn còn trong cửa sổ; ứng dụng sẽ thử lưu lại."
        self._schedule_save()
        self.revalidate()
        self.save_failed.emit(f"Chưa lưu được: {msg}")

    def _apply_meta(self, status, revision, replaces) -> None:
        old = self.doc.get("status")
        self.doc["status"], self.doc["revision"], self.doc["replaces"] = status, revision, replaces
        if status != old:
            self.status_changed.emit(status)

    def flush(self) -> None:
        """Save now, on this thread, after any save already running (before status changes, export, close)."""
        self.save_timer.stop()
        self.pool.waitForDone()
        self._saving = False
        if self.dirty and self.desk is not None:
            try:
                gen, res, status, revision, replaces = self._save_call(doc_copy(self.doc), self._gen)
            except Exception as e:  # noqa: BLE001 - reported like an autosave failure, then to the caller
                self._save_error(e)
                raise NQError(self.save_error) from e
            self._saved_gen = max(self._saved_gen, gen)
            self._apply_meta(status, revision, replaces)
            self._tell(res)
            if self.save_error:
                self.save_error = ""
                self.revalidate()
            self.saved.emit(f"Đã lưu lúc {hhmm(res.saved_at)}")

    # status and history ------------------------------------------------------------------------------------
    def set_status(self, status: str) -> None:
        """Raises NQError with the desk's Vietnamese message when refused."""
        self.revalidate()
        if status in ("done", "sent") and self.invalid:  # typed text not yet usable: not in the document
            label = {"done": "Hoàn thành", "sent": "Đã gửi"}[status]
            raise NQError(done_refusal(self.findings, self.doc, f"đánh dấu «{label}»"))
        self.flush()
        self.desk.set_status(self.rid, status)
        cur = self.desk.document(self.rid)
        self._apply_meta(cur["status"], cur["revision"], cur.get("replaces"))

    def reload_status(self) -> None:
        """The stored status changed outside this editor (the outbox marked the report «Đã gửi»): take it."""
        cur = self.desk.document(self.rid)
        self._apply_meta(cur["status"], cur["revision"], cur.get("replaces"))

    def restore_revision(self, number: int) -> None:
        self.flush()
        before = self._snapshot()
        res = self.desk.restore_revision(self.rid, number)
        cur = self.desk.document(self.rid)
        self._undo.append((before, None))
        self._redo.clear()
        self._put_content({k: cur.get(k) for k in CONTENT_KEYS})
        reshaped = self._retemplate()
        self.invalid.clear()
        self.raw_text.clear()
        self._gen += 1
        self._saved_gen = self._gen
        self._apply_meta(cur["status"], cur["revision"], cur.get("replaces"))
        self.revalidate()
        if reshaped:
            self.outline_changed.emit(None)
        self.reloaded.emit(None)
        self._tell(res)

    def discard(self) -> None:
        """The officer chose to close without the changes that could not be saved."""
        self.save_timer.stop()
        self._saved_gen = self._gen

    def close(self) -> None:
        self.check_timer.stop()
        self.flush()


def doc_copy(doc: dict) -> dict:
    """A copy for the save worker: everything copied but what is never changed in place."""
    return {k: v if k in SHARED_KEYS else copy.deepcopy(v) for k, v in doc.items()}


class _Missing:
    pass


_MISSING = _Missing()
