"""Who wrote a bundle: Ed25519 signatures over everything the upper level reads, in one place.

A SHA-256 in a file is a checksum anyone can recompute; a signature made with the commune installation's private
key is not. Each installation makes its key pair on first use (the private key stays in its data folder, 0600,
and is carried by its backups; it never goes into a bundle). A bundle carries its public key and a signature over
the canonical statement `statement(fields)`: the SHA-256 of the hidden document JSON and of every visible sheet's
canonical text (recomputed by the reader from the cells, never taken from the file), the export time, commune,
template, period, revision, format and app version. A package's manifest.json is signed over its whole content.
Whether the key is the commune's is for the upper level's key registry to say (nq57desk.upper.keys); this module
only proves "this key signed exactly these bytes".
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from nq57desk.bundle.format import (
    K_APP,
    K_COMMUNE,
    K_EXPORTED,
    K_FORMAT,
    K_PERIOD,
    K_REVISION,
    K_TEMPLATE,
    K_TEMPLATE_VERSION,
    K_VERSION,
    BundleError,
)
from nq57desk.errors import NQError

K_PUBLIC, K_SIGNATURE = "public_key", "signature"  # keys of the hidden sheet (and of a manifest's "signature")
BUNDLE_PREFIX = b"nq57-bundle-signature/1\n"
MANIFEST_PREFIX = b"nq57-manifest-signature/1\n"
EARLIEST_EXPORT = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)  # no bundle of this app was made before
CLOCK_SKEW = dt.timedelta(minutes=10)  # a commune PC's clock a little ahead of the upper level's is not a lie

MSG = {
    "unsigned": "gói chưa ký (không có chữ ký số của xã; có thể xuất bằng phiên bản cũ của nq57desk); đề nghị xã cập "
                "nhật ứng dụng và xuất lại gói.",
    "bad_signature": "chữ ký không khớp ({}): nội dung gói đã bị sửa sau khi xã ký, hoặc chữ ký giả; "
                     "không tổng hợp. Đề nghị xã xuất lại gói.",
    "bad_export_time": "thời điểm xuất không hợp lệ («{}»): {}; không tổng hợp. Đề nghị xã kiểm tra đồng hồ máy "
                       "và xuất lại gói.",
}


def _fail(reason: str, name, *args) -> BundleError:
    return BundleError(reason, MSG[reason].format(*args), name)


# -- keys --------------------------------------------------------------------------------------------------------

def _ed():
    """Imported on first use: starting the app for editing never pays for the crypto library."""
    from cryptography.hazmat.primitives.asymmetric import ed25519

    return ed25519


def new_key():
    return _ed().Ed25519PrivateKey.generate()


def installation_key(data_dir):
    """This installation's private key, made and saved (0600, written whole then renamed) on first use."""
    from cryptography.hazmat.primitives import serialization as ser

    from nq57desk import settings

    path = settings.signing_key_path(Path(data_dir))
    if path.exists():
        try:
            key = ser.load_pem_private_key(path.read_bytes(), password=None)
        except (OSError, ValueError, TypeError) as e:
            raise NQError(f"Không đọc được khóa ký của máy này («{path}»: {type(e).__name__}). Hãy khôi phục "
                          "tệp khóa từ bản sao lưu, hoặc xóa tệp để tạo khóa mới (cấp trên phải xác nhận lại "
                          "mã khóa mới của xã).") from None
        if not isinstance(key, _ed().Ed25519PrivateKey):
            raise NQError(f"Tệp khóa ký «{path}» không phải khóa Ed25519 của nq57desk.")
        return key
    key = new_key()
    save_key(key, path)
    return key


def key_pem(key) -> bytes:
    from cryptography.hazmat.primitives import serialization as ser

    return key.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.PKCS8, ser.NoEncryption())


def save_key(key, path: Path) -> None:
    """Write the private key readable by its owner only (0600 where the OS has modes), atomically."""
    from nq57desk.safety.atomic import atomic_write_bytes

    atomic_write_bytes(path, key_pem(key), mode=0o600)


def public_key_text(key) -> str:
    """The public key as it travels (in a bundle, a manifest, the registry file): base64 of its 32 bytes."""
    from cryptography.hazmat.primitives import serialization as ser

    raw = key.public_key().public_bytes(ser.Encoding.Raw, ser.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def _raw_public(text) -> bytes | None:
    try:
        raw = base64.b64decode(str(text), validate=True)
    except (ValueError, TypeError):
        return None
    return raw if len(raw) == 32 else None


def valid_public_key(text) -> bool:
    return isinstance(text, str) and _raw_public(text) is not None


def fingerprint(public_key: str) -> str:
    """A short code an officer reads over the phone: 16 base32 characters (A–Z, 2–7) in groups of 4 from the
    SHA-256 of the public key (80 bits: no one finds a second key with the same code)."""
    raw = _raw_public(public_key) or b""
    code = base64.b32encode(hashlib.sha256(raw).digest()[:10]).decode("ascii")
    return "-".join(code[i:i + 4] for i in range(0, 16, 4))


def same_fingerprint(a: str, b: str) -> bool:
    """Codes compared as read aloud: case, spaces and dashes do not matter."""
    def norm(s):
        return "".join(ch for ch in str(s).upper() if ch.isalnum())
    return norm(a) == norm(b)


# -- signing and verifying ---------------------------------------------------------------------------------------

def statement(fields: dict, prefix: bytes = BUNDLE_PREFIX) -> bytes:
    """The exact bytes signed: a domain prefix (a bundle's signature never verifies as a manifest's), then the
    fields as compact JSON with sorted keys."""
    return prefix + json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sign(key, fields: dict, prefix: bytes = BUNDLE_PREFIX) -> str:
    return base64.b64encode(key.sign(statement(fields, prefix))).decode("ascii")


def verify(public_key: str, signature: str, fields: dict, prefix: bytes = BUNDLE_PREFIX) -> bool:
    """True when `public_key` signed exactly these fields; never raises on malformed input."""
    from cryptography.exceptions import InvalidSignature

    raw = _raw_public(public_key)
    try:
        sig = base64.b64decode(str(signature), validate=True)
    except (ValueError, TypeError):
        return False
    if raw is None or len(sig) != 64:
        return False
    try:
        _ed().Ed25519PublicKey.from_public_bytes(raw).verify(sig, statement(fields, prefix))
    except (InvalidSignature, ValueError):
        return False
    return True


def _text(v) -> str:
    """A hidden-sheet value as signed: cells come back as int or str, the statement holds text either way."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v)


def bundle_fields(meta: dict, json_sha256: str, visible_sha256: str) -> dict:
    """What a bundle's signature covers. The two digests are the ones computed from the content (by the writer, and
    again by the reader from the cells it read), so the signature covers the hidden document and every visible
    sheet; the rest is the hidden sheet's metadata as written."""
    return {"format": _text(meta.get(K_FORMAT)), "bundle_version": _text(meta.get(K_VERSION)),
            "json_sha256": json_sha256, "visible_sha256": visible_sha256,
            "exported_at": _text(meta.get(K_EXPORTED)), "app_version": _text(meta.get(K_APP)),
            "template_id": _text(meta.get(K_TEMPLATE)), "template_version": _text(meta.get(K_TEMPLATE_VERSION)),
            "commune_code": _text(meta.get(K_COMMUNE)), "period_code": _text(meta.get(K_PERIOD)),
            "revision": _text(meta.get(K_REVISION))}


@dataclass(frozen=True)
class Signed:
    """A verified signature: who (public key) signed what (fields)."""

    public_key: str
    signature: str
    fields: dict

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    @property
    def fields_json(self) -> str:
        """The signed fields as the store keeps them (re-verified by `check` and before consolidating)."""
        return json.dumps(self.fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def check_bundle(meta: dict, json_sha256: str, visible_sha256: str, name, *, now: dt.datetime | None = None) -> Signed:
    """The bundle's signature, checked over what was read; BundleError «chưa ký», «chữ ký không khớp» or
    «thời điểm xuất không hợp lệ» otherwise."""
    pub, sig = meta.get(K_PUBLIC), meta.get(K_SIGNATURE)
    if not pub and not sig:
        raise _fail("unsigned", name)
    fields = bundle_fields(meta, json_sha256, visible_sha256)
    if not verify(str(pub or ""), str(sig or ""), fields):
        raise _fail("bad_signature", name, "khóa " + fingerprint(str(pub)) if valid_public_key(pub) else "khóa hỏng")
    check_exported_at(fields["exported_at"], name, now=now)
    return Signed(str(pub), str(sig), fields)


def check_exported_at(text: str, name, *, now: dt.datetime | None = None) -> dt.datetime:
    """The signed export time must be a real ISO 8601 time with its UTC offset, not before this app existed and not
    after `now` (the import time; a few minutes of clock difference allowed)."""
    try:
        when = dt.datetime.fromisoformat(str(text))
    except ValueError:
        raise _fail("bad_export_time", name, text, "không phải ngày giờ") from None
    if when.tzinfo is None:
        raise _fail("bad_export_time", name, text, "thiếu múi giờ")
    now = now or dt.datetime.now().astimezone()
    if when < EARLIEST_EXPORT:
        raise _fail("bad_export_time", name, text, "trước khi có ứng dụng")
    if when > now + CLOCK_SKEW:
        raise _fail("bad_export_time", name, text, "sau thời điểm nhập")
    return when


def verify_stored(document: str, sha256: str, fields_json: str | None, public_key: str | None,
                  signature: str | None, expected: dict) -> str | None:
    """Why a stored received bundle can no longer be trusted (Vietnamese), or None: its document must still have
    the digest its signature covers, and the signed fields must still say what the row says (`expected`)."""
    if not fields_json or not public_key or not signature:
        return "chưa ký (nhận trước khi có chữ ký số); đề nghị xã gửi lại gói"
    try:
        fields = json.loads(fields_json)
    except ValueError:
        return "chữ ký không khớp (phần đã ký bị hỏng)"
    if not isinstance(fields, dict) or not verify(public_key, signature, fields):
        return "chữ ký không khớp"
    digest = hashlib.sha256((document or "").encode("utf-8")).hexdigest()
    nfc = hashlib.sha256(unicodedata.normalize("NFC", document or "").encode("utf-8")).hexdigest()
    if digest != fields.get("json_sha256") or sha256 not in (digest, nfc):  # the row's digest is of the NFC form
        return "nội dung đã bị sửa trong cơ sở dữ liệu (khác bản xã đã ký)"
    for k, v in expected.items():
        if _text(v) != fields.get(k, ""):
            return f"thông tin «{k}» đã bị sửa trong cơ sở dữ liệu (khác bản xã đã ký)"
    return None


# -- package manifests ---------------------------------------------------------------------------------------------

def sign_manifest(key, manifest: dict) -> dict:
    """The manifest with a "signature" entry over all of the rest of it."""
    body = {k: v for k, v in manifest.items() if k != "signature"}
    return {**body, "signature": {K_PUBLIC: public_key_text(key), "value": sign(key, body, MANIFEST_PREFIX)}}


def check_manifest(manifest) -> tuple[str | None, str | None]:
    """(public key, None) for a manifest whose signature holds; (None, reason «chưa ký»/«chữ ký không khớp»)."""
    if not isinstance(manifest, dict):
        return None, "unsigned"
    s = manifest.get("signature")
    if not isinstance(s, dict):
        return None, "unsigned"
    body = {k: v for k, v in manifest.items() if k != "signature"}
    pub = s.get(K_PUBLIC)
    if not verify(str(pub or ""), str(s.get("value") or ""), body, MANIFEST_PREFIX):
        return None, "bad_signature"
    return str(pub), None


def manifest_problem(reason: str) -> str:
    """The Vietnamese sentence for check_manifest's reason, naming manifest.json."""
    if reason == "unsigned":
        return "manifest.json của gói chưa ký (chưa ký); đề nghị xã cập nhật ứng dụng và xuất lại gói."
    return "chữ ký của manifest.json không khớp (gói đã bị sửa sau khi xã ký); đề nghị xã xuất lại gói."
