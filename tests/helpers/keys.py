"""A fixed signing key for tests that build bundles, and a way to make an upper level trust it, as the province's
registry file would (nq57desk.upper.keys)."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

TEST_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))  # the test communes' installation key


def trust(desk, *codes: str, key=TEST_KEY) -> None:
    """Register `key` as confirmed for these communes (all communes of the official list when none is given)."""
    from nq57desk.bundle.signing import public_key_text
    from nq57desk.units import communes, provinces

    if not codes:
        codes = tuple(u.code for p, _n in provinces() for u in communes(p))
    pub = public_key_text(key)
    with desk.engine.begin() as c:
        c.exec_driver_sql("INSERT OR IGNORE INTO commune_key (commune_code, public_key, status, source, first_seen, "
                          "confirmed_at) VALUES (?, ?, 'confirmed', 'file', '2026-01-01', '2026-01-01')",
                          [(code, pub) for code in codes])


def rehash(wb, *, key=None) -> None:
    """What an attacker with openpyxl does after editing a bundle: recompute the document's SHA-256, every visible
    sheet's and the total, so every checksum matches again; with `key`, also sign again with that key (a forger's
    own key, or — as a compromised commune PC would — the commune's)."""
    import hashlib

    from nq57desk.bundle import sheets as S
    from nq57desk.bundle.format import SHEET_DATA, VisibleHash
    from nq57desk.bundle.signing import K_PUBLIC, K_SIGNATURE, bundle_fields, public_key_text, sign

    total, per = VisibleHash(), {}
    for ws in wb.worksheets:
        if ws.title != SHEET_DATA and ws.sheet_state == "visible":
            per[ws.title] = total.sheet(ws.title, S.visible_rows(ws))
    data = wb[SHEET_DATA]
    text = "".join(r[1].value or "" for r in data.iter_rows() if r[0].value == "json")
    cells = {}
    for r in data.iter_rows():
        k = r[0].value
        if k == "json_sha256":
            r[1].value = hashlib.sha256(text.encode("utf-8")).hexdigest()
        elif k == "visible_sha256":
            r[1].value = total.hexdigest()
        elif k == "sheet_sha256":
            r[2].value = per.get(r[1].value, r[2].value)
        if k not in ("json", "sheet_sha256"):
            cells[k] = r[1]
    if key is not None:
        meta = {k: c.value for k, c in cells.items()}
        fields = bundle_fields(meta, meta["json_sha256"], total.hexdigest())
        cells[K_PUBLIC].value = public_key_text(key)
        cells[K_SIGNATURE].value = sign(key, fields)


def registry_for(path, *codes: str, key=TEST_KEY):
    """The province's registry file naming `key` as these communes' key (nq57desk keys --import reads it)."""
    from nq57desk.bundle.signing import public_key_text
    from nq57desk.upper.keys import registry_file

    Path(path).write_bytes(registry_file([(c, public_key_text(key), "confirmed") for c in codes]))
    return Path(path)


def import_registry(data_dir, *codes: str) -> None:
    """`nq57desk keys --import` of a registry file trusting the test key for these communes."""
    from nq57desk.cli import main

    f = registry_for(Path(data_dir).parent / "khoa-cac-xa.json", *codes)
    assert main(["--data-dir", str(data_dir), "keys", "--import", str(f)]) == 0
