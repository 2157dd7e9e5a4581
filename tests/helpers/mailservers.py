"""Real mail servers for the tests, started on loopback by the tests themselves: aiosmtpd (SMTP: plain,
STARTTLS, implicit TLS, a SIZE limit, AUTH) and Dovecot (IMAP, Debian's dovecot-imapd), with TLS certificates
from a throwaway CA made here with `cryptography`. Also a keyring backend in a file of the test's folder, so the
password never touches the real OS keyring."""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import json
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from pathlib import Path

from keyring.backend import KeyringBackend

USER, PASSWORD = "vanthu@tancuong.gov.vn", "mat-khau-dung"
UPPER_USER = "tonghop@tinh.gov.vn"  # the upper level's own mailbox (same password, for brevity)


class FileKeyring(KeyringBackend):
    """A keyring kept in the JSON file named by NQ57_TEST_KEYRING (a subprocess finds it through
    PYTHON_KEYRING_BACKEND=tests.helpers.mailservers.FileKeyring)."""

    priority = 1

    def _path(self) -> Path:
        return Path(os.environ["NQ57_TEST_KEYRING"])

    def _load(self) -> dict:
        p = self._path()
        return json.loads(p.read_text("utf-8")) if p.exists() else {}

    def get_password(self, service, username):
        return self._load().get(f"{service}\n{username}")

    def set_password(self, service, username, password):
        d = self._load()
        d[f"{service}\n{username}"] = password
        self._path().write_text(json.dumps(d), "utf-8")

    def delete_password(self, service, username):
        d = self._load()
        d.pop(f"{service}\n{username}", None)
        self._path().write_text(json.dumps(d), "utf-8")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- a throwaway CA --------------------------------------------------------------------------------------------------

def make_ca(folder: Path, names=("localhost",), ips=("127.0.0.1",)) -> dict[str, Path]:
    """ca.pem, and server.pem/server.key for `names`/`ips` signed by it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "nq57 test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
          .not_valid_after(now + dt.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                                       encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    sans = [x509.DNSName(n) for n in names] + [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName(sans), critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    out = {"ca": folder / "ca.pem", "cert": folder / "server.pem", "key": folder / "server.key"}
    out["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    out["cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    out["key"].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                             serialization.NoEncryption()))
    return out


def server_context(pem: dict[str, Path]) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(pem["cert"], pem["key"])
    return ctx


# -- SMTP: aiosmtpd ----------------------------------------------------------------------------------------------------

class Smtp:
    """An aiosmtpd server on 127.0.0.1: `security` plain | starttls | ssl, AUTH with USER/PASSWORD, an optional
    SIZE limit; `messages` holds what it accepted (bytes); `deliver(bytes)` is called for each, if given."""

    def __init__(self, port: int | None = None, *, security="plain", pem=None, size: int | None = None, deliver=None,
                 refuse_over: int | None = None, cut: int = 0, delay: float = 0):
        """`refuse_over`: answer 552 to a message over that many bytes without announcing SIZE; `cut`: drop the
        connection in the middle of the first `cut` messages (after the data came, before the answer)."""
        self.refuse_over, self.cut, self.delay = refuse_over, cut, delay  # delay: a slow line, seconds
        self.port = port or free_port()
        self.security, self.pem, self.size, self.deliver = security, pem, size, deliver
        self.messages: list[bytes] = []
        self.controller = None

    def start(self) -> Smtp:
        from aiosmtpd.smtp import AuthResult

        box = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                data = envelope.original_content or envelope.content
                if box.delay:
                    import asyncio

                    await asyncio.sleep(box.delay)
                if box.cut > 0:
                    box.cut -= 1
                    server.transport.close()
                    return "421 4.4.2 connection dropped"
                if box.refuse_over is not None and len(data) > box.refuse_over:
                    return "552 5.3.4 Message size exceeds fixed limit"
                box.messages.append(data)
                if box.deliver is not None:
                    box.deliver(data, envelope.rcpt_tos)
                return "250 OK"

        def auth(_server, _session, _envelope, _mechanism, data):
            ok = data.login.decode() in (USER, UPPER_USER) and data.password.decode() == PASSWORD
            return AuthResult(success=ok, handled=False)

        kw = dict(authenticator=auth, auth_require_tls=False, data_size_limit=self.size or 0,
                  auth_exclude_mechanism=["LOGIN"])  # its LOGIN stalls after a failed PLAIN (smtplib tries both)
        if self.security == "starttls":
            kw.update(tls_context=server_context(self.pem), require_starttls=True)
        ctl_ssl = server_context(self.pem) if self.security == "ssl" else None
        self.controller = _controller_class()(Handler(), hostname="127.0.0.1", port=self.port, ssl_context=ctl_ssl,
                                      server_kwargs=kw)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def _controller_class():
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import SMTP

    class C(Controller):
        def __init__(self, handler, server_kwargs, **kw):
            self._kw = server_kwargs
            super().__init__(handler, **kw)

        def factory(self):
            return SMTP(self.handler, hostname="localhost", **self._kw)

        def _trigger_server(self):  # the stock check wraps with the server's context; a plain connect suffices
            with contextlib.suppress(OSError), socket.create_connection((self.hostname, self.port), 1.0):
                pass

    return C


# -- IMAP: Dovecot -----------------------------------------------------------------------------------------------------

class Dovecot:
    """Debian's Dovecot with its own config in a temp folder (the mail processes run as the `dovecot` user when
    the tests run as root, so its folders are outside pytest's private tmp), one user USER/PASSWORD, listening on
    a free loopback port: plain IMAP, or IMAPS with `pem`."""

    def __init__(self, *, pem=None):
        self.port = free_port()
        self.pem = pem
        self.proc = None
        self.root = Path(tempfile.mkdtemp(prefix="nq57-dovecot-"))

    @staticmethod
    def available() -> bool:
        return shutil.which("dovecot") is not None or Path("/usr/sbin/dovecot").exists()

    def start(self) -> Dovecot:
        import pwd

        r = self.root
        os.chmod(r, 0o755)
        (r / "run").mkdir()
        (r / "mail").mkdir()
        if os.getuid() == 0:
            uid = pwd.getpwnam("dovecot").pw_uid
            gid = pwd.getpwnam("dovecot").pw_gid
            os.chown(r / "mail", uid, gid)
            users = "default_login_user = dovenull\ndefault_internal_user = dovecot\n"
            ug = "uid=dovecot gid=dovecot"
        else:
            me = pwd.getpwuid(os.getuid()).pw_name
            users = f"default_login_user = {me}\ndefault_internal_user = {me}\n"
            ug = f"uid={os.getuid()} gid={os.getgid()}"
        (r / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n{UPPER_USER}:{{PLAIN}}{PASSWORD}\n")
        ssl_conf = "ssl = no\n"
        listener = f"inet_listener imap {{\n    address = 127.0.0.1\n    port = {self.port}\n  }}\n" \
                   "  inet_listener imaps {\n    port = 0\n  }\n"
        if self.pem:
            ssl_conf = f"ssl = required\nssl_cert = <{self.pem['cert']}\nssl_key = <{self.pem['key']}\n"
            listener = "inet_listener imap {\n    port = 0\n  }\n" \
                       f"  inet_listener imaps {{\n    address = 127.0.0.1\n    port = {self.port}\n    ssl = yes\n  }}\n"
        (r / "dovecot.conf").write_text(f"""base_dir = {r}/run
state_dir = {r}/run/state
protocols = imap
listen = 127.0.0.1
{ssl_conf}disable_plaintext_auth = no
auth_mechanisms = plain login
log_path = {r}/dovecot.log
{users}first_valid_uid = 1
first_valid_gid = 1
passdb {{
  driver = passwd-file
  args = {r}/passwd
}}
userdb {{
  driver = static
  args = {ug} home={r}/mail/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  {listener}  chroot =
}}
service anvil {{
  chroot =
}}
""")
        exe = shutil.which("dovecot") or "/usr/sbin/dovecot"
        self.proc = subprocess.Popen([exe, "-F", "-c", str(r / "dovecot.conf")], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.5).close()
                return self
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError("dovecot stopped: " + self.proc.stderr.read().decode("utf-8", "replace")
                                       + self.log()) from None
                time.sleep(0.1)
        raise RuntimeError("dovecot did not listen: " + self.log())

    def log(self) -> str:
        p = self.root / "dovecot.log"
        return p.read_text("utf-8", "replace") if p.exists() else ""

    def client(self, user: str = UPPER_USER):
        import imaplib

        if self.pem:
            ctx = ssl.create_default_context(cafile=str(self.pem["ca"]))
            m = imaplib.IMAP4_SSL("127.0.0.1", self.port, ssl_context=ctx)
        else:
            m = imaplib.IMAP4("127.0.0.1", self.port)
        m.login(user, PASSWORD)
        return m

    def deliver(self, data: bytes, rcpts) -> None:
        """What the province's mail server does with an accepted message: into each known recipient's mailbox
        (anything else into USER's)."""
        known = [r for r in rcpts if r in (USER, UPPER_USER)] or [UPPER_USER]
        for r in known:
            self.append(data, r)

    def append(self, data: bytes, user: str = UPPER_USER) -> None:
        m = self.client(user)
        try:
            typ, resp = m.append("INBOX", None, None, data)
            assert typ == "OK", resp
        finally:
            m.logout()

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            self.proc = None
        shutil.rmtree(self.root, ignore_errors=True)
