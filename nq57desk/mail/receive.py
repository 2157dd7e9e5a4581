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

import binascii
import email
import email.header
import email.message
import email.utils
import quopri
import re
import shutil
import tempfile
import unicodedata
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
REJECTED = "$NQ57Rejected"  # a message with a bundle the import refused
REJECTED_FOLDER = "NQ57 Bị từ chối"  # where such a message is moved on the server (when it can MOVE)
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
    rejected_folder: str = ""  # the server folder messages with a refused bundle were moved to ("" : flagged only)

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
        refused = [x for x in self.lines if x.status == "rejected"]
        if refused:
            where = (f"đã chuyển vào thư mục «{self.rejected_folder}» trên máy chủ" if self.rejected_folder else
                     f"đánh dấu «{REJECTED}» trên máy chủ")
            text += (f" {len({x.message_id for x in refused})} thư có gói bị từ chối ({where}; không nhận lại tự "
                     "động): " + "; ".join(f"{x.attachment} của {x.sender or '(không rõ)'} — {x.message}"
                                          for x in refused) + ".")
        if self.receipts:
            text += f" Đã gửi {self.receipts} thư báo nhận."
        for p in self.receipt_problems:
            text += f" Lưu ý: {p}."
        if self.stopped is not None:
            text += f" Dừng giữa chừng: {self.stopped} Các thư đã nhận vẫn được giữ; chạy lại để nhận tiếp."
        return text


BATCH = 500  # messages imported together: one import (one read of the store, one backup) per batch; a batch's
#             attachments wait on disk, its messages come FETCH_BYTES at a time


@dataclass
class _Msg:
    uid: str
    key: str  # "uidvalidity:uid": what mail_taken knows the message by
    mid: str
    sender: str
    date: str
    slots: list  # in the message's order: a TakenLine, or the saved path of an importable attachment
    before: list  # (attachment, status) recorded by an earlier run that stopped before marking it


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
        for first in range(0, len(uids), BATCH):
            if progress is not None:
                progress(first, len(uids))
            tmp = Path(tempfile.mkdtemp(prefix="nq57-thu-"))
            try:
                chunk = uids[first:first + BATCH]
                msgs = _fetch(desk, m, mailbox, uidvalidity, chunk, tmp, acc.imap_host)
                _import_batch(upper, msgs, res)
                _record(desk, mailbox, msgs, res)
                _mark_done(m, msgs, acc.imap_host, res)
                for x in msgs:
                    res.messages += 1
                    _receipt(acc, password, res, x)
            except MailError as e:
                res.stopped = e
                break
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
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


def _fetch(desk, m, mailbox: str, validity: str, uids: list[str], tmp: Path, host: str) -> list[_Msg]:
    """A batch of messages, fetched in groups of at most FETCH_BYTES (one FETCH … BODY.PEEK[] per group, one
    connection and SELECT for all): each group's attachments are saved under `tmp` (bundles) or listed before the
    next group comes, so only one group is ever held in memory."""
    keys = {u: f"{validity}:{u}" for u in uids}
    with desk.engine.connect() as c:
        before: dict[str, list] = {}
        for uid, a, st in c.execute(select(MailTaken.uid, MailTaken.attachment, MailTaken.status).where(
                MailTaken.mailbox == mailbox, MailTaken.uid.in_(list(keys.values())))):
            before.setdefault(uid, []).append((a, st))
    out: list[_Msg] = []
    try:
        groups = _by_size(m, uids)
    except BaseException as e:
        raise classify(e, host) from e
    for group in groups:
        raws: dict[str, bytes] = {}
        try:
            typ, data = m.uid("FETCH", ",".join(group), "(UID BODY.PEEK[])")
        except BaseException as e:
            raise classify(e, host) from e
        for part in data or []:
            if isinstance(part, tuple):
                got = re.search(rb"UID (\d+)", part[0])
                if got:
                    raws[got.group(1).decode()] = part[1]
        missing = [u for u in group if u not in raws]
        if typ != "OK" or missing:
            raise MailError(NO_CONNECTION, f"Hộp thư «{host}» không trả về thư số {', '.join(missing[:5])}; chạy lại "
                                           "để nhận tiếp.")
        for uid in group:
            msg, files = split_message(raws.pop(uid))
            mid = _text(msg.get("Message-ID")).strip() or f"<khong-co-message-id:{keys[uid]}>"
            sender = email.utils.parseaddr(_text(msg.get("From")))[1]
            x = _Msg(uid, keys[uid], mid, sender, _text(msg.get("Date")), [], before.get(keys[uid], []))
            if not x.before:
                x.slots = _save_attachments(files, tmp, f"{len(out):04d}", x)
            out.append(x)
    return out


class _Unusual(Exception):
    """A structure the fast walk leaves to the email package."""


def split_message(raw: bytes) -> tuple[email.message.Message, list[tuple[str, bytes]]]:
    """The message's headers, and (file name, decoded bytes) of each part that carries a file name, in order.

    A MIME walk over the raw bytes: each part's headers go through the email package (compat32: decoded only
    where read, by _text), its body is cut out at the boundary and decoded by binascii in one call, never fed to
    the email package's parser line by line (2.5 ms a message of 50 KB). Anything unusual (a delimiter missing, a
    message inside the message, an encoding other than base64, quoted-printable or none) is left to the email
    package, which gives the same answer more slowly."""
    try:
        files: list[tuple[str, bytes]] = []
        head, body = _cut(raw)
        top = email.message_from_bytes(head)
        _walk(top, body, files, 0)
        return top, files
    except (_Unusual, binascii.Error, ValueError, LookupError):
        msg = email.message_from_bytes(raw)
        return msg, [(_text(p.get_filename()), p.get_payload(decode=True) or b"") for p in msg.walk()
                     if not p.is_multipart() and p.get_filename()]


def _cut(raw: bytes) -> tuple[bytes, bytes]:
    """Headers (with their last line end) and body of a message or part."""
    if raw.startswith(b"\r\n"):
        return b"", raw[2:]
    i = raw.find(b"\r\n\r\n")
    if i < 0:
        raise _Unusual
    return raw[:i + 2], raw[i + 4:]


def _walk(msg, body: bytes, files: list, depth: int) -> None:
    ctype = msg.get_content_type()
    if ctype.startswith("message/") or depth > 8:
        raise _Unusual
    if msg.get_content_maintype() == "multipart":
        boundary = msg.get_boundary()
        if not boundary:
            raise _Unusual
        chunks = (b"\r\n" + body).split(b"\r\n--" + boundary.encode("ascii"))
        if len(chunks) < 3 or not chunks[-1].startswith(b"--"):
            raise _Unusual  # no part, or no closing delimiter
        for chunk in chunks[1:-1]:
            nl = chunk.find(b"\r\n")
            if nl < 0 or chunk[:nl].strip():
                raise _Unusual  # the delimiter line goes on: not ours
            head, part_body = _cut(chunk[nl + 2:])
            _walk(email.message_from_bytes(head), part_body, files, depth + 1)
        return
    name = msg.get_filename()
    if not name:
        return
    cte = str(msg.get("Content-Transfer-Encoding") or "").strip().lower()
    if cte == "base64":
        data = binascii.a2b_base64(body)
    elif cte == "quoted-printable":
        data = quopri.decodestring(body)
    elif cte in ("", "7bit", "8bit", "binary"):
        data = body
    else:
        raise _Unusual
    files.append((_text(name), data))


def _text(value) -> str:
    """A header or file name as text: RFC 2047 encoded words (=?utf-8?…?=) decoded, an RFC 2231 value joined."""
    if value is None:
        return ""
    if isinstance(value, tuple):  # get_filename's RFC 2231 (charset, language, text)
        return email.utils.collapse_rfc2231_value(value)
    text = re.sub(r"\r?\n(?=[ \t])", "", str(value))  # unfolded, as the default policy would
    if "=?" not in text:
        return text
    try:
        return str(email.header.make_header(email.header.decode_header(text)))
    except (LookupError, ValueError, UnicodeError):
        return text


FETCH_BYTES = 16 * 1024 * 1024


def _by_size(m, uids: list[str]) -> list[list[str]]:
    """The UIDs in groups of at most FETCH_BYTES (RFC822.SIZE; a bigger message goes alone)."""
    typ, data = m.uid("FETCH", ",".join(uids), "(UID RFC822.SIZE)")
    size: dict[str, int] = {}
    for part in data or []:
        text = part[0] if isinstance(part, tuple) else part
        got = re.search(rb"UID (\d+)", text or b"")
        sz = re.search(rb"RFC822\.SIZE (\d+)", text or b"")
        if got and sz:
            size[got.group(1).decode()] = int(sz.group(1))
    groups: list[list[str]] = [[]]
    total = 0
    for u in uids:
        n = size.get(u, FETCH_BYTES)
        if groups[-1] and total + n > FETCH_BYTES:
            groups.append([])
            total = 0
        groups[-1].append(u)
        total += n
    return groups


def _record(desk, mailbox: str, msgs: list[_Msg], res: ReceiveResult) -> None:
    """What was taken from a batch of messages, in one transaction, after the import committed."""
    rows = []
    t = _now()
    for x in msgs:
        if x.before:  # recorded by a run that stopped before marking it: only the mark is missing
            x.slots = [TakenLine(a, TAKEN_BEFORE, "đã nhận ở lần trước; nay chỉ đánh dấu xong trên máy chủ.",
                                 x.sender, x.date, x.mid) for a, _s in x.before]
        else:
            rows += [dict(message_id=x.mid[:250], sender=x.sender[:250], sent_date=x.date[:64], mailbox=mailbox[:250],
                          uid=x.key, attachment=ln.attachment[:260], status=ln.status, detail=ln.message, taken_at=t)
                     for ln in x.slots]
        res.lines += x.slots
    if rows:
        with desk.engine.begin() as c:
            c.execute(insert(MailTaken), rows)
            n = count_commit(c)
        desk.note_commit(n)


def _receipt(acc: Account, password: str, res: ReceiveResult, x: _Msg) -> None:
    """«Đã nhận báo cáo …» to the address the message came from, for the bundles of it that were accepted
    (the upper level's SMTP account, when set). Best effort: a failure is said in the summary."""
    from nq57desk.mail.receipts import send_receipt

    new = [ln for ln in x.slots if ln.status == "accepted"]
    if not new or not acc.smtp_host or not new[0].sender:
        return
    why = send_receipt(acc, password, new[0].sender, new[0].message_id, [x.commune or x.attachment for x in new])
    if why:
        res.receipt_problems.append(why)
    else:
        res.receipts += 1


def _mark_done(m, msgs: list[_Msg], host: str, res: ReceiveResult) -> None:
    """After the record committed: every message of the batch gets $NQ57Taken in one STORE, except those holding
    a bundle the import refused: they get $NQ57Rejected and are moved to the folder «NQ57 Bị từ chối», out of the
    inbox the officer reads (when the server can MOVE; else they stay, flagged with both keywords). Moved back
    to the inbox by hand (after the cause is mended), such a message is a new message and is taken again."""
    refused = [x.uid for x in msgs if any(ln.status == "rejected" for ln in x.slots)
                                  or any(st == "rejected" for _a, st in x.before)]
    done = [x.uid for x in msgs if x.uid not in refused]
    try:
        if refused and _can_move(m):
            _store(m, refused, f"({REJECTED})", host)
            folder = _quote(imap_utf7(REJECTED_FOLDER))
            m.create(folder)  # NO when it exists already: that is fine
            typ, data = m.uid("MOVE", ",".join(refused), folder)
            if typ != "OK":
                raise MailError("refused", f"Hộp thư «{host}» không cho chuyển thư vào thư mục «{REJECTED_FOLDER}» "
                                           f"({data}).")
            res.rejected_folder = REJECTED_FOLDER
        elif refused:
            done += refused
            _store(m, refused, f"({REJECTED})", host)
        if done:
            _store(m, done, f"({DONE})", host)
    except MailError:
        raise
    except BaseException as e:
        raise classify(e, host) from e


def _can_move(m) -> bool:
    """MOVE (RFC 6851), asked after login (the greeting's list may be shorter)."""
    typ, data = m.capability()
    return typ == "OK" and b"MOVE" in (data[0] or b"").upper().split()


def _store(m, uids: list[str], flags: str, host: str) -> None:
    typ, data = m.uid("STORE", ",".join(uids), "+FLAGS", flags)
    if typ != "OK":
        raise MailError("refused", f"Hộp thư «{host}» không cho đánh dấu thư đã nhận ({data}).")


def imap_utf7(name: str) -> str:
    """A folder name in IMAP's modified UTF-7 (RFC 3501 §5.1.3): «Bị từ chối» → "B&Hss- t&Hus- ch&HtE-i"."""
    import base64

    out, run = [], []

    def flush():
        if run:
            b = base64.b64encode("".join(run).encode("utf-16-be")).rstrip(b"=").replace(b"/", b",")
            out.append("&" + b.decode("ascii") + "-")
            run.clear()

    for ch in name:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            run.append(ch)
    flush()
    return "".join(out)


def _save_attachments(files: list[tuple[str, bytes]], folder: Path, stem: str, x: _Msg) -> list:
    """The message's attachments in order: a saved path for a bundle or package (all in one flat folder, named
    from `stem`: removing 500 subfolders cost 2 s on ext4, the files alone 0.1 s), a line for anything else."""
    from nq57desk.bundle.package import safe_filename

    slots: list = []
    for i, (name, data) in enumerate(files):
        name = unicodedata.normalize("NFC", name)
        low = name.lower()
        if not low.endswith((".xlsx", ".zip")):
            slots.append(TakenLine(name, NOT_BUNDLE, "tệp không phải gói báo cáo (.xlsx, .zip); không nhập.",
                                   x.sender, x.date, x.mid))
            continue
        path = folder / f"{stem}_{i:03d}_{safe_filename(name)}"
        path.write_bytes(data)
        if low.endswith(".zip") and not _holds_bundle(path):
            slots.append(TakenLine(name, NOT_BUNDLE, "tệp nén không chứa gói báo cáo; không nhập.", x.sender, x.date,
                                   x.mid))
            continue
        slots.append((str(path), name))
    if not slots:
        slots.append(TakenLine("", NO_ATTACHMENT, "thư không có tệp đính kèm; không có gì để nhập.", x.sender, x.date,
                               x.mid))
    return slots


def _import_batch(upper, msgs: list[_Msg], res: ReceiveResult) -> None:
    """One import (Upper.import_bundles) for the bundles of a batch of messages; each message's slots become its
    lines, in order."""
    owner: dict[str, tuple[_Msg, str]] = {s[0]: (x, s[1]) for x in msgs for s in x.slots if isinstance(s, tuple)}
    per_path: dict[str, list[TakenLine]] = {p: [] for p in owner}
    if owner:
        got = upper.import_bundles(list(owner))
        res.groups = sorted(set(res.groups) | set(got.groups))
        for ln in got.lines:
            src = str(ln.source)
            path = src if src in owner else next((p for p in owner if src.startswith(p + "!") or src.startswith(
                p + "/") or src.startswith(p + "\\")), None)  # a bundle inside a package: its .zip
            if path is None:
                continue
            x, name = owner[path]
            inner = src[len(path):].lstrip("/\\!:")
            who = f"{ln.commune_code} {ln.commune_name} {ln.period} lần {ln.revision}".strip() if ln.commune_code else ""
            per_path[path].append(TakenLine(name + (f" › {inner}" if inner else ""), ln.status, ln.message,
                                            x.sender, x.date, x.mid, who))
    for x in msgs:
        out: list[TakenLine] = []
        for s in x.slots:
            out += per_path.get(s[0], []) if isinstance(s, tuple) else [s]
        x.slots = out


def _holds_bundle(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            return any(n.lower().endswith(".xlsx") for n in z.namelist())
    except (zipfile.BadZipFile, OSError):
        return True  # a damaged package: the import says what is wrong with it


def _now() -> str:
    from nq57desk.services.records import now

    return now()


def rejected(desk) -> list[dict]:
    """The attachments the import refused, with the reason and the message they came in, newest first (for
    «Thư bị từ chối»)."""
    return [r for r in taken(desk) if r["status"] == "rejected"]


def taken(desk) -> list[dict]:
    """What was taken from the mailbox, newest first (for the upper level's window)."""
    with desk.engine.connect() as c:
        rows = c.execute(select(MailTaken).order_by(MailTaken.id.desc())).mappings().all()
    return [dict(r) for r in rows]
