"""The upper level's key registry: which public key is each commune's, and what a stored bundle's signature says.

A bundle's signature (nq57desk.bundle.signing) proves which key signed it; this registry says whether that key is
the commune's. A key arrives either with the commune's first bundle — then it is "pending" and every bundle it
signed waits («khóa lạ — chờ xác nhận») until an officer compares its code with the commune over the phone and
confirms it — or from the registry file the province distributes (`nq57desk keys --import`), already confirmed.
A commune that changed PC sends bundles with a new key: they wait the same way, and one confirmation makes them
count. Keys once confirmed stay confirmed (the commune's older bundles keep counting).

Verdicts are made when rows are read, not when stored: confirming a key makes the bundles already stored count.
"""

from __future__ import annotations

import datetime as dt
import json

from nq57desk.bundle.signing import fingerprint, same_fingerprint, valid_public_key, verify, verify_stored
from nq57desk.errors import NQError
from nq57desk.store.received import CONFIRMED, PENDING

FILE_FORMAT = "nq57-keys/1"
REASON_VI = {"unsigned": "chưa ký", "bad_signature": "chữ ký không khớp", "pending_key": "khóa lạ — chờ xác nhận",
             "tampered": "chữ ký không khớp"}


class KeyMap:
    """commune code → {public key: status}, as read once for an import or a consolidation."""

    def __init__(self, rows=()):
        self.by_code: dict[str, dict[str, str]] = {}
        for code, pub, status, *_ in rows:
            self.by_code.setdefault(str(code), {})[str(pub)] = str(status)

    def status(self, code: str, public_key: str) -> str | None:
        return self.by_code.get(str(code), {}).get(str(public_key))

    def trusted(self, code: str, public_key: str) -> bool:
        return self.status(code, public_key) == CONFIRMED

    def has_confirmed(self, code: str) -> bool:
        return CONFIRMED in self.by_code.get(str(code), {}).values()

    def note(self, code: str, public_key: str, status: str) -> None:
        have = self.by_code.setdefault(str(code), {})
        if have.get(public_key) != CONFIRMED:
            have[public_key] = status


def pending_message(code: str, public_key: str, known: bool) -> str:
    what = "máy mới của xã đã có khóa khác" if known else "lần đầu nhận gói của xã này"
    return (f"khóa lạ — chờ xác nhận ({what}): mã khóa {fingerprint(public_key)}. Hãy đối chiếu mã khóa với xã (gọi "
            f"điện, xã đọc mã trong «Hồ sơ đơn vị»), đúng thì xác nhận: nq57desk keys --confirm {code}, hoặc "
            "nút «Xác nhận khóa của xã» ở trang tổng hợp.")


def held(row: dict, keys: KeyMap) -> tuple[str, str] | None:
    """(reason, Vietnamese message) when a stored row must not be consolidated, from what the row list carries
    (its signed fields, not its document: see document_problem). None when it counts."""
    fields_json, pub, sig = row.get("signed"), row.get("public_key"), row.get("signature")
    if not fields_json or not pub or not sig:
        return "unsigned", "chưa ký: gói nhận trước khi có chữ ký số; không tổng hợp, đề nghị xã gửi lại gói."
    try:
        fields = json.loads(fields_json)
    except ValueError:
        fields = None
    if not isinstance(fields, dict) or not verify(pub, sig, fields):
        return "bad_signature", "chữ ký không khớp (bản lưu trong cơ sở dữ liệu đã bị sửa); không tổng hợp."
    for k in ("commune_code", "template_id", "period_code", "revision", "exported_at"):
        if str(row.get(k) if row.get(k) is not None else "") != fields.get(k, ""):
            return "tampered", (f"chữ ký không khớp: «{k}» của bản lưu đã bị sửa trong cơ sở dữ liệu (khác bản xã đã "
                                "ký); không tổng hợp.")
    code = str(row["commune_code"])
    if not keys.trusted(code, pub):
        return "pending_key", pending_message(code, pub, keys.has_confirmed(code))
    return None


def document_problem(row: dict) -> str | None:
    """Why a stored row's document is no longer what its commune signed (None: it is)."""
    expected = {k: row.get(k) for k in ("commune_code", "template_id", "period_code", "revision", "exported_at")}
    return verify_stored(row.get("document") or "", row.get("sha256") or "", row.get("signed"), row.get("public_key"),
                         row.get("signature"), expected)


# -- the registry file the province distributes ----------------------------------------------------------------

def registry_file(rows, names: dict[str, str] | None = None) -> bytes:
    """The confirmed keys as a JSON file (one entry per commune key) that another upper level can import."""
    names = names or {}
    keys = [{"commune_code": code, "commune_name": names.get(code, ""), "public_key": pub,
             "fingerprint": fingerprint(pub)} for code, pub, status, *_ in rows if status == CONFIRMED]
    doc = {"format": FILE_FORMAT, "created_at": dt.datetime.now().astimezone().replace(microsecond=0).isoformat(),
           "keys": keys}
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def read_registry_file(data: bytes, name: str) -> list[tuple[str, str]]:
    """(commune code, public key) of every entry; NQError naming the file and the entry for anything odd (nothing
    is imported from a file with one bad entry)."""
    from nq57desk.units import commune

    if len(data) > 20 * 1024 * 1024:
        raise NQError(f"Tệp khóa «{name}» quá lớn; tệp danh sách khóa của tỉnh không như vậy.")
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (ValueError, UnicodeError, RecursionError):
        raise NQError(f"Tệp khóa «{name}» không đọc được (không phải JSON UTF-8).") from None
    if not isinstance(doc, dict) or doc.get("format") != FILE_FORMAT or not isinstance(doc.get("keys"), list):
        raise NQError(f"Tệp «{name}» không phải danh sách khóa của nq57desk (định dạng «{FILE_FORMAT}»).")
    out = []
    for i, e in enumerate(doc["keys"], start=1):
        where = f"Tệp khóa «{name}», mục {i}"
        if not isinstance(e, dict):
            raise NQError(f"{where}: không phải một mục khóa.")
        code, pub = str(e.get("commune_code") or ""), e.get("public_key")
        if commune(code) is None:
            raise NQError(f"{where}: mã xã «{code}» không có trong danh mục.")
        if not valid_public_key(pub):
            raise NQError(f"{where} (xã {code}): khóa công khai không hợp lệ.")
        if e.get("fingerprint") and not same_fingerprint(e["fingerprint"], fingerprint(pub)):
            raise NQError(f"{where} (xã {code}): mã khóa «{e['fingerprint']}» không khớp với khóa công khai.")
        out.append((code, pub))
    return out


__all__ = ["KeyMap", "held", "document_problem", "registry_file", "read_registry_file", "pending_message",
           "REASON_VI", "CONFIRMED", "PENDING"]
