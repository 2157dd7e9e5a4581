"""«Nhận từ hộp thư» against a real Dovecot (Debian's dovecot-imapd, started by the test on loopback): three
communes' reports sent through SMTP (aiosmtpd delivering into the Dovecot mailbox) and taken in; a mailbox
holding junk, forged senders and forged bundles; a kill -9 between the import and marking the message done;
a wrong password; IMAPS with a throwaway CA."""

from __future__ import annotations

import os
import subprocess
import sys
from email.message import EmailMessage

import pytest

from nq57desk.mail import outbox as ob
from nq57desk.mail import receive as rc
from nq57desk.mail.account import Account, save_account
from nq57desk.mail.errors import MailError
from nq57desk.report.document import dumps, make_period
from nq57desk.services import Desk
from nq57desk.units import communes
from tests.conftest import ROOT
from tests.helpers.keys import trust
from tests.helpers.mailservers import PASSWORD, UPPER_USER, USER, Dovecot, FileKeyring, Smtp, make_ca
from tests.test_mail_outbox import UPPER, fake_pdf, setup

try:
    from tests.test_bundle import SAMPLE_YAML, make_doc
except ImportError:  # pragma: no cover
    from test_bundle import SAMPLE_YAML, make_doc

pytestmark = pytest.mark.skipif(not Dovecot.available(), reason="dovecot-imapd is not installed (.ci/run installs it)")
DECEMBER = make_period("month", 2026, 12)
TID, PERIOD = "thu-nghiem-goi", "2026-T12"


@pytest.fixture(autouse=True)
def test_keyring(tmp_path, monkeypatch):
    import keyring.core

    monkeypatch.setenv("NQ57_TEST_KEYRING", str(tmp_path / "keyring.json"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.helpers.mailservers.FileKeyring")
    monkeypatch.setattr(keyring.core, "_keyring_backend", FileKeyring())


@pytest.fixture
def dovecot():
    d = Dovecot().start()
    yield d
    d.stop()


def folder(tmp_path, name, code) -> Desk:
    data = tmp_path / name
    (data / "templates").mkdir(parents=True)
    (data / "templates" / "thu-nghiem-goi.yaml").write_text(SAMPLE_YAML, encoding="utf-8")
    dk = Desk(data)
    dk.save_profile({"commune_code": code})
    return dk


def commune_report(dk, code) -> int:
    doc = make_doc(dk.template(TID, 1), code, period=DECEMBER)
    doc["status"] = "draft"
    rid = dk.import_report(dumps(doc))
    dk.set_status(rid, "done")
    return rid


def upper_desk(tmp_path, dovecot, *, security="plain", ca="", smtp_port=0) -> Desk:
    up = folder(tmp_path, "tinh", communes("19")[0].code)
    save_account(up, Account(user=UPPER_USER, sender=UPPER_USER, imap_host="127.0.0.1", imap_port=dovecot.port,
                             imap_security=security, ca_file=str(ca), smtp_host="127.0.0.1" if smtp_port else "",
                             smtp_port=smtp_port, smtp_security="plain"), PASSWORD)
    return up


def received_count(up) -> int:
    with up.engine.connect() as c:
        return c.exec_driver_sql("SELECT count(*) FROM received").scalar()


def test_three_communes_send_and_the_upper_level_takes_them_in(tmp_path, dovecot):
    codes = [u.code for u in communes("19")[:3]]
    srv = Smtp(deliver=dovecot.deliver).start()  # the province's mail server: SMTP in, the Dovecot mailboxes out
    up = upper_desk(tmp_path, dovecot, smtp_port=srv.port)
    try:
        for code in codes:
            dk = folder(tmp_path, f"xa-{code}", code)
            try:
                rid = commune_report(dk, code)
                setup(dk, srv.port)
                acc = Account.from_profile(dk.profile())
                acc.imap_host, acc.imap_port, acc.imap_security = "127.0.0.1", dovecot.port, "plain"
                save_account(dk, acc)  # the commune reads its own mailbox for the receipts
                box = ob.Outbox(dk, fake_pdf)
                item = box.attempt(box.queue(rid).id)
                assert item.state == ob.SENT, item.message
                assert dk.report_info(rid).status == "sent"
                trust(up, code, key=dk.signing_key())  # the key codes compared over the phone
            finally:
                dk.close()
        res = rc.receive(up)
        assert res.messages == 3 and res.ok, res.summary()
        assert sorted(x.status for x in res.lines) == ["accepted", "accepted", "accepted", "not_bundle", "not_bundle",
                                                        "not_bundle"]  # each message's PDF is listed, not imported
        assert all(USER in x.text() and "chưa được xác thực" in x.text() for x in res.lines)
        status = {s.code: s.status_vi for s in up.upper().completeness(TID, PERIOD, "19")}
        assert all(status[c] == "Đã nộp" for c in codes)
        again = rc.receive(up)  # every message is marked done on the server
        assert again.messages == 0 and again.lines == []
        assert received_count(up) == 3
        assert len(rc.taken(up)) == 6
        assert res.receipts == 3 and "Đã gửi 3 thư báo nhận" in res.summary()
        for code in codes:  # each commune's outbox shows the upper level's «Đã nhận»
            dk = Desk(tmp_path / f"xa-{code}")
            try:
                box = ob.Outbox(dk)
                assert box.check_receipts() == 1
                [item] = box.items()
                assert item.state_vi.startswith("Cấp trên đã nhận lúc")
            finally:
                dk.close()
    finally:
        srv.stop()
        up.close()


def _mail(sender: str, files: dict[str, bytes], mid: str | None = None) -> bytes:
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = sender, UPPER, "Báo cáo"
    if mid:
        m["Message-ID"] = mid
    m.set_content("Kính gửi")
    for name, data in files.items():
        m.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return bytes(m)


def _bundle_of(tmp_path, code) -> bytes:
    dk = folder(tmp_path, f"xa-{code}", code)
    try:
        rid = commune_report(dk, code)
        p = tmp_path / f"{code}.xlsx"
        dk.export_xlsx(rid, p)
        return p.read_bytes(), dk.signing_key()
    finally:
        dk.close()


def test_a_mailbox_holding_junk_forged_senders_and_forged_bundles(tmp_path, dovecot):
    up = upper_desk(tmp_path, dovecot)
    try:
        code, other = communes("19")[0].code, communes("19")[1].code
        genuine, key = _bundle_of(tmp_path, code)
        trust(up, code, key=key)
        forged, _stranger = _bundle_of(tmp_path, other)  # signed by a key the upper level does not know
        dovecot.append(b"From: spam@example.com\r\nSubject: hello\r\n\r\nno attachment\r\n")
        dovecot.append(_mail("spam@example.com", {"hoa-don.exe": b"MZ...", "ghi-chu.txt": b"abc"}))
        dovecot.append(_mail("hacker@example.com", {"NQ57_fake.xlsx": b"PK\x03\x04 not really a workbook"}))
        dovecot.append(_mail("giamao@example.com", {"NQ57_ok.xlsx": genuine}))  # forged sender, genuine bundle
        dovecot.append(_mail(f"vanthu@{other}.gov.vn", {"NQ57_x.xlsx": forged}))  # right-looking sender, unknown key
        res = rc.receive(up)
        by = {x.attachment: x for x in res.lines}
        assert res.messages == 5
        assert by[""].status == "no_attachment"
        assert by["hoa-don.exe"].status == by["ghi-chu.txt"].status == "not_bundle"
        assert by["NQ57_fake.xlsx"].status == "rejected"
        assert by["NQ57_ok.xlsx"].status == "accepted" and "giamao@example.com" in by["NQ57_ok.xlsx"].text()
        assert by["NQ57_x.xlsx"].status == "held"  # the signature decides, not the address
        assert not res.ok
        assert rc.receive(up).messages == 0  # junk is marked too: never read again
    finally:
        up.close()


@pytest.mark.parametrize("where", ["before-mark", "before-record"])
def test_kill_between_import_and_marking_done_imports_nothing_twice(tmp_path, dovecot, where):
    up = upper_desk(tmp_path, dovecot)
    code = communes("19")[0].code
    bundle, key = _bundle_of(tmp_path, code)
    trust(up, code, key=key)
    dovecot.append(_mail("vanthu@xa.gov.vn", {"NQ57_a.xlsx": bundle}, "<m1@xa.gov.vn>"))
    data = up.data_dir
    up.close()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    p = subprocess.run([sys.executable, str(ROOT / "tests" / "helpers" / "receive_child.py"), str(data), where],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode == -9 and "killed" in p.stdout, p.stderr
    up = Desk(data)
    try:
        assert received_count(up) == 1  # the import committed before the kill
        res = rc.receive(up)
        assert res.messages == 1
        want = "taken_before" if where == "before-mark" else "duplicate"
        assert [x.status for x in res.lines] == [want]
        assert received_count(up) == 1  # nothing imported twice
        assert rc.receive(up).messages == 0  # and now it is marked
    finally:
        up.close()


def test_wrong_imap_password_is_said(tmp_path, dovecot):
    up = upper_desk(tmp_path, dovecot)
    try:
        with pytest.raises(MailError) as ei:
            rc.receive(up, "sai")
        assert ei.value.reason == "wrong_password" and "không nhận tên đăng nhập hoặc mật khẩu" in str(ei.value)
    finally:
        up.close()


def test_imaps_with_the_provinces_ca(tmp_path):
    pem = make_ca(tmp_path / "ca")
    d = Dovecot(pem=pem).start()
    up = upper_desk(tmp_path, d, security="ssl", ca=pem["ca"])
    try:
        d.append(_mail("a@b.vn", {"ghi-chu.txt": b"x"}))
        res = rc.receive(up)
        assert res.messages == 1 and res.lines[0].status == "not_bundle"
    finally:
        up.close()
        d.stop()


def test_no_imap_server_is_no_connection(tmp_path, dovecot):
    up = upper_desk(tmp_path, dovecot)
    dovecot.stop()
    try:
        with pytest.raises(MailError) as ei:
            rc.receive(up)
        assert ei.value.reason == "no_connection"
    finally:
        up.close()


def test_a_rejected_bundle_goes_to_its_own_folder_and_is_listed_with_the_reason(tmp_path, dovecot):
    """What a province's IT officer expects: the message whose bundle was refused leaves the inbox for the folder
    «NQ57 Bị từ chối» (not taken again by itself), the summary and «Thư bị từ chối» say why; moved back to the
    inbox by hand, it is read again."""
    up = upper_desk(tmp_path, dovecot)
    try:
        code = communes("19")[0].code
        genuine, key = _bundle_of(tmp_path, code)
        trust(up, code, key=key)
        dovecot.append(_mail("hacker@example.com", {"NQ57_fake.xlsx": b"PK\x03\x04 not really a workbook"}))
        dovecot.append(_mail("vanthu@xa.gov.vn", {"NQ57_ok.xlsx": genuine}))
        res = rc.receive(up)
        assert [x.status for x in res.lines] == ["rejected", "accepted"]
        assert res.rejected_folder == rc.REJECTED_FOLDER
        text = res.summary()
        assert "1 thư có gói bị từ chối (đã chuyển vào thư mục «NQ57 Bị từ chối»" in text
        assert "NQ57_fake.xlsx của hacker@example.com — " in text
        [row] = rc.rejected(up)
        assert row["attachment"] == "NQ57_fake.xlsx" and row["sender"] == "hacker@example.com" and row["detail"]
        m = dovecot.client()
        try:
            m.select("INBOX")
            assert m.uid("SEARCH", None, "ALL")[1][0].split() == [b"2"]  # only the accepted one stays
            typ, _ = m.select(rc._quote(rc.imap_utf7(rc.REJECTED_FOLDER)))
            assert typ == "OK"
            typ, data = m.uid("SEARCH", None, "KEYWORD", rc.REJECTED)
            [uid] = data[0].split()
            assert rc.receive(up).messages == 0  # not taken again by itself
            m.uid("MOVE", uid, "INBOX")  # the officer drags it back after mending the cause
        finally:
            m.logout()
        again = rc.receive(up)
        assert again.messages == 1 and [x.status for x in again.lines] == ["rejected"]
        assert len(rc.rejected(up)) == 2
    finally:
        up.close()


def test_without_move_a_rejected_message_stays_flagged(tmp_path, dovecot, monkeypatch):
    up = upper_desk(tmp_path, dovecot)
    monkeypatch.setattr(rc, "_can_move", lambda m: False)  # a server without RFC 6851
    try:
        dovecot.append(_mail("hacker@example.com", {"NQ57_fake.xlsx": b"PK\x03\x04 junk"}))
        res = rc.receive(up)
        assert res.lines[0].status == "rejected" and res.rejected_folder == ""
        assert "đánh dấu «$NQ57Rejected» trên máy chủ" in res.summary()
        m = dovecot.client()
        try:
            m.select("INBOX")
            assert m.uid("SEARCH", None, "KEYWORD", rc.REJECTED, "KEYWORD", rc.DONE)[1][0].split() == [b"1"]
        finally:
            m.logout()
        assert rc.receive(up).messages == 0
    finally:
        up.close()


def test_batches_and_fetch_groups_take_every_message_once(tmp_path, dovecot, monkeypatch):
    """Several imports (BATCH) and several FETCH round trips (FETCH_BYTES) in one run: each message's lines in
    order, each marked once."""
    monkeypatch.setattr(rc, "BATCH", 2)
    monkeypatch.setattr(rc, "FETCH_BYTES", 1)  # each message its own round trip
    up = upper_desk(tmp_path, dovecot)
    try:
        for i in range(5):
            dovecot.append(_mail(f"x{i}@b.vn", {f"ghi-chu-{i}.txt": b"x", f"anh-{i}.png": b"y"}))
        seen: list[tuple[int, int]] = []
        res = rc.receive(up, progress=lambda a, b: seen.append((a, b)))
        assert res.messages == 5 and seen == [(0, 5), (2, 5), (4, 5)]
        assert [x.attachment for x in res.lines] == [f"{k}-{i}.{e}" for i in range(5)
                                                     for k, e in (("ghi-chu", "txt"), ("anh", "png"))]
        assert [x.sender for x in res.lines[::2]] == [f"x{i}@b.vn" for i in range(5)]
        assert rc.receive(up).messages == 0 and len(rc.taken(up)) == 10
    finally:
        up.close()


def test_headers_and_names_read_as_text():
    """Messages are parsed with the fast compat32 policy: folded headers, RFC 2047 words and RFC 2231 file names
    still come out as the default policy would give them (NFC)."""
    import email

    raw = (b"From: =?utf-8?b?VsSDbiB0aMawIA==?=\r\n <vanthu@xa.gov.vn>\r\nMessage-ID:\r\n <abc@xa.gov.vn>\r\n"
           b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
           b"Content-Type: application/pdf\r\nContent-Disposition: attachment; filename*=utf-8''B%C3%A1o%20c%C3%A1o.pdf"
           b"\r\n\r\nx\r\n--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; "
           b"filename=\"=?utf-8?b?R2hpIGNow7oucGRm?=\"\r\n\r\ny\r\n--b--\r\n")
    m = email.message_from_bytes(raw)
    assert rc._text(m.get("Message-ID")).strip() == "<abc@xa.gov.vn>"
    assert rc._text(m.get("From")).startswith("Văn thư") and "vanthu@xa.gov.vn" in rc._text(m.get("From"))
    names = [rc._text(p.get_filename()) for p in m.walk() if not p.is_multipart() and p.get_filename()]
    assert names == ["Báo cáo.pdf", "Ghi chú.pdf"]


def _by_email_package(raw: bytes) -> list[tuple[str, bytes]]:
    import email
    import email.policy

    msg = email.message_from_bytes(raw, policy=email.policy.default)
    return [(str(p.get_filename()), p.get_payload(decode=True) or b"") for p in msg.walk()
            if not p.is_multipart() and p.get_filename()]


def test_the_fast_mime_walk_gives_what_the_email_package_gives():
    """split_message cuts attachments out of the raw bytes; on every shape here it must agree with the email
    package (and fall back to it on the unusual ones)."""
    import os

    data, other = os.urandom(3000), os.urandom(500)
    plain = _mail("a@b.vn", {"NQ57_a.xlsx": data, "Báo cáo tháng 12.pdf": other})
    nested = EmailMessage()
    nested["From"] = "a@b.vn"
    nested.set_content("văn bản")
    nested.add_alternative("<p>văn bản</p>", subtype="html")
    nested.add_attachment(data, maintype="application", subtype="zip", filename="NQ57_goi.zip")
    qp = EmailMessage()
    qp["From"] = "a@b.vn"
    qp.set_content("x")
    qp.add_attachment("ghi chú có dấu\n", subtype="plain", filename="ghi-chú.txt", cte="quoted-printable")
    fwd = EmailMessage()
    fwd["From"] = "c@d.vn"
    fwd.set_content("chuyển tiếp")
    fwd.add_attachment(_parsed(plain))  # a message inside the message: left to the email package
    shapes = {
        "plain": plain, "nested": bytes(nested), "qp": bytes(qp), "forwarded": bytes(fwd),
        "single part": b"From: a@b.vn\nContent-Type: application/octet-stream; name=x.xlsx\nContent-Disposition: "
                       b"attachment; filename=x.xlsx\nContent-Transfer-Encoding: base64\n\nUEsDBA==\n",
        "cut": plain[: len(plain) * 2 // 3],
        "no body": b"From: a@b.vn\nSubject: x\n",
    }
    for name, raw in shapes.items():
        for eol in (b"\r\n", b"\n"):
            wire = raw.replace(b"\r\n", b"\n").replace(b"\n", eol)
            _head, files = rc.split_message(wire)
            assert files == _by_email_package(wire), (name, eol)
    import email

    for name in ("plain", "nested", "qp", "single part"):  # what comes over IMAP (CRLF) takes the fast walk
        head, body = rc._cut(shapes[name].replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
        got: list = []
        rc._walk(email.message_from_bytes(head), body, got, 0)
        assert got, name


def _parsed(raw: bytes):
    import email
    import email.policy

    return email.message_from_bytes(raw, policy=email.policy.default)
