"""`nq57desk mail setup | send | outbox | receive`: thin adapters for the command line (nq57desk/cli.py).

Exit codes: 0 done; 1 refused (an error without giải trình, or the server refused: wrong password, certificate,
too large, an address); 2 bad input (the account not set, no password in the keyring); 4 queued because the
server could not be reached (the outbox retries it).
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable

from nq57desk.mail.account import Account, MailSetupError, parse_host_port, save_account
from nq57desk.mail.errors import MailError

QUEUED_EXIT = 4


def setup(desk, args, out: Callable[[str], None]) -> int:
    acc = Account.from_profile(desk.profile())
    if args.smtp:
        acc.smtp_host, acc.smtp_port = parse_host_port(args.smtp, "--smtp")
    if args.security:
        acc.smtp_security = args.security
    if args.imap:
        acc.imap_host, acc.imap_port = parse_host_port(args.imap, "--imap")
        acc.imap_security = args.imap_security or ("ssl" if acc.imap_port == 993 else
                                                   acc.smtp_security if acc.smtp_security != "ssl" else "starttls")
    elif args.imap_security:
        acc.imap_security = args.imap_security
    acc.user = args.user or acc.user
    acc.sender = getattr(args, "from_addr", None) or acc.sender or acc.user
    if args.to:
        acc.to = [a.strip() for x in args.to for a in x.split(",") if a.strip()]
    if args.ca is not None:
        acc.ca_file = os.path.abspath(args.ca) if args.ca else ""
    if not acc.smtp_host and not acc.imap_host:
        raise MailSetupError("Hãy cho biết máy chủ gửi thư (--smtp MÁY:CỔNG) hoặc hộp thư nhận (--imap MÁY:CỔNG).")
    password = os.environ.get("NQ57_MAIL_PASSWORD")
    if password is None:
        if not sys.stdin or not sys.stdin.isatty():
            raise MailSetupError("Hãy nhập mật khẩu thư điện tử (biến NQ57_MAIL_PASSWORD, hoặc chạy lệnh ở cửa sổ lệnh "
                                 "để được hỏi).")
        password = getpass.getpass("Mật khẩu thư điện tử (không hiện khi gõ): ")
    save_account(desk, acc, password or None)
    from nq57desk.mail.outbox import Outbox

    again = Outbox(desk).requeue_failed()
    out("Đã lưu thiết lập thư điện tử; mật khẩu được cất trong kho mật khẩu của hệ điều hành."
        + (f" {again} thư đang chờ xử lý sẽ được gửi lại." if again else ""))
    return 0


def send(desk, rid: int, out: Callable[[str], None], err: Callable[[str], None], make_pdf=None) -> int:
    from nq57desk.mail.outbox import FAILED, SENT, Outbox
    from nq57desk.validation import blocking, refusal_text

    doc = desk.document(rid)
    block = blocking(desk.validate(rid), doc)
    if block:
        err(f"Lỗi: {refusal_text(block, 'gửi cấp trên')}")
        return 1
    box = Outbox(desk, make_pdf)
    item = box.queue(rid)
    if item.again and item.state == SENT:
        out(f"{item.id}\tBáo cáo {rid} lần gửi {item.revision} đã gửi lúc {item.sent_vi}; "
            "không gửi lại.")
        return 0
    item = box.attempt(item.id)
    out(_line(item))
    if item.state == SENT:
        return 0
    err(f"Lỗi: {item.message}" if item.state == FAILED else f"Lưu ý: {item.message}")
    return 1 if item.state == FAILED else QUEUED_EXIT


def outbox(desk, retry: bool, out: Callable[[str], None], err: Callable[[str], None], make_pdf=None) -> int:
    from nq57desk.mail.outbox import FAILED, QUEUED, Outbox

    box = Outbox(desk, make_pdf)
    code = 0
    if retry:
        tried = box.send_due()
        if not tried:
            out("Không có thư nào đến lượt gửi." + (f" Lần thử tới: {box.next_due_at()}." if box.next_due_at() else ""))
        for x in tried:
            if x.state == FAILED:
                code = 1
            elif x.state == QUEUED and code == 0:
                code = QUEUED_EXIT
        try:
            n = box.check_receipts()
            if n:
                out(f"Cấp trên đã báo nhận {n} thư.")
        except MailError as e:
            err(f"Lưu ý: chưa đọc được thư báo nhận ({e})")
    items = box.items()
    if not items:
        out("Hộp thư đi trống.")
    for x in items:
        out(_line(x))
    return code


def _line(x) -> str:
    extra = x.note or (x.message if x.state not in ("sent",) else "") or ""
    return "\t".join(s for s in (str(x.id), f"báo cáo {x.report_id}", f"lần gửi {x.revision}", x.state_vi, extra) if s)


def receive(desk, out: Callable[[str], None], err: Callable[[str], None]) -> int:
    from nq57desk.mail.receive import receive as take

    try:
        res = take(desk)
    except MailError as e:
        err(f"Lỗi: {e}")
        return QUEUED_EXIT if e.retry else 1
    for ln in res.lines:
        out(ln.text())
    out(res.summary())
    if res.groups:
        from nq57desk.upper import completeness_line

        up = desk.upper()
        for tid, per in res.groups:
            out(f"Mẫu {tid}, kỳ {per}: {completeness_line(up.completeness(tid, per))}")
    if res.stopped is not None:
        return QUEUED_EXIT if res.stopped.retry else 1
    return 0 if res.ok else 1
