"""«Nhận từ hộp thư»: the upper level takes its mailbox in through the same import as files.

For each message not yet marked done (the IMAP keyword $NQ57Taken, so the officer's own reading state is left
alone): its .xlsx and .zip attachments are saved to a temp folder and imported by Upper.import_bundles
(signatures, revisions, duplicates, conflicts, one transaction per file); what it took from which message
(Message-ID, sender, time, one row per attachment) is written in one transaction; only then is the message
marked done on the server. Crash points: after the import and before the record, the next run imports the same
files again and the import finds them stored (duplicates: nothing twice); after the record and before the mark,
the next run finds the message recorded and only marks it. Nothing is lost: a message is marked only after what
it carried is stored. Attachments that are not bundles are listed, not imported. The sender's address is shown
but proves nothing: the signature decides.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import insert, select

from nq57desk.mail import imap
from nq57desk.mail.account import Account, load_password
from nq57desk.mail.errors import NO_CONNECTION, MailError, classify
from nq57desk.store.models import MailTaken
from nq57desk.store.received import count_commit

DONE = "$NQ57Taken"
MAILBOX = "INBOX"
NOT_BUNDLE, NO_ATTACHMENT, TAKEN_BEFORE = "not_bundle", "no_attachment", "taken_before"
EXTRA_VI = {NOT_BUNDLE: "Không phải gói báo cáo", NO_ATTACHMENT: "Thư không có tệp đính kèm",
            TAKEN_BEFORE: "Đã nhận trước đó"}


@dataclass
class TakenLine:
    """One attachment of one message, and what the import made of it."""

    attachment: str
    status: str
    message: str
    sender: str
    date: str
    message_id: str
    commune: str = ""

    @property
    def status_vi(self) -> str:
        from nq57desk.aggregate.decide import LINE_VI

        return EXTRA_VI.get(self.status) or LINE_VI.get(self.status, self.status)

    def text(self) -> str:
        """A line like aggregate's, with the message it came in (the sender as the message says: unproven)."""
        came = f"thư của {self.sender or '(không rõ)'} (địa chỉ gửi chưa được xác thực; chữ ký số quyết định)"
        return "\t".join(x for x in (self.status_vi, self.attachment, self.commune, self.message,
                                      f"{came}, {self.date}, {self.message_id}") if x)


@dataclass
class ReceiveResult:
    lines: list[TakenLine] = field(default_factory=list)
    messages: int = 0
    stopped: MailError | None = None  # the connection was lost part-way: what was taken stays taken
    groups: list[tuple[str, str]] = field(default_factory=list)
    receipts: int = 0  # «Đã nhận» messages sent back
    receipt_problems: list[str] = field(default_factory=list)
    _receipted: int = 0  # lines already considered for a receipt

    @property
    def ok(self) -> bool:
        return self.stopped is None and not any(x.status in ("rejected", "conflict", "held") for x in self.lines)

    def summary(self) -> str:
        c: dict[str, int] = {}
        for x in self.lines:
            c[x.status] = c.get(x.status, 0) + 1
        text = (f"Đã đọc {self.messages} thư mới: nhận {c.get('accepted', 0)} gói, trùng {c.get('duplicate', 0)}, "
                f"bản cũ {c.get('replaced', 0)}, xung đột {c.get('conflict', 0)}, từ chối {c.get('rejected', 0)}, "
                f"chờ xác nhận khóa {c.get('held', 0)}, tệp không phải gói {c.get(NOT_BUNDLE, 0)}.")
        if self.receipts:
            text += f" Đã gửi {self.receipts} thư báo nhận."
        for p in self.receipt_problems:
            text += f" Lưu ý: {p}."
        if self.stopped is not None:
            text += f" Dừng giữa chừng: {self.stopped} Các thư đã nhận vẫn được giữ; chạy lại để nhận tiếp."
        return text


def receive(desk, password: str | None = None, *, mailbox: str = MAILBOX,
            progress: Callable[[int, int], None] | None = None) -> ReceiveResult:
    acc = Account.from_profile(desk.profile())
    acc.check_imap()
    if password is None:
        password = load_password(acc.user)
    m = imap.connect(acc, password)
    res = ReceiveResult()
    try:
        uidvalidity, uids = _new_messages(m, mailbox, acc.imap_host)
        upper = desk.upper()
        for i, uid in enumerate(uids):
            if progress is not None:
                progress(i, len(uids))
            try:
                _one(desk, upper, m, mailbox, f"{uidvalidity}:{uid}", uid, res, acc.imap_host)
                _receipt(acc, password, res)
            except MailError as e:
                res.stopped = e
                break
            res.messages += 1
    finally:
        imap.close(m)
    return res


def _new_messages(m, mailbox: str, host: str) -> tuple[str, list[str]]:
    try:
        typ, data = m.select(_quote(mailbox))
        if typ != "OK":
            raise MailError("refused", f"Hộp thư «{host}» không mở được thư mục «{mailbox}».")
        validity = (m.response("UIDVALIDITY")[1] or [b"0"])[0]
        typ, data = m.uid("SEARCH", None, "UNKEYWORD", DONE)
    except MailError:
        raise
    except BaseException as e:
        raise classify(e, host) from e
    uids = (data[0] or b"").split() if data else []
    return (validity.decode() if isinstance(validity, bytes) else str(validity)), [u.decode() for u in uids]


def _quote(name: str) -> str:
    return name if name.isalnum() else '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _one(desk, upper, m, mailbox: str, key: str, uid: str, res: ReceiveResult, host: str) -> None:
    try:
        typ, data = m.uid("FETCH", uid, "(BODY.PEEK[])")
    except BaseException as e:
        raise classify(e, host) from e
    raw = next((part[1] for part in data or [] if isinstance(part, tuple)), None)
    if typ != "OK" or raw is None:
        raise MailError(NO_CONNECTION, f"Hộp thư «{host}» không trả về thư số {uid}; chạy lại để nhận tiếp.")
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    mid = str(msg.get("Message-ID") or "").strip() or f"<khong-co-message-id:{key}>"
    sender = email.utils.parseaddr(str(msg.get("From") or ""))[1]
    date = str(msg.get("Date") or "")
    with desk.engine.connect() as c:
        before = c.execute(select(MailTaken.attachment, MailTaken.status).where(
            MailTaken.mailbox == mailbox, MailTaken.uid == key)).all()
    if before:  # recorded by a run that stopped before marking it: only the mark is missing
        res.lines += [TakenLine(a, TAKEN_BEFORE, "đã nhận ở lần trước; nay chỉ đánh dấu xong trên máy chủ.",
                                sender, date, mid) for a, _s in before]
        _mark_done(m, uid, host)
        return
    lines = _import_attachments(upper, msg, sender, date, mid, res)
    with desk.engine.begin() as c:  # what was taken from this message, in one transaction, after the import
        t = _now()
        c.execute(insert(MailTaken), [dict(message_id=mid[:250], sender=sender[:250], sent_date=date[:64],
                                           mailbox=mailbox[:250], uid=key, attachment=ln.attachment[:260],
                                           status=ln.status, detail=ln.message, taken_at=t) for ln in lines])
        n = count_commit(c)
    desk.note_commit(n)
    res.lines += lines
    _mark_done(m, uid, host)


def _receipt(acc: Account, password: str, res: ReceiveResult) -> None:
    """«Đã nhận báo cáo …» to the address the message came from, for the bundles of it that were accepted
    (the upper level's SMTP account, when set). Best effort: a failure is said in the summary."""
    from nq57desk.mail.receipts import send_receipt

    new = [x for x in res.lines[res._receipted:] if x.status == "accepted"]
    res._receipted = len(res.lines)
    if not new or not acc.smtp_host or not new[0].sender:
        return
    why = send_receipt(acc, password, new[0].sender, new[0].message_id, [x.commune or x.attachment for x in new])
    if why:
        res.receipt_problems.append(why)
    else:
        res.receipts += 1


def _mark_done(m, uid: str, host: str) -> None:
    try:
        typ, data = m.uid("STORE", uid, "+FLAGS", f"({DONE})")
    except BaseException as e:
        raise classify(e, host) from e
    if typ != "OK":
        raise MailError("refused", f"Hộp thư «{host}» không cho đánh dấu thư đã nhận ({data}).")


def _import_attachments(upper, msg, sender: str, date: str, mid: str, res: ReceiveResult) -> list[TakenLine]:
    from nq57desk.bundle.package import safe_filename

    slots: list[TakenLine | str] = []  # in the message's order: a line, or the saved path of an importable file
    tmp = Path(tempfile.mkdtemp(prefix="nq57-thu-"))
    try:
        paths: dict[str, str] = {}
        for i, part in enumerate(p for p in msg.walk() if p.get_filename()):
            name = str(part.get_filename())
            data = part.get_payload(decode=True) or b""
            low = name.lower()
            if not low.endswith((".xlsx", ".zip")):
                slots.append(TakenLine(name, NOT_BUNDLE, "tệp không phải gói báo cáo (.xlsx, .zip); không nhập.",
                                       sender, date, mid))
                continue
            path = tmp / f"{i:03d}_{safe_filename(name)}"
            path.write_bytes(data)
            if low.endswith(".zip") and not _holds_bundle(path):
                slots.append(TakenLine(name, NOT_BUNDLE, "tệp nén không chứa gói báo cáo; không nhập.", sender, date,
                                       mid))
                continue
            paths[str(path)] = name
            slots.append(str(path))
        if not slots:
            slots.append(TakenLine("", NO_ATTACHMENT, "thư không có tệp đính kèm; không có gì để nhập.", sender, date,
                                   mid))
        per_path: dict[str, list[TakenLine]] = {p: [] for p in paths}
        if paths:
            got = upper.import_bundles(list(paths))
            res.groups = sorted(set(res.groups) | set(got.groups))
            for ln in got.lines:
                src = str(ln.source)
                path = next((p for p in paths if src.startswith(p)), None)
                inner = src[len(path):].lstrip("/\\!:") if path else ""
                who = f"{ln.commune_code} {ln.commune_name} {ln.period} lần {ln.revision}".strip() if ln.commune_code else ""
                line = TakenLine((paths[path] if path else src) + (f" › {inner}" if inner else ""), ln.status,
                                 ln.message, sender, date, mid, who)
                per_path.setdefault(path or "", []).append(line)
        out: list[TakenLine] = []
        for slot in slots:
            out += per_path.get(slot, []) if isinstance(slot, str) else [slot]
        out += per_path.get("", [])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def _holds_bundle(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            return any(n.lower().endswith(".xlsx") for n in z.namelist())
    except (zipfile.BadZipFile, OSError):
        return True  # a damaged package: the import says what is wrong with it


def _now() -> str:
    from nq57desk.services.records import now

    return now()


def taken(desk) -> list[dict]:
    """What was taken from the mailbox, newest first (for the upper level's window)."""
    with desk.engine.connect() as c:
        rows = c.execute(select(MailTaken).order_by(MailTaken.id.desc())).mappings().all()
    return [dict(r) for r in rows]
