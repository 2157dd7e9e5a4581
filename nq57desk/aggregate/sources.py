"""What the inputs of an import hold: every bundle in the files, folders and .zip packages given, and a line with a
reason for everything else found there (nothing is skipped without saying so).

Listing reads no bundle yet (only folder listings, zip directories and manifests), so the number of files is known
before the slow part starts and a progress bar can show it. Silently ignored: manifest.json and the DOCX of a
package (they belong there), Excel's lock files (~$…), the app's own temp files (.~…), and system files
(Thumbs.db, desktop.ini, names starting with a dot).
"""

from __future__ import annotations

import os
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from nq57desk import jsonbound
from nq57desk.bundle.format import MAX_FILE, BundleError
from nq57desk.bundle.package import MANIFEST
from nq57desk.bundle.reader import check_zip_entries, is_bundle_name

PACKAGE_MAX_ENTRIES = 20_000
PACKAGE_MAX_TOTAL = 4 * 1024 * 1024 * 1024

_SYSTEM = {"thumbs.db", "desktop.ini", "ehthumbs.db"}
_OTHER_SHEETS = {
    ".xls": "tệp Excel định dạng cũ (.xls), không phải gói báo cáo NQ57; gói báo cáo là tệp .xlsx do ứng dụng xuất ra.",
    ".xlsm": "tệp Excel có macro (.xlsm), không phải gói báo cáo NQ57; gói báo cáo là tệp .xlsx không có macro.",
    ".xlsb": "tệp Excel dạng nhị phân (.xlsb), không phải gói báo cáo NQ57.",
    ".ods": "bảng tính LibreOffice (.ods), không phải gói báo cáo NQ57.",
}


@dataclass
class Source:
    """One thing found in the inputs: a bundle to read (path or zip member), or a ready verdict (error / skip)."""

    name: str  # what the line shows: a path, or "package.zip!member.xlsx"
    path: Path | None = None
    zip_path: Path | None = None
    member: str | None = None
    expected: str | None = None  # SHA-256 the package's manifest gives for it
    manifest: object = None  # the package's manifest.json as read (its signature is checked with the bundle)
    error: BundleError | None = None  # rejected before reading
    skip: str = ""  # not a bundle: say why, do not count it as a rejection

    @property
    def is_bundle(self) -> bool:
        return self.error is None and not self.skip

    def read(self, zips: dict | None = None) -> bytes | None:
        """The bytes of a zip member (None for a file on disk: read_bundle reads it with its own checks)."""
        if self.zip_path is None:
            return None
        zf = (zips or {}).get(self.zip_path)
        try:
            if zf is None:
                zf = zipfile.ZipFile(self.zip_path)
                if zips is not None:
                    zips[self.zip_path] = zf
            info = zf.getinfo(self.member)
            if info.file_size > MAX_FILE:
                raise BundleError("too_big", "tệp quá lớn; gói báo cáo không quá 50 MB.", self.name)
            with zf.open(info) as f:
                return f.read(MAX_FILE + 1)
        except (zipfile.BadZipFile, OSError, EOFError, KeyError, zlib.error) as e:
            raise BundleError("damaged", f"không giải nén được ({e}).", self.name) from None


def list_sources(paths) -> list[Source]:
    """Everything the inputs hold, in input order (folders walked in name order)."""
    out: list[Source] = []
    for raw in paths:
        try:
            out += _listed(Path(raw))
        except Exception as e:  # noqa: BLE001 - an odd folder or package is a line of its own, the rest goes on
            out.append(Source(str(raw), error=BundleError(
                "unreadable", f"không đọc được ({type(e).__name__}); tệp hoặc thư mục có thể đã hỏng.", raw)))
    return out


def _listed(p: Path) -> list[Source]:
    out: list[Source] = []
    if p.is_dir():
        found = _folder(p)
        if not any(s.is_bundle or s.error for s in found):
            out.append(Source(str(p), error=BundleError(
                "no_bundle", "thư mục không có gói báo cáo NQ57 (.xlsx) nào.", p)))
        out += found
    elif p.suffix.lower() == ".zip" and p.is_file():
        out += _zip(p)
    elif p.suffix.lower() in _OTHER_SHEETS and p.is_file():
        out.append(Source(str(p), error=BundleError("not_bundle_file", _OTHER_SHEETS[p.suffix.lower()], p)))
    elif p.suffix.lower() == ".docx" and p.is_file():
        out.append(Source(str(p), error=BundleError(
            "not_bundle_file", "tệp Word (.docx) không nhập được; hãy nhập gói Excel (.xlsx) của báo cáo.", p)))
    else:
        out.append(Source(str(p), path=p))  # read_bundle names what is wrong (missing, not an xlsx …)
    return out


def _ignored(name: str) -> bool:
    n = name.lower()
    return n.startswith(("~$", ".")) or n in _SYSTEM


def _classify(name: str, in_package: bool, shown: str) -> Source | None:
    """A Source for a file that is not a bundle (or None when it is one, or is silently ignored)."""
    low = name.lower()
    if _ignored(name) or low == MANIFEST:
        return None
    if is_bundle_name(name):
        return None
    ext = os.path.splitext(low)[1]
    if ext in _OTHER_SHEETS:
        return Source(shown, error=BundleError("not_bundle_file", _OTHER_SHEETS[ext], shown))
    if ext == ".docx":
        if in_package:
            return None  # the report's DOCX of a package (a folder or zip with a manifest)
        return Source(shown, skip="tệp Word (.docx), không phải gói báo cáo Excel.")
    if ext == ".zip":
        return None
    return Source(shown, skip=f"không phải gói báo cáo NQ57 (tệp «{ext or 'không có đuôi'}»).")


def _folder(p: Path) -> list[Source]:
    out: list[Source] = []
    for root, dirs, files in os.walk(p):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        here = Path(root)
        man = _read_manifest(here / MANIFEST) if MANIFEST in files else None
        expected = _manifest_files(man)
        names = set(files)
        for f in sorted(files):
            fp = here / f
            if f.lower().endswith(".zip") and not _ignored(f):
                out += _zip(fp)
                continue
            other = _classify(f, bool(expected), str(fp))
            if other is not None:
                out.append(other)
            elif is_bundle_name(f) and not _ignored(f):
                out.append(Source(str(fp), path=fp, expected=expected.get(f), manifest=man))
        for name in sorted(expected):
            if is_bundle_name(name) and name not in names:
                out.append(Source(str(here / name), error=BundleError(
                    "missing_in_package", f"manifest.json của gói ghi tệp «{name}» nhưng thư mục không có tệp này "
                    "(chép thiếu?); hãy chép lại cả gói.", here / name)))
    return out


def _read_manifest(p: Path):
    try:
        return jsonbound.load_bytes(p.read_bytes()[:MAX_FILE])
    except (OSError, ValueError):
        return None


def _manifest_files(data) -> dict[str, str]:
    """name → SHA-256 of the files a manifest lists (a damaged manifest lists nothing; the files still get read)."""
    out = {}
    if not isinstance(data, dict) or not isinstance(data.get("files"), list):
        return out
    for e in data["files"]:
        if isinstance(e, dict) and isinstance(e.get("name"), str):
            out[e["name"]] = str(e.get("sha256") or "")
    return out


def _zip(p: Path) -> list[Source]:
    name = str(p)
    try:
        zf = zipfile.ZipFile(p)
    except (OSError, zipfile.BadZipFile) as e:
        return [Source(name, error=BundleError("damaged", f"tệp nén .zip bị hỏng hoặc chép chưa hết ({e}).", p))]
    with zf:
        try:
            infos = check_zip_entries(zf, name, max_entries=PACKAGE_MAX_ENTRIES, max_total=PACKAGE_MAX_TOTAL)
        except BundleError as e:
            return [Source(name, error=e)]
        expected: dict[str, str] = {}
        man = None
        if MANIFEST in zf.namelist():
            info = zf.getinfo(MANIFEST)
            if info.file_size <= MAX_FILE:
                try:
                    man = jsonbound.load_bytes(zf.read(info))
                    expected = _manifest_files(man)
                except (ValueError, zipfile.BadZipFile, OSError, zlib.error):
                    expected = {}
        out: list[Source] = []
        present = set()
        for info in infos:
            if info.is_dir():
                continue
            base = info.filename.rsplit("/", 1)[-1]
            present.add(info.filename)
            present.add(base)
            shown = f"{name}!{info.filename}"
            other = _classify(base, bool(expected), shown)
            if other is not None:
                out.append(other)
            elif is_bundle_name(base) and not _ignored(base):
                out.append(Source(shown, zip_path=p, member=info.filename,
                                  expected=expected.get(info.filename) or expected.get(base), manifest=man))
        for listed in sorted(expected):
            if is_bundle_name(listed) and listed not in present:
                out.append(Source(f"{name}!{listed}", error=BundleError(
                    "missing_in_package", f"manifest.json của gói ghi tệp «{listed}» nhưng tệp nén không có tệp này; "
                    "hãy gửi lại cả gói.", f"{name}!{listed}")))
        if not out:
            out.append(Source(name, error=BundleError("no_bundle", "tệp nén không có gói báo cáo NQ57 (.xlsx) nào.", p)))
        return out
