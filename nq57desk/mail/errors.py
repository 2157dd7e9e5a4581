"""What a mail server did, as a reason code, whether waiting helps, and a Vietnamese sentence for the officer."""

from __future__ import annotations

import imaplib
import smtplib
import socket
import ssl

from nq57desk.errors import NQError

NO_CONNECTION, WRONG_PASSWORD, CERTIFICATE, TOO_LARGE, REFUSED, BUSY = (
    "no_connection", "wrong_password", "certificate", "too_large", "refused", "busy")
REASON_VI = {
    NO_CONNECTION: "không kết nối được máy chủ thư",
    WRONG_PASSWORD: "sai tên đăng nhập hoặc mật khẩu",
    CERTIFICATE: "chứng chỉ của máy chủ thư không hợp lệ",
    TOO_LARGE: "thư quá lớn",
    REFUSED: "máy chủ thư từ chối",
    BUSY: "máy chủ thư tạm thời bận",
}
RETRY = {NO_CONNECTION, BUSY}  # waiting helps; the others need the officer


class MailError(NQError):
    def __init__(self, reason: str, message: str):
        self.reason = reason
        super().__init__(message)

    @property
    def retry(self) -> bool:
        return self.reason in RETRY


def classify(e: BaseException, host: str) -> MailError:
    """Any failure of a connection, login or send, as a MailError naming the server."""
    if isinstance(e, MailError):
        return e
    if isinstance(e, ssl.SSLCertVerificationError):
        return MailError(CERTIFICATE, f"Chứng chỉ của máy chủ thư «{host}» không được tin cậy hoặc cấp cho tên máy "
                                      f"khác ({e.verify_message or e.reason}); chưa gửi mật khẩu hay thư nào. Hãy "
                                      "kiểm tra tên máy chủ với bộ phận quản lý thư điện tử của tỉnh.")
    if isinstance(e, ssl.SSLError):
        return MailError(CERTIFICATE, f"Không thiết lập được kết nối mã hóa với máy chủ thư «{host}» ({e.reason}); "
                                      "hãy kiểm tra cổng và kiểu bảo mật (SSL 465/993 hay STARTTLS 587).")
    if isinstance(e, smtplib.SMTPAuthenticationError):
        return MailError(WRONG_PASSWORD, f"Máy chủ thư «{host}» không nhận tên đăng nhập hoặc mật khẩu; hãy nhập lại "
                                         "mật khẩu (nq57desk mail setup, hoặc «Thiết lập thư điện tử»).")
    if isinstance(e, smtplib.SMTPNotSupportedError):
        return MailError(REFUSED, f"Máy chủ thư «{host}» không hỗ trợ cách đăng nhập hoặc mã hóa đã chọn ({_said(e)}).")
    if isinstance(e, (smtplib.SMTPSenderRefused, smtplib.SMTPDataError, smtplib.SMTPResponseException)):
        code = getattr(e, "smtp_code", 0) or 0
        if code == 552 or b"size" in (getattr(e, "smtp_error", b"") or b"").lower():
            return MailError(TOO_LARGE, f"Máy chủ thư «{host}» từ chối vì thư quá lớn ({code} {_said(e)}).")
        if 400 <= code < 500:
            return MailError(BUSY, f"Máy chủ thư «{host}» tạm thời chưa nhận ({code} {_said(e)}); sẽ thử lại.")
        return MailError(REFUSED, f"Máy chủ thư «{host}» từ chối thư ({code} {_said(e)}).")
    if isinstance(e, smtplib.SMTPRecipientsRefused):
        who = ", ".join(f"{a} ({c})" for a, (c, _m) in e.recipients.items())
        return MailError(REFUSED, f"Máy chủ thư «{host}» từ chối địa chỉ nhận: {who}; hãy kiểm tra địa chỉ cấp trên.")
    if isinstance(e, imaplib.IMAP4.error) and "authenticat" in str(e).lower():
        return MailError(WRONG_PASSWORD, f"Hộp thư «{host}» không nhận tên đăng nhập hoặc mật khẩu; hãy nhập lại "
                                         "mật khẩu (nq57desk mail setup).")
    if isinstance(e, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, socket.timeout, ConnectionError,
                      socket.gaierror, OSError, EOFError, imaplib.IMAP4.abort)):
        return MailError(NO_CONNECTION, f"Không kết nối được máy chủ thư «{host}» ({_os_said(e)}); thư được giữ lại "
                                        "và sẽ tự gửi khi có mạng.")
    if isinstance(e, imaplib.IMAP4.error):
        return MailError(REFUSED, f"Hộp thư «{host}» từ chối: {e}.")
    return MailError(REFUSED, f"Máy chủ thư «{host}» trả lời không như mong đợi ({type(e).__name__}).")


def _said(e) -> str:
    msg = getattr(e, "smtp_error", b"")
    if isinstance(msg, bytes):
        msg = msg.decode("utf-8", "replace")
    return str(msg or e)[:200]


def _os_said(e: BaseException) -> str:
    if isinstance(e, socket.gaierror):
        return "không tìm thấy tên máy chủ — máy chưa có mạng?"
    if isinstance(e, ConnectionRefusedError):
        return "máy chủ không trả lời ở cổng này"
    if isinstance(e, (socket.timeout, TimeoutError)):
        return "quá thời gian chờ"
    if isinstance(e, (smtplib.SMTPServerDisconnected, ConnectionResetError, EOFError, imaplib.IMAP4.abort)):
        return "kết nối bị ngắt giữa chừng"
    return "lỗi mạng"
