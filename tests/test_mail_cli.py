"""`nq57desk mail setup | send | outbox | receive` against real servers on loopback, with the exit codes of
issue 17: 0 done, 1 refused, 2 bad input, 4 queued because the server could not be reached."""

from __future__ import annotations

import email
import email.policy
import sqlite3

import pytest

from nq57desk.cli import main
from nq57desk.units import communes
from tests.helpers.keys import trust
from tests.helpers.mailservers import PASSWORD, UPPER_USER, USER, Dovecot, FileKeyring, Smtp, free_port
from tests.test_mail_outbox import UPPER, commune


@pytest.fixture(autouse=True)
def test_keyring(tmp_path, monkeypatch):
    import keyring.core

    monkeypatch.setenv("NQ57_TEST_KEYRING", str(tmp_path / "keyring.json"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.helpers.mailservers.FileKeyring")
    monkeypatch.setattr(keyring.core, "_keyring_backend", FileKeyring())
    monkeypatch.setenv("NQ57_MAIL_PASSWORD", PASSWORD)


def run(capsys, data_dir, *args):
    code = main(["--data-dir", str(data_dir), *args])
    out, err = capsys.readouterr()
    return code, out, err


def setup_cli(capsys, data_dir, port, *extra):
    return run(capsys, data_dir, "mail", "setup", "--smtp", f"127.0.0.1:{port}", "--security", "plain", "--user", USER,
               "--from", USER, "--to", UPPER, *extra)


def test_down_then_up_exit_4_then_retried_and_sent_with_its_pdf(capsys, data_dir):
    dk, rid = commune(data_dir)
    dk.close()
    port = free_port()
    code, out, _ = setup_cli(capsys, data_dir, port)
    assert code == 0 and "kho mật khẩu" in out
    code, out, err = run(capsys, data_dir, "send", str(rid))
    assert code == 4, err
    assert "Chờ gửi" in out and "Không kết nối được máy chủ thư" in err
    code, out, _ = run(capsys, data_dir, "outbox")
    assert code == 0 and "Chờ gửi" in out
    code, out, _ = run(capsys, data_dir, "outbox", "--retry")
    assert code == 0 and "Không có thư nào đến lượt gửi" in out  # the next try is a minute away
    con = sqlite3.connect(data_dir / "nq57desk.db")
    con.execute("UPDATE outbox SET next_at = '2000-01-01T00:00:00'")  # time passes
    con.commit()
    con.close()
    srv = Smtp(port).start()
    try:
        code, out, err = run(capsys, data_dir, "outbox", "--retry")
    finally:
        srv.stop()
    assert code == 0, err
    assert "Đã gửi lúc" in out
    msg = email.message_from_bytes(srv.messages[0], policy=email.policy.default)
    pdf = next(p for p in msg.iter_attachments() if p.get_filename().endswith(".pdf"))
    assert pdf.get_content().startswith(b"%PDF")  # printed by the app's own print path
    code, out, _ = run(capsys, data_dir, "send", str(rid))  # the same revision again: harmless
    assert code == 0 and "không gửi lại" in out and len(srv.messages) == 1
    for f in list(data_dir.rglob("*.db")) + list(data_dir.rglob("*.log")) + list(data_dir.rglob("*.ini")):
        assert PASSWORD.encode() not in f.read_bytes(), f


def test_wrong_password_exit_1_with_the_reason(capsys, data_dir, monkeypatch):
    dk, rid = commune(data_dir)
    dk.close()
    srv = Smtp().start()
    try:
        monkeypatch.setenv("NQ57_MAIL_PASSWORD", "sai")
        setup_cli(capsys, data_dir, srv.port)
        code, out, err = run(capsys, data_dir, "send", str(rid))
    finally:
        srv.stop()
    assert code == 1 and "Chưa gửi được: sai tên đăng nhập hoặc mật khẩu" in out
    assert "không nhận tên đăng nhập hoặc mật khẩu" in err


def test_refused_while_errors_remain_and_bad_input_without_setup(capsys, data_dir):
    dk, rid = commune(data_dir, online=999)
    dk.close()
    code, _out, err = run(capsys, data_dir, "send", str(rid))
    assert code == 1 and "gửi cấp trên" in err
    dk, rid2 = commune(data_dir.parent / "data2")
    dk.close()
    code, _out, err = run(capsys, data_dir.parent / "data2", "send", str(rid2))
    assert code == 2 and "Chưa thiết lập máy chủ gửi thư" in err
    code, _out, err = run(capsys, data_dir, "mail", "setup", "--smtp", "mail.tinh.gov.vn:25", "--security", "plain",
                          "--user", USER, "--to", UPPER)
    assert code == 2 and "không mã hóa" in err


@pytest.mark.skipif(not Dovecot.available(), reason="dovecot-imapd is not installed (.ci/run installs it)")
def test_receive_prints_a_line_per_attachment(capsys, tmp_path):
    d = Dovecot().start()
    try:
        code_c = communes("19")[0].code
        cdir, udir = tmp_path / "xa", tmp_path / "tinh"
        dk, rid = commune(cdir, code_c)
        key = dk.signing_key()
        dk.close()
        srv = Smtp(deliver=d.deliver).start()
        try:
            setup_cli(capsys, cdir, srv.port)
            code, out, err = run(capsys, cdir, "send", str(rid))
            assert code == 0, err
        finally:
            srv.stop()
        up, _ = commune(udir, code_c)
        trust(up, code_c, key=key)
        up.close()
        code, out, err = run(capsys, udir, "mail", "setup", "--imap", f"127.0.0.1:{d.port}", "--imap-security",
                             "plain", "--user", UPPER_USER)
        assert code == 0, err
        code, out, err = run(capsys, udir, "receive")
        assert code == 0, err
        lines = out.splitlines()
        assert lines[0].startswith("Đã nhận\tNQ57_") and USER in lines[0] and "chưa được xác thực" in lines[0]
        assert lines[1].startswith("Không phải gói báo cáo\tNQ57_") and lines[1].split("\t")[1].endswith(".pdf")
        assert "Đã đọc 1 thư mới: nhận 1 gói" in out
        code, out, _ = run(capsys, udir, "receive")
        assert code == 0 and "Đã đọc 0 thư mới" in out
        d.stop()
        code, out, err = run(capsys, udir, "receive")
        assert code == 4 and "Không kết nối được" in err
    finally:
        d.stop()
