"""«Đã nhận báo cáo …»: the upper level's receipt for a message whose bundle it accepted, and the commune's
outbox finding it. The receipt names the original Message-ID (In-Reply-To and X-NQ57-Receipt); it is sent to
the address the message came from, only for bundles whose signature was accepted, and its failure never undoes
or stops the import (it is said, not retried)."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from nq57desk.mail import smtp
from nq57desk.mail.account import Account
from nq57desk.mail.errors import MailError, classify

HEADER = "X-NQ57-Receipt"
DONE = "$NQ57Taken"


def receipt(acc: Account, to: str, mid: str, what: list[str]) -> EmailMessage:
    msg = EmailMessage(policy=email.policy.default.clone(max_line_length=200))
    msg["Subject"] = "Đã nhận báo cáo " + "; ".join(what)
    msg["From"] = acc.sender or acc.user
    msg["To"] = to
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=(acc.sender or acc.user).rpartition("@")[2] or None)
    msg["In-Reply-To"] = mid
    msg["References"] = mid
    msg[HEADER] = mid
    msg.set_content("Cấp trên đã nhận và kiểm tra chữ ký số các gói báo cáo sau:\n"
                    + "\n".join(f"- {w}" for w in what) + "\n\n(Thư báo nhận gửi tự động từ phần mềm nq57desk.)\n")
    return msg


def send_receipt(acc: Account, password: str, to: str, mid: str, what: list[str]) -> str | None:
    """None when sent, else the Vietnamese reason."""
    if not acc.smtp_host or not to:
        return None
    try:
        smtp.send(acc, password, lambda _limit: receipt(acc, to, mid, what), to=[to])
    except MailError as e:
        return f"chưa gửi được thư báo nhận tới {to}: {e}"
    return None


def find_receipts(m, wanted: set[str], host: str) -> dict[str, str]:
    """Message-ID sent → when its receipt was dated, for the receipts in the open IMAP session that answer one of
    `wanted`; those are marked done (the others are left for whoever they belong to)."""
    try:
        typ, _ = m.select("INBOX")
        typ, data = m.uid("SEARCH", None, "UNKEYWORD", DONE, "HEADER", HEADER, '""')
        found: dict[str, str] = {}
        for uid in (data[0] or b"").split() if data else []:
            typ, got = m.uid("FETCH", uid, f"(BODY.PEEK[HEADER.FIELDS ({HEADER} DATE)])")
            raw = next((p[1] for p in got or [] if isinstance(p, tuple)), b"")
            head = email.message_from_bytes(raw, policy=email.policy.default)
            mid = str(head.get(HEADER) or "").strip()
            if mid in wanted:
                found[mid] = _iso(str(head.get("Date") or ""))
                m.uid("STORE", uid, "+FLAGS", f"({DONE})")
        return found
    except MailError:
        raise
    except BaseException as e:
        raise classify(e, host) from e


def _iso(date: str) -> str:
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(date).astimezone().replace(tzinfo=None).isoformat(timespec="seconds")
    except (TypeError, ValueError):
        from nq57desk.services.records import now

        return now()
