"""Official provinces and communes after the 2025 reform (34 provinces, 3,321 communes), from vietnam-provinces."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from nq57desk.errors import DocumentError
from nq57desk.vn import fold, nfc


@dataclass(frozen=True)
class Unit:
    code: str  # 5 digits for a commune, 2 for a province, zero-padded as in official lists
    name: str
    province_code: str
    province_name: str
    folded: str  # name without diacritics, for type-to-filter


def commune_code(code) -> str:
    return f"{int(code):05d}"


def province_code(code) -> str:
    return f"{int(code):02d}"


def _clean(name: str) -> str:
    """The package spells ten names with a double space ("Phường  Tân An"): one space, NFC, as printed."""
    return " ".join(nfc(name).split())


@lru_cache(maxsize=1)
def provinces() -> list[tuple[str, str]]:
    from vietnam_provinces import Province

    return sorted(((province_code(p.code), _clean(p.name)) for p in Province.iter_all()), key=lambda x: fold(x[1]))


@lru_cache(maxsize=1)
def _communes() -> dict[str, Unit]:
    from vietnam_provinces import Ward

    pnames = dict(provinces())
    out = {}
    for w in Ward.iter_all():
        pc = province_code(w.province_code)
        name = _clean(w.name)
        out[commune_code(w.code)] = Unit(commune_code(w.code), name, pc, pnames.get(pc, ""), fold(name))
    return out


def communes(province: str | None = None) -> list[Unit]:
    units = _communes().values()
    if province:
        pc = province_code(province)
        units = [u for u in units if u.province_code == pc]
    return sorted(units, key=lambda u: u.folded)


def commune(code) -> Unit | None:
    try:
        return _communes().get(commune_code(code))
    except (TypeError, ValueError):
        return None


_KINDS = ("xa ", "phuong ", "dac khu ")


def _rank(u: Unit, words: list[str]) -> tuple[int, str]:
    """Names that start with what was typed first ("an truong" → Xã An Trường before Phường Trương Quang
    Trọng), then names whose words start with the typed words, then any other match."""
    name = u.folded
    for k in _KINDS:
        if name.startswith(k):
            name = name[len(k):]
            break
    parts = name.split()
    if " ".join(parts).startswith(" ".join(words)):
        return 0, u.folded
    if all(any(p.startswith(w) for p in parts) for w in words):
        return 1, u.folded
    return 2, u.folded


def search(text: str, province: str | None = None) -> list[Unit]:
    """Type-to-filter: "tan cuong" finds "Xã Tân Cương"; every word must appear; best matches first."""
    words = fold(text).split()
    found = [u for u in communes(province) if all(w in u.folded for w in words)]
    return sorted(found, key=lambda u: _rank(u, words)) if words else found


def check_commune(c: dict) -> Unit:
    """A document's commune must be on the official list; its name must match the code."""
    code = str(c.get("code", "")).strip()
    if not code.isdigit():
        raise DocumentError(f"mã xã/phường «{code}» phải là số (theo danh mục hành chính 2025)", "commune.code")
    u = commune(code)
    if u is None:
        raise DocumentError(f"mã xã/phường «{code}» không có trong danh mục 3.321 xã, phường, đặc khu năm 2025",
                            "commune.code")
    if code != u.code:
        raise DocumentError(f"mã xã/phường viết đủ 5 chữ số: «{u.code}»", "commune.code")
    if c.get("name") and _clean(str(c["name"])) != u.name:
        raise DocumentError(f"mã {code} là «{u.name}», không phải «{c['name']}»", "commune.name")
    return u


def province_of(code) -> str | None:
    """The province code of a commune code (None when there is no such commune, or no code)."""
    u = commune(code) if code else None
    return u.province_code if u is not None else None


def commune_dict(code) -> dict:
    u = commune(code)
    if u is None:
        raise DocumentError(f"mã xã/phường «{code}» không có trong danh mục năm 2025", "commune.code")
    return {"code": u.code, "name": u.name, "province_code": u.province_code, "province_name": u.province_name}
