"""The office's e-mail account: settings in the profile («mail»), the password in the OS keyring only.

The password is never written to the database, the INI or a log: `keyring` keeps it (Windows Credential Manager,
macOS Keychain, Secret Service). Certificates are always verified; plain (no TLS) is allowed only towards
127.0.0.1/localhost (tests, a relay on the same PC).
"""

from __future__ import annotations

import ssl
from dataclasses import asdict, dataclass, field

from nq57desk.errors import NQError

KEYRING_SERVICE = "nq57desk-thu-dien-tu"
SECURITIES = ("ssl", "starttls", "plain")
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


class MailSetupError(NQError):
    """The account is missing or set wrongly: bad input (exit 2)."""


@dataclass
class Account:
    user: str = ""
    sender: str = ""
    to: list[str] = field(default_factory=list)
    smtp_host: str = ""
    smtp_port: int = 0
    smtp_security: str = "ssl"
    imap_host: str = ""
    imap_port: int = 0
    imap_security: str = "ssl"
    ca_file: str = ""  # a CA the province uses besides the system's (or a test CA)

    @classmethod
    def from_profile(cls, profile: dict | None) -> Account:
        data = dict((profile or {}).get("mail") or {})
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def as_dict(self) -> dict:
        return asdict(self)

    def ssl_context(self) -> ssl.SSLContext:
        """Verified TLS: the system's CAs (and the account's own CA file when set); host names checked."""
        ctx = ssl.create_default_context()
        if self.ca_file:
            try:
                ctx.load_verify_locations(cafile=self.ca_file)
            except (OSError, ssl.SSLError) as e:
                raise MailSetupError(f"Không đọc được tệp chứng chỉ gốc «{self.ca_file}» ({e}).") from None
        return ctx

    def check_smtp(self, *, need_to: bool = True) -> None:
        if not self.smtp_host or not self.smtp_port:
            raise MailSetupError("Chưa thiết lập máy chủ gửi thư (SMTP); hãy chạy: nq57desk mail setup --smtp MÁY:CỔNG …")
        if not self.sender or (need_to and not self.to):
            raise MailSetupError("Chưa thiết lập địa chỉ gửi (--from) hoặc địa chỉ cấp trên (--to) của hộp thư.")
        check_security(self.smtp_host, self.smtp_security)

    def check_imap(self) -> None:
        if not self.imap_host or not self.imap_port:
            raise MailSetupError("Chưa thiết lập hộp thư nhận (IMAP); hãy chạy: nq57desk mail setup --imap MÁY:CỔNG …")
        check_security(self.imap_host, self.imap_security)


def check_security(host: str, security: str) -> None:
    if security not in SECURITIES:
        raise MailSetupError(f"Kiểu bảo mật «{security}» không có (chọn ssl, starttls hoặc plain).")
    if security == "plain" and host.strip().lower() not in LOCAL_HOSTS:
        raise MailSetupError(f"Không gửi mật khẩu qua kết nối không mã hóa tới «{host}»: chỉ dùng «plain» với "
                             "máy chủ trên chính máy này (127.0.0.1); hãy chọn ssl (cổng 465/993) hoặc starttls (587).")


def parse_host_port(text: str, what: str) -> tuple[str, int]:
    host, sep, port = str(text).strip().rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise MailSetupError(f"{what} phải có dạng MÁY:CỔNG, ví dụ mail.tinh.gov.vn:465 (đang là «{text}»).")
    return host.strip("[]"), int(port)


# -- the password, in the OS keyring only ------------------------------------------------------------------------

def _keyring():
    try:
        import keyring
    except ImportError:  # pragma: no cover - a dependency
        raise MailSetupError("Thiếu thư viện «keyring» để cất mật khẩu thư điện tử.") from None
    return keyring


def save_password(user: str, password: str) -> None:
    kr = _keyring()
    try:
        kr.set_password(KEYRING_SERVICE, user, password)
    except Exception as e:  # noqa: BLE001 - every keyring backend has its own errors
        raise MailSetupError(f"Không cất được mật khẩu vào kho mật khẩu của hệ điều hành ({type(e).__name__}); "
                             "mật khẩu không được ghi ở nơi nào khác.") from None


def load_password(user: str) -> str:
    kr = _keyring()
    try:
        pw = kr.get_password(KEYRING_SERVICE, user)
    except Exception as e:  # noqa: BLE001
        raise MailSetupError(f"Không đọc được mật khẩu thư điện tử từ kho mật khẩu của hệ điều hành "
                             f"({type(e).__name__}).") from None
    if pw is None:
        raise MailSetupError(f"Chưa có mật khẩu của tài khoản «{user}» trong kho mật khẩu của máy; hãy chạy lại "
                             "nq57desk mail setup.")
    return pw


def save_account(desk, acc: Account, password: str | None = None) -> Account:
    """Keep the account in the profile and the password (when given) in the OS keyring; nothing else stores it."""
    if acc.smtp_host:
        check_security(acc.smtp_host, acc.smtp_security)
    if acc.imap_host:
        check_security(acc.imap_host, acc.imap_security)
    if not acc.user:
        raise MailSetupError("Thiếu tên đăng nhập thư điện tử (--user).")
    profile = desk.profile()
    if not profile:
        raise MailSetupError("Chưa có thông tin đơn vị; hãy nhập «Thông tin đơn vị» trước khi thiết lập thư điện tử.")
    if password:
        save_password(acc.user, password)
    profile["mail"] = acc.as_dict()
    desk.save_profile(profile)
    return acc
