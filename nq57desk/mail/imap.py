"""One IMAP session on the upper level's mailbox: IMAPS (993) or STARTTLS, verified; plain towards localhost
only. Failures become MailError (nq57desk.mail.errors)."""

from __future__ import annotations

import imaplib

from nq57desk.mail.account import Account
from nq57desk.mail.errors import classify

TIMEOUT = 60


def connect(acc: Account, password: str, *, timeout: float = TIMEOUT) -> imaplib.IMAP4:
    acc.check_imap()
    host = acc.imap_host
    m = None
    try:
        if acc.imap_security == "ssl":
            m = imaplib.IMAP4_SSL(host, acc.imap_port, ssl_context=acc.ssl_context(), timeout=timeout)
        else:
            m = imaplib.IMAP4(host, acc.imap_port, timeout=timeout)
            if acc.imap_security == "starttls":
                m.starttls(ssl_context=acc.ssl_context())
        m.login(acc.user, password)
        return m
    except BaseException as e:
        if m is not None:
            try:
                m.shutdown()
            except Exception:  # noqa: BLE001 - the line may be gone already
                pass
        raise classify(e, host) from e


def close(m: imaplib.IMAP4) -> None:
    try:
        m.logout()
    except Exception:  # noqa: BLE001 - leaving; nothing depends on a clean goodbye
        pass
