"""One SMTP session: connect (SSL 465 / STARTTLS 587, verified; plain towards localhost only), log in, learn the
server's SIZE, send one message. Every failure becomes a MailError (nq57desk.mail.errors)."""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from email.message import EmailMessage

from nq57desk.mail.account import Account
from nq57desk.mail.errors import REFUSED, TOO_LARGE, MailError, classify

MAX_BYTES = 10 * 1024 * 1024  # above this a message is cut down even when the server would take more
TIMEOUT = 30


def send(acc: Account, password: str, build: Callable[[int], EmailMessage], *, timeout: float = TIMEOUT,
         max_bytes: int = MAX_BYTES, to: list[str] | None = None) -> EmailMessage:
    """Connect, then `build(limit)` the message for the server's size limit, and send it (to the upper level's
    addresses, or `to`). Returns the message the server accepted (a refusal of every recipient raises)."""
    acc.check_smtp(need_to=to is None)
    to = list(to) if to is not None else acc.to
    host = acc.smtp_host
    try:
        s = _connect(acc, password, timeout)
    except BaseException as e:
        raise classify(e, host) from e
    try:
        limit = max_bytes
        size = s.esmtp_features.get("size", "").strip()
        if size.isdigit() and int(size) > 0:
            limit = min(limit, int(size))
        msg = build(limit)
        if len(msg.as_bytes()) > limit:
            raise MailError(TOO_LARGE, f"Thư quá lớn cho máy chủ «{host}» (tối đa {limit // 1024} KB) kể cả khi chỉ "
                                       "gửi gói Excel; hãy gửi bằng USB.")
        refused = s.send_message(msg, from_addr=acc.sender, to_addrs=to)
        if refused and len(refused) == len(to):  # smtplib raises in that case; belt and braces
            raise MailError(REFUSED, f"Máy chủ thư «{host}» từ chối mọi địa chỉ nhận.")
        msg.refused = refused  # type: ignore[attr-defined]
        return msg
    except BaseException as e:
        raise classify(e, host) from e
    finally:
        try:
            s.quit()
        except Exception:  # noqa: BLE001 - the line may be gone already
            s.close()


def _connect(acc: Account, password: str, timeout: float) -> smtplib.SMTP:
    if acc.smtp_security == "ssl":
        s = smtplib.SMTP_SSL(acc.smtp_host, acc.smtp_port, timeout=timeout, context=acc.ssl_context())
    else:
        s = smtplib.SMTP(acc.smtp_host, acc.smtp_port, timeout=timeout)
    try:
        s.ehlo()
        if acc.smtp_security == "starttls":
            if not s.has_extn("starttls"):
                raise MailError(REFUSED, f"Máy chủ thư «{acc.smtp_host}» không hỗ trợ STARTTLS ở cổng "
                                         f"{acc.smtp_port}; chưa gửi mật khẩu.")
            s.starttls(context=acc.ssl_context())
            s.ehlo()
        if acc.user and password:
            s.login(acc.user, password)
    except BaseException:
        s.close()
        raise
    return s
