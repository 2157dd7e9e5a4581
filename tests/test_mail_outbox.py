"""«Hộp thư đi» against a real SMTP server (aiosmtpd on loopback): queued when the server cannot be reached and
sent by the retry, wrong password, a certificate for another name, STARTTLS and SSL with a test CA, a message too
large for the server's SIZE, the same revision twice, a stop mid-send."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import os

import pytest

from nq57desk.mail import outbox as ob
from nq57desk.mail.account import Account, save_account
from nq57desk.report.document import dumps
from nq57desk.services import Desk
from tests.helpers.mailservers import PASSWORD, USER, FileKeyring, Smtp, free_port, make_ca

try:
    from tests.test_bundle import SAMPLE_YAML, make_doc
except ImportError:  # pragma: no cover
    from test_bundle import SAMPLE_YAML, make_doc

UPPER = "tonghop@tinh.gov.vn"


@pytest.fixture(autouse=True)
def test_keyring(tmp_path, monkeypatch):
    """The password goes to a keyring file of this test, never to the machine's real keyring."""
    import keyring.core

    monkeypatch.setenv("NQ57_TEST_KEYRING", str(tmp_path / "keyring.json"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.helpers.mailservers.FileKeyring")
    monkeypatch.setattr(keyring.core, "_keyring_backend", FileKeyring())
    return tmp_path / "keyring.json"


def fake_pdf(desk, rid, path):
    """A PDF-sized file (compressible, like a text report's PDF); the real print path is covered by the CLI test."""
    path.write_bytes(b"%PDF-1.4\n" + b"BT /F1 12 Tf (Bao cao Nghi quyet 57) Tj ET\n" * 8000 + b"%%EOF\n")


def commune(data_dir, code="05503", *, online=1) -> tuple[Desk, int]:
    (data_dir / "templates").mkdir(parents=True, exist_ok=True)
    (data_dir / "templates" / "thu-nghiem-goi.yaml").write_text(SAMPLE_YAML, encoding="utf-8")
    dk = Desk(data_dir)
    dk.save_profile({"commune_code": code})
    tpl = dk.template("thu-nghiem-goi", 1)
    doc = make_doc(tpl, code, online=online)
    doc["status"] = "draft"
    rid = dk.import_report(dumps(doc))
    return dk, rid


def setup(dk, port, security="plain", ca=None, password=PASSWORD, host="127.0.0.1"):
    save_account(dk, Account(user=USER, sender=USER, to=[UPPER], smtp_host=host, smtp_port=port,
                             smtp_security=security, ca_file=str(ca or "")), password)


@pytest.fixture
def cdesk(data_dir):
    dk, rid = commune(data_dir)
    yield dk, rid
    dk.close()


def test_no_connection_queues_then_the_retry_sends(cdesk):
    dk, rid = cdesk
    port = free_port()  # nothing listens yet: the office's line is down
    setup(dk, port)
    box = ob.Outbox(dk, fake_pdf)
    item = box.attempt(box.queue(rid).id)
    assert item.state == ob.QUEUED and item.reason == "no_connection" and item.attempts == 1
    assert "Chờ gửi" in item.state_vi and "không kết nối được" in item.state_vi
    assert "Không kết nối được máy chủ thư «127.0.0.1»" in item.message
    first = dt.datetime.fromisoformat(item.next_at)
    assert box.due() == []  # waits 1 min
    item = box.attempt(item.id)
    assert dt.datetime.fromisoformat(item.next_at) - dt.datetime.now() > dt.timedelta(seconds=100)  # then 2 min
    assert first < dt.datetime.fromisoformat(item.next_at)
    srv = Smtp(port).start()  # the line is back
    try:
        later = dt.datetime.now() + dt.timedelta(hours=1)
        [done] = box.send_due(now=later)
    finally:
        srv.stop()
    assert done.state == ob.SENT and done.state_vi.startswith("Đã gửi lúc")
    [raw] = srv.messages
    msg = email.message_from_bytes(raw)
    assert msg["Message-ID"] == done.message_id and msg["To"] == UPPER
    names = sorted(p.get_filename() for p in msg.walk() if p.get_filename())
    assert names == ["NQ57_05503_2026-T05_r1.pdf", "NQ57_05503_2026-T05_r1.zip"]


def test_retry_delays_double_to_an_hour():
    assert [ob.retry_delay(n) for n in range(1, 9)] == [60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_wrong_password_says_so_and_waits_for_the_officer(cdesk):
    dk, rid = cdesk
    srv = Smtp().start()
    try:
        setup(dk, srv.port, password="sai-mat-khau")
        box = ob.Outbox(dk, fake_pdf)
        item = box.attempt(box.queue(rid).id)
        assert item.state == ob.FAILED and item.reason == "wrong_password"
        assert "không nhận tên đăng nhập hoặc mật khẩu" in item.message
        assert box.due(dt.datetime.now() + dt.timedelta(days=1)) == []  # not retried by itself
        setup(dk, srv.port)  # the officer types the right password
        assert box.requeue_failed() == 1
        [item] = box.send_due()
        assert item.state == ob.SENT and len(srv.messages) == 1
    finally:
        srv.stop()
    raw = (dk.data_dir / "nq57desk.db").read_bytes()
    assert PASSWORD.encode() not in raw and b"sai-mat-khau" not in raw  # never in the database
    assert "mat-khau" not in json.dumps(dk.profile())


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_tls_with_the_provinces_ca(cdesk, tmp_path, security):
    dk, rid = cdesk
    pem = make_ca(tmp_path / "ca")
    srv = Smtp(security=security, pem=pem).start()
    try:
        setup(dk, srv.port, security, ca=pem["ca"])
        box = ob.Outbox(dk, fake_pdf)
        item = box.attempt(box.queue(rid).id)
        assert item.state == ob.SENT, item.message
        assert len(srv.messages) == 1
    finally:
        srv.stop()


def test_a_certificate_for_another_name_is_refused(cdesk, tmp_path):
    dk, rid = cdesk
    pem = make_ca(tmp_path / "ca", names=("mail.other.example",), ips=())
    srv = Smtp(security="ssl", pem=pem).start()
    try:
        setup(dk, srv.port, "ssl", ca=pem["ca"])
        box = ob.Outbox(dk, fake_pdf)
        item = box.attempt(box.queue(rid).id)
    finally:
        srv.stop()
    assert item.state == ob.FAILED and item.reason == "certificate"
    assert "Chứng chỉ của máy chủ thư «127.0.0.1» không được tin cậy" in item.message
    assert srv.messages == []


def test_plain_is_only_for_this_computer(cdesk):
    from nq57desk.mail.account import MailSetupError

    dk, _rid = cdesk
    with pytest.raises(MailSetupError, match="không mã hóa"):
        setup(dk, 25, "plain", host="mail.tinh.gov.vn")


def test_too_large_sends_the_bundle_and_a_compressed_pdf(cdesk):
    dk, rid = cdesk
    srv = Smtp(size=200_000).start()  # the PDF alone is over 200 KB once encoded
    try:
        setup(dk, srv.port)
        box = ob.Outbox(dk, fake_pdf)
        item = box.attempt(box.queue(rid).id)
    finally:
        srv.stop()
    assert item.state == ob.SENT, item.message
    assert "chỉ gửi gói Excel đã ký và bản PDF nén" in item.note
    msg = email.message_from_bytes(srv.messages[0], policy=email.policy.default)
    names = sorted(p.get_filename() for p in msg.walk() if p.get_filename())
    assert names == ["NQ57_05503_2026-T05_r1.pdf.zip", "NQ57_05503_2026-T05_r1.xlsx"]
    assert "Lưu ý: Thư đầy đủ quá lớn" in msg.get_body(("plain",)).get_content()


def test_too_large_even_cut_down_is_refused_with_a_reason(cdesk):
    dk, rid = cdesk
    srv = Smtp(size=5_000).start()
    try:
        setup(dk, srv.port)
        box = ob.Outbox(dk, fake_pdf)
        item = box.attempt(box.queue(rid).id)
    finally:
        srv.stop()
    assert item.state == ob.FAILED and item.reason == "too_large" and "gửi bằng USB" in item.message
    assert srv.messages == []


def test_the_same_revision_twice_is_harmless_and_done_becomes_sent(cdesk):
    dk, rid = cdesk
    dk.set_status(rid, "done")
    srv = Smtp().start()
    try:
        setup(dk, srv.port)
        box = ob.Outbox(dk, fake_pdf)
        first = box.queue(rid)
        again = box.queue(rid)
        assert again.id == first.id and again.again
        item = box.attempt(first.id)
        assert item.state == ob.SENT
        assert dk.report_info(rid).status == "sent"  # only now: the server accepted
        third = box.queue(rid)  # the «Đã gửi» revision is the same content: nothing new is sent
        assert third.id == first.id and third.again and third.state == ob.SENT
        assert box.send_due() == [] and len(srv.messages) == 1
    finally:
        srv.stop()


def test_refused_while_an_error_has_no_explanation(data_dir):
    from nq57desk.errors import NQError

    dk, rid = commune(data_dir, online=999)  # more online dossiers than received: an error
    try:
        setup(dk, free_port())
        box = ob.Outbox(dk, fake_pdf)
        with pytest.raises(NQError, match="gửi cấp trên"):
            box.queue(rid)
        assert box.items() == []
    finally:
        dk.close()


def test_a_stop_mid_send_is_queued_again_at_the_next_start(data_dir):
    dk, rid = commune(data_dir)
    setup(dk, free_port())
    box = ob.Outbox(dk, fake_pdf)
    item = box.queue(rid)
    with dk.session() as s, s.begin():  # what a stop between «Đang gửi» and the server's answer leaves
        from nq57desk.store.models import OutboxItem

        s.get(OutboxItem, item.id).state = ob.SENDING
    dk.close()
    dk = Desk(data_dir)
    try:
        again = ob.Outbox(dk, fake_pdf)
        assert [x.state for x in again.items()] == [ob.QUEUED] and len(again.due()) == 1
    finally:
        dk.close()


def test_cancel_and_retry_now(cdesk):
    dk, rid = cdesk
    setup(dk, free_port())
    box = ob.Outbox(dk, fake_pdf)
    item = box.attempt(box.queue(rid).id)
    assert box.due() == []
    assert box.retry_now(item.id).state == ob.QUEUED and len(box.due()) == 1
    assert box.cancel(item.id).state == ob.CANCELLED and box.items() == []
    assert box.queue(rid).id == item.id  # queued again on demand


def test_no_password_in_the_keyring_is_bad_input(cdesk, test_keyring):
    from nq57desk.mail.account import MailSetupError

    dk, rid = cdesk
    setup(dk, free_port(), password=None)
    box = ob.Outbox(dk, fake_pdf)
    item = box.queue(rid)
    with pytest.raises(MailSetupError, match="Chưa có mật khẩu"):
        box.attempt(item.id)
    assert not os.path.exists(test_keyring) or USER not in test_keyring.read_text()


def test_a_server_that_rejects_the_size_without_announcing_it(cdesk):
    dk, rid = cdesk
    srv = Smtp(refuse_over=150_000).start()  # no SIZE in EHLO: it says 552 after the data
    try:
        setup(dk, srv.port)
        box = ob.Outbox(dk, fake_pdf)
        item = box.attempt(box.queue(rid).id)
    finally:
        srv.stop()
    assert item.state == ob.SENT, item.message
    assert "bản PDF nén" in item.note and len(srv.messages) == 1


def test_the_connection_cut_mid_message_is_retried_and_sent_once(cdesk):
    dk, rid = cdesk
    srv = Smtp(cut=1).start()
    try:
        setup(dk, srv.port)
        box = ob.Outbox(dk, fake_pdf)
        item = box.attempt(box.queue(rid).id)
        assert item.state == ob.QUEUED and item.reason == "no_connection", item.message
        assert "ngắt giữa chừng" in item.message
        [item] = box.send_due(now=dt.datetime.now() + dt.timedelta(minutes=2))
        assert item.state == ob.SENT
        assert len(srv.messages) == 1
    finally:
        srv.stop()
