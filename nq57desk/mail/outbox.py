"""«Hộp thư đi»: the commune's queue of reports for the upper level, sent by the office's e-mail account.

«Gửi cấp trên» makes the report's package through the USB package service (signed bundle and DOCX in a .zip,
refused like the bundle while an error has no giải trình) and its PDF, queues it (a row of the outbox table:
durable, backed up, one transaction per change) and tries at once. A failure that waiting can mend (no
connection, a busy server) is retried after 1 min, doubling up to 1 h, also at the next start; one that needs the
officer (wrong password, certificate, refused, too large) waits for «Gửi lại». The report becomes «Đã gửi» only
after the server accepted the message. The Message-ID is made from the revision and its content: the same
revision sent twice is the same message, and the upper level stores one copy.

Crash points: a row left «Đang gửi» (the app stopped mid-send) is queued again at the next start; the server may
then get the message twice, with the same Message-ID and the same signed bundle, which the upper level's import
treats as a duplicate.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import hashlib
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

from sqlalchemy import select

from nq57desk.errors import NQError
from nq57desk.mail import smtp
from nq57desk.mail.account import Account, MailSetupError, load_password
from nq57desk.mail.errors import REASON_VI, TOO_LARGE, MailError
from nq57desk.store.models import OutboxItem

QUEUED, SENDING, SENT, FAILED, CANCELLED = "queued", "sending", "sent", "failed", "cancelled"
STATE_VI = {QUEUED: "Chờ gửi", SENDING: "Đang gửi", SENT: "Đã gửi", FAILED: "Cần xử lý", CANCELLED: "Đã hủy"}
OUTBOX_DIR = "hop-thu-di"  # in the data folder: the files of each queued item
FIRST_DELAY, MAX_DELAY = 60, 3600


def retry_delay(attempts: int) -> int:
    """Seconds before the next try after `attempts` failed ones: 1 min, doubling, at most 1 h."""
    return min(FIRST_DELAY * 2 ** max(attempts - 1, 0), MAX_DELAY)


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


@dataclass
class Item:
    id: int
    report_id: int
    revision: int
    state: str
    reason: str | None
    message: str | None
    note: str | None
    attempts: int
    next_at: str | None
    sent_at: str | None
    message_id: str
    recipients: list[str]
    again: bool = False  # `queue` found this revision queued or sent already
    receipt_at: str | None = None  # the upper level's «Đã nhận» came back (when the commune has IMAP set)
    report_sent: bool = False  # this attempt made the report «Đã gửi» (an open editor refreshes its status)

    @property
    def sent_vi(self) -> str:
        """When the server accepted it, as the officer reads a time."""
        return _hm(self.sent_at)

    @property
    def state_vi(self) -> str:
        """What the outbox shows: «Chờ gửi», «Đang gửi», «Đã gửi lúc …», «Cấp trên đã nhận lúc …» or the reason."""
        if self.state == SENT and self.receipt_at:
            return f"Cấp trên đã nhận lúc {_hm(self.receipt_at)} (đã gửi lúc {self.sent_vi})"
        if self.state == SENT:
            return f"Đã gửi lúc {self.sent_vi}"
        if self.state == QUEUED and self.reason:
            return f"Chờ gửi ({REASON_VI.get(self.reason, self.reason)}; thử lại lúc {_hm(self.next_at)})"
        if self.state == FAILED:
            return f"Chưa gửi được: {REASON_VI.get(self.reason or '', self.reason or '')}"
        return STATE_VI.get(self.state, self.state)


def _hm(iso: str | None) -> str:
    try:
        return dt.datetime.fromisoformat(iso or "").strftime("%H:%M %d/%m/%Y")
    except ValueError:
        return iso or ""


def _item(r: OutboxItem, again: bool = False) -> Item:
    return Item(r.id, r.report_id, r.revision, r.state, r.reason, r.message, r.note, r.attempts, r.next_at, r.sent_at,
                r.message_id, json.loads(r.recipients), again, r.receipt_at)


PdfMaker = Callable[[object, int, Path], object]  # (desk, report id, path): the GUI's print path, lent by the caller


class Outbox:
    """The outbox of one open data folder (a Desk)."""

    def __init__(self, desk, make_pdf: PdfMaker | None = None):
        self.desk = desk
        self.make_pdf = make_pdf
        self._recover()

    def account(self) -> Account:
        return Account.from_profile(self.desk.profile())

    # reading -------------------------------------------------------------------------------------------------
    def items(self, *, include_cancelled: bool = False) -> list[Item]:
        with self.desk.session() as s:
            q = select(OutboxItem).order_by(OutboxItem.id)
            if not include_cancelled:
                q = q.where(OutboxItem.state != CANCELLED)
            return [_item(r) for r in s.scalars(q)]

    def item(self, item_id: int) -> Item:
        with self.desk.session() as s:
            r = s.get(OutboxItem, item_id)
            if r is None:
                raise NQError(f"Hộp thư đi không có mục số {item_id}.")
            return _item(r)

    def due(self, now: dt.datetime | None = None) -> list[Item]:
        t = (now or _now()).isoformat()
        return [x for x in self.items() if x.state == QUEUED and (x.next_at or "") <= t]

    def next_due_at(self) -> str | None:
        waits = [x.next_at for x in self.items() if x.state == QUEUED and x.next_at]
        return min(waits) if waits else None

    # changing ------------------------------------------------------------------------------------------------
    def _recover(self) -> None:
        """A row left «Đang gửi» by a stop mid-send: queued again, due now (the same message may reach the server
        twice; the upper level keeps one)."""
        with self.desk.session() as s:
            if s.scalars(select(OutboxItem.id).where(OutboxItem.state == SENDING)).first() is None:
                return  # the common case: read only, no write transaction
        with self.desk.session() as s, s.begin():
            for r in s.scalars(select(OutboxItem).where(OutboxItem.state == SENDING)):
                r.state, r.next_at, r.updated_at = QUEUED, _now().isoformat(), _now().isoformat()

    def queue(self, rid: int) -> Item:
        """Make the report's package and queue it (not sent yet: `attempt`). The same revision again returns
        its item (again=True) and makes nothing new; a cancelled one is queued again."""
        acc = self.account()
        acc.check_smtp()
        doc = self.desk.document(rid)
        tpl = self.desk.registry.get(doc["template"]["id"], doc["template"]["version"])
        self.desk.refuse_blocking(tpl, doc, "gửi cấp trên")
        with self.desk.session() as s:
            old = s.scalars(select(OutboxItem).where(OutboxItem.report_id == rid).where(
                (OutboxItem.revision == doc["revision"]) | (OutboxItem.status_revision == doc["revision"]))).first()
            if old is not None and old.state != CANCELLED:
                return _item(old, again=True)
        files = self._make_files(rid)
        t = _now().isoformat()
        with self.desk.session() as s, s.begin():
            row = s.scalars(select(OutboxItem).where(OutboxItem.report_id == rid,
                                                     OutboxItem.revision == files["revision"])).first()
            if row is None:
                row = OutboxItem(report_id=rid, revision=files["revision"], created_at=t, attempts=0)
                s.add(row)
            row.message_id = message_id(doc, files["revision"], acc.sender)
            row.state, row.reason, row.message, row.note, row.next_at, row.updated_at = QUEUED, None, None, None, t, t
            row.files = json.dumps(files["files"], ensure_ascii=False)
            row.recipients = json.dumps(acc.to, ensure_ascii=False)
            s.flush()
            return _item(row)

    def _make_files(self, rid: int) -> dict:
        """The package (.zip: bundle, DOCX, signed manifest) through the USB package service, the bundle alone, and
        the PDF when the caller lent a way to print one; all kept in DATA/hop-thu-di/."""
        from nq57desk.bundle.package import bundle_filename, export_package

        doc = self.desk.document(rid)
        stem = bundle_filename(doc)[: -len(".xlsx")]
        folder = Path(self.desk.data_dir) / OUTBOX_DIR
        folder.mkdir(parents=True, exist_ok=True)
        res = export_package(self.desk, rid, folder / f"{stem}.zip")
        files = {"package": [f"{stem}.zip", str(folder / f"{stem}.zip")],
                 "bundle": [f"{stem}.xlsx", str(Path(res.local) / f"{stem}.xlsx")]}
        if self.make_pdf is not None:
            pdf = Path(res.local) / f"{stem}.pdf"
            self.make_pdf(self.desk, rid, pdf)
            files["pdf"] = [pdf.name, str(pdf)]
        return {"revision": int(doc["revision"]), "files": files}

    def cancel(self, item_id: int) -> Item:
        def go(r):
            if r.state == SENT:
                _refuse("Thư đã gửi, không hủy được.")
            r.state, r.next_at = CANCELLED, None
        return self._set(item_id, go)

    def retry_now(self, item_id: int) -> Item:
        """«Gửi lại»: due now, whatever the reason was (the officer fixed the password, the address …)."""
        def go(r):
            if r.state == SENT:
                _refuse("Thư đã gửi rồi.")
            r.state, r.next_at = QUEUED, _now().isoformat()
        return self._set(item_id, go)

    def requeue_failed(self) -> int:
        """After the account changed: every item waiting for the officer is due again."""
        n = 0
        with self.desk.session() as s, s.begin():
            for r in s.scalars(select(OutboxItem).where(OutboxItem.state == FAILED)):
                r.state, r.next_at, r.updated_at = QUEUED, _now().isoformat(), _now().isoformat()
                n += 1
        return n

    def _set(self, item_id: int, change) -> Item:
        with self.desk.session() as s, s.begin():
            r = s.get(OutboxItem, item_id)
            if r is None:
                raise NQError(f"Hộp thư đi không có mục số {item_id}.")
            change(r)
            r.updated_at = _now().isoformat()
            return _item(r)

    # sending -------------------------------------------------------------------------------------------------
    def send_due(self, now: dt.datetime | None = None, password: str | None = None) -> list[Item]:
        """Try every due item once (oldest first); returns them as they ended."""
        due = self.due(now)
        if not due:
            return []
        if password is None:
            password = load_password(self.account().user)
        return [self.attempt(x.id, password) for x in due]

    def attempt(self, item_id: int, password: str | None = None) -> Item:
        """One try: «Đang gửi» (committed), the SMTP session, then «Đã gửi» or the reason and the next try."""
        acc = self.account()
        if password is None:
            password = load_password(acc.user)
        acc.check_smtp()
        with self.desk.session() as s, s.begin():
            r = s.get(OutboxItem, item_id)
            if r is None or r.state in (SENT, CANCELLED):
                return _item(r) if r else self.item(item_id)
            r.state, r.updated_at = SENDING, _now().isoformat()
            files, mid = json.loads(r.files), r.message_id
            rid, rev = r.report_id, r.revision
        doc = self.desk.document(rid, rev)
        note: list[str] = []
        sizes: list[int] = []

        def build(limit: int) -> EmailMessage:
            msg = build_message(acc, doc, files, mid, limit, note)
            sizes.append(len(msg.as_bytes()))
            return msg

        try:
            try:
                smtp.send(acc, password, build)
            except MailError as e:  # a server that refuses the size without announcing it: once more, cut down
                if e.reason != TOO_LARGE or note or not sizes:
                    raise
                smtp.send(acc, password, build, max_bytes=sizes[-1] - 1)
        except (MailError, MailSetupError) as e:
            return self._failed(item_id, e)
        return self._sent(item_id, rid, rev, note[0] if note else None)

    def _failed(self, item_id: int, e: NQError) -> Item:
        t = _now()
        with self.desk.session() as s, s.begin():
            r = s.get(OutboxItem, item_id)
            r.attempts += 1
            r.reason = getattr(e, "reason", "refused")
            r.message = str(e)
            if isinstance(e, MailError) and e.retry:
                r.state = QUEUED
                r.next_at = (t + dt.timedelta(seconds=retry_delay(r.attempts))).isoformat()
            else:
                r.state, r.next_at = FAILED, None
            r.updated_at = t.isoformat()
            return _item(r)

    def _sent(self, item_id: int, rid: int, rev: int, note: str | None) -> Item:
        """The server accepted: the item is «Đã gửi»; a «Hoàn thành» report whose current revision went out
        becomes «Đã gửi» (frozen)."""
        t = _now().isoformat()
        with self.desk.session() as s, s.begin():
            r = s.get(OutboxItem, item_id)
            r.state, r.sent_at, r.next_at, r.reason, r.updated_at = SENT, t, None, None, t
            r.attempts += 1
            r.note = note
            r.message = "Máy chủ thư đã nhận thư." + (f" {note}" if note else "")
        info = self.desk.report_info(rid)
        res = None
        if info.status == "done" and info.revision == rev:
            try:
                res = self.desk.set_status(rid, "sent")
            except NQError:
                res = None
            if res is not None:
                with self.desk.session() as s, s.begin():
                    s.get(OutboxItem, item_id).status_revision = res.revision
        out = self.item(item_id)
        out.report_sent = res is not None
        return out


    def awaits_receipts(self) -> bool:
        """The commune reads its own mailbox (IMAP set) and a sent item has no «Đã nhận» yet: worth a look."""
        return bool(self.account().imap_host) and any(x.state == SENT and not x.receipt_at for x in self.items())

    def check_receipts(self, password: str | None = None) -> int:
        """Read the commune's own mailbox (when IMAP is set) for the upper level's «Đã nhận» of sent items; each
        one found is noted on its item and marked done on the server (others' receipts are left alone)."""
        from nq57desk.mail import imap
        from nq57desk.mail.receipts import find_receipts

        acc = self.account()
        if not acc.imap_host:
            return 0
        mine = {x.message_id: x.id for x in self.items() if x.state == SENT and not x.receipt_at}
        if not mine:
            return 0
        if password is None:
            password = load_password(acc.user)
        m = imap.connect(acc, password)
        try:
            found = find_receipts(m, set(mine), acc.imap_host)
        finally:
            imap.close(m)
        with self.desk.session() as s, s.begin():
            for mid, when in found.items():
                s.get(OutboxItem, mine[mid]).receipt_at = when
        return len(found)


def _refuse(text: str):
    raise NQError(text)


def message_id(doc: dict, revision: int, sender: str) -> str:
    """The same revision with the same content always has the same Message-ID."""
    from nq57desk.report.document import period_code, stored_text

    digest = hashlib.sha256(stored_text(dict(doc, revision=revision)).encode("utf-8")).hexdigest()[:16]
    parts = [doc["commune"]["code"], period_code(doc["period"]), doc["template"]["id"], f"r{revision}", digest]
    local = ".".join(re.sub(r"[^A-Za-z0-9-]+", "_", str(p)) for p in parts)
    domain = re.sub(r"[^A-Za-z0-9.-]+", "", sender.rpartition("@")[2]) or "nq57desk.invalid"
    return f"<nq57.{local}@{domain}>"


def build_message(acc: Account, doc: dict, files: dict, mid: str, limit: int, note: list[str]) -> EmailMessage:
    """The full message (package .zip and PDF); over `limit` the bundle and the PDF compressed; over it still the
    bundle alone. `note` receives the sentence saying what was left out."""
    full = [files["package"]] + ([files["pdf"]] if "pdf" in files else [])
    msg = _message(acc, doc, mid, full, "")
    if len(msg.as_bytes()) <= limit:
        return msg
    kb = limit // 1024
    small = [files["bundle"]] + ([_compressed(files["pdf"])] if "pdf" in files else [])
    said = (f"Thư đầy đủ quá lớn cho máy chủ thư (tối đa {kb} KB): chỉ gửi gói Excel đã ký"
            + (" và bản PDF nén" if "pdf" in files else "") + "; bản Word gửi sau bằng USB nếu cấp trên cần.")
    msg = _message(acc, doc, mid, small, said)
    if len(msg.as_bytes()) > limit and "pdf" in files:
        said = f"Thư đầy đủ quá lớn cho máy chủ thư (tối đa {kb} KB): chỉ gửi gói Excel đã ký; bản PDF và Word gửi sau."
        msg = _message(acc, doc, mid, [files["bundle"]], said)
    note.append(said)
    return msg


def _compressed(pdf: list[str]) -> list[str]:
    """The PDF in a deflated .zip beside it (what a mail server's size limit lets through)."""
    name, path = pdf
    out = Path(path).with_suffix(".pdf.zip")
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.write(path, name)
    return [name + ".zip", str(out)]


def _message(acc: Account, doc: dict, mid: str, files: list[list[str]], said: str) -> EmailMessage:
    from nq57desk.report.document import period_title

    commune = doc["commune"].get("name") or doc["commune"]["code"]
    rev = doc.get("revision")
    msg = EmailMessage(policy=_POLICY)
    msg["Subject"] = f"[NQ57] Báo cáo {commune} — {period_title(doc['period'])} — lần gửi {rev}"
    msg["From"] = acc.sender
    msg["To"] = ", ".join(acc.to)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = mid
    msg["X-NQ57-Report"] = f"{doc['commune']['code']} {doc['template']['id']} r{rev}"
    body = (f"Kính gửi cấp trên,\n\n{commune} gửi báo cáo thực hiện Nghị quyết 57-NQ/TW "
            f"({period_title(doc['period'])}, lần gửi {rev}).\n"
            "Tệp đính kèm: " + ", ".join(n for n, _p in files) + ".\n"
            "Gói báo cáo được ký số; phần mềm nq57desk của cấp trên kiểm tra chữ ký khi nhận.\n"
            + (f"\nLưu ý: {said}\n" if said else "") + "\n(Thư gửi tự động từ phần mềm nq57desk.)\n")
    msg.set_content(body)
    for name, path in files:
        data = Path(path).read_bytes()
        main, sub = _mime(name)
        msg.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return msg


_POLICY = email.policy.default.clone(max_line_length=200)  # a Message-ID stays on one line (never folded)


def _mime(name: str) -> tuple[str, str]:
    low = name.lower()
    if low.endswith(".xlsx"):
        return "application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    if low.endswith(".pdf"):
        return "application", "pdf"
    if low.endswith(".zip"):
        return "application", "zip"
    return "application", "octet-stream"
