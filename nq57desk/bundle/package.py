"""The USB package: the report's DOCX and bundle plus manifest.json, copied so that a file under its final name is
always whole.

Every file is first copied under a hidden temp name, fsynced, its cached pages dropped (POSIX), read back and
compared by SHA-256; only when all of them are in place do they take their final names, manifest.json last. On
any failure (disk full, stick pulled out, read-only) the temps and any final names this call already gave are
removed and BundleError says what happened. A target ending in .zip gets one zip built locally and copied the
same way. A folder that already holds a package keeps it: the manifest lists the files of both.
The desk's export keeps its local copies in the data folder (xuat/), which stay when the copy fails.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from nq57desk import jsonbound
from nq57desk.bundle.format import BundleError, os_problem
from nq57desk.bundle.safefile import (
    clean_leftovers,
    copy_to_temp,
    fsync_dir,
    read_back_sha256,
    remove_quietly,
    sha256_file,
    temp_name,
)
from nq57desk.report.document import period_code
from nq57desk.vn import ascii_name

MANIFEST = "manifest.json"
PACKAGE_FORMAT = "nq57-package/1"
LOCAL_DIR = "xuat"  # in the data folder: the local copies of every package exported


def bundle_filename(doc: dict, *, with_template: bool = False) -> str:
    """NQ57_05503_2026-T05_r2.xlsx: ASCII, FAT32-safe, sorts by commune then period."""
    parts = ["NQ57", _ascii_code(doc["commune"]["code"]), _ascii_code(period_code(doc["period"]))]
    if with_template:
        parts.append(ascii_name(str(doc["template"]["id"]), 30))
    parts.append(f"r{int(doc.get('revision') or 1)}")
    return "_".join(parts) + ".xlsx"


def _ascii_code(code) -> str:
    """A code that is ASCII already (05503, 2026-T05), kept in its case."""
    return re.sub(r"[^A-Za-z0-9-]+", "_", str(code))[:24] or "_"


def safe_filename(name: str) -> str:
    """Any name made FAT32/Windows-safe and ASCII, keeping its extension (a name already safe is kept as is)."""
    if re.fullmatch(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,100}\.[A-Za-z0-9]{1,8}", name) and \
            ascii_name(name.split(".")[0]) == name.split(".")[0].lower():
        return name
    stem, dot, ext = str(name).rpartition(".")
    if not dot:
        stem, ext = ext, ""
    safe = ascii_name(stem, 80).replace(".", "_") if stem else "_"
    ext = ascii_name(ext, 8) if ext else ""
    return f"{safe}.{ext}" if ext else safe


def manifest_entry(doc: dict) -> dict:
    """What the manifest says about one bundle (pass as manifest["files"][name])."""
    return {"commune_code": doc["commune"]["code"], "commune_name": doc["commune"].get("name", ""),
            "period": period_code(doc["period"]), "template": doc["template"]["id"],
            "template_version": doc["template"]["version"], "revision": doc.get("revision")}


@dataclass
class PackageResult:
    target: str  # the folder or the .zip written
    files: list[dict] = field(default_factory=list)  # name, size, sha256 (+ what the manifest said about it)
    manifest: dict = field(default_factory=dict)
    local: str = ""  # where the desk's export keeps its local copies

    def __str__(self) -> str:
        return self.message

    @property
    def message(self) -> str:
        names = [f["name"] for f in self.files]
        kept = len(self.manifest.get("files") or []) - len(names)
        if self.target.lower().endswith(".zip"):
            what = f"Đã ghi và kiểm tra lại tệp nén «{self.target}» gồm {len(names) + 1} tệp: {', '.join(names)} và {MANIFEST}."
        else:
            what = (f"Đã chép và kiểm tra lại {len(names) + 1} tệp vào «{self.target}»: {', '.join(names)} và {MANIFEST}"
                    + (f" (danh sách này ghi cả {kept} tệp của gói đã có trong thư mục)." if kept > 0 else "."))
        local = f" Bản trên máy vẫn giữ trong «{self.local}»." if self.local else ""
        return what + local + " Có thể rút USB an toàn sau khi bấm «Tháo thiết bị an toàn» (Safely Remove) trên máy."


def write_package(files: dict[str, str | os.PathLike], target, manifest: dict, *, key) -> PackageResult:
    """Copy `files` (name → local path) and a manifest.json to a folder, or build `target` as a .zip.

    `key`: the installation's signing key; the manifest is signed over all of its content (bundle.signing).

    `manifest` holds package-level facts (commune code, period, template, revision, app version …); its optional
    "files" mapping (name → manifest_entry(doc)) is merged into each file's line. Names are made ASCII-safe.
    """
    target = Path(target)
    if not files:
        raise BundleError("empty_package", "không có tệp nào để đóng gói.", target)
    plan: dict[str, Path] = {}
    for name, src in files.items():
        safe = safe_filename(name)
        if safe.lower() == MANIFEST or safe.lower() in {k.lower() for k in plan}:
            raise BundleError("name_clash", f"hai tệp trùng tên «{safe}» trong gói.", target)
        plan[safe] = Path(src)
    per_file = {safe_filename(k): v for k, v in (manifest.get("files") or {}).items()} if isinstance(manifest.get("files"), dict) else {}
    entries = []
    for name, src in plan.items():
        try:
            size, sha = src.stat().st_size, sha256_file(src)
        except OSError as e:
            raise BundleError("source_missing", f"không đọc được tệp nguồn ({e.strerror or e}).", src) from None
        entries.append({"name": name, "size": size, "sha256": sha, **per_file.get(name, {})})
    top = {k: v for k, v in manifest.items() if k != "files"}
    old = _read_manifest(target / MANIFEST) if target.suffix.lower() != ".zip" else None
    kept = _kept_entries(target, plan, old)
    if kept:  # another package is in the folder: its files stay listed, and only the facts both share stay on top
        top = {k: v for k, v in top.items() if old.get(k) == v}
    man = {"format": PACKAGE_FORMAT, **top,
           "created_at": dt.datetime.now().astimezone().replace(microsecond=0).isoformat(), "files": kept + entries}
    from nq57desk.bundle.signing import sign_manifest

    man = sign_manifest(key, man)
    man_bytes = (json.dumps(man, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if target.suffix.lower() == ".zip":
        try:
            _write_zip(plan, man_bytes, target)
        except (OSError, ValueError) as e:  # building the local zip failed (local disk full …)
            raise _explain(e, target) from e
    else:
        _write_folder(plan, {e["name"]: e["sha256"] for e in entries}, man_bytes, target)
    return PackageResult(str(target), entries, man)


def _read_manifest(p: Path) -> dict | None:
    try:
        data = jsonbound.load_bytes(p.read_bytes())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _kept_entries(target: Path, plan: dict[str, Path], old: dict | None) -> list[dict]:
    """The entries of the manifest already in the folder (`old`, as read) whose files are still there and are not
    being replaced."""
    if not old or not isinstance(old.get("files"), list):
        return []
    new = {n.lower() for n in plan}
    return [e for e in old["files"] if isinstance(e, dict) and isinstance(e.get("name"), str)
            and e["name"].lower() not in new and (target / e["name"]).is_file()]


def _explain(e: BaseException, where: Path) -> BundleError:
    """An OSError (or a failed read-back) as a Vietnamese sentence the officer can act on."""
    reason, msg = os_problem(e)
    return BundleError(reason, msg + " Chưa có tệp nào được ghi với tên chính thức.", where)


def _write_folder(plan: dict[str, Path], shas: dict[str, str], man_bytes: bytes, target: Path) -> None:
    temps: dict[str, Path] = {}
    placed: list[Path] = []
    local_man = None
    try:
        target.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix="nq57-manifest-", suffix=".json")
        local_man = Path(tmp)
        with os.fdopen(fd, "wb") as f:
            f.write(man_bytes)
        for name, src in [*plan.items(), (MANIFEST, local_man)]:
            tmp_path, _sha, _size = copy_to_temp(src, target / name, shas.get(name))
            temps[name] = tmp_path
        for name in [*plan, MANIFEST]:  # the manifest last: its presence says the package is complete
            os.replace(temps[name], target / name)
            del temps[name]
            placed.append(target / name)
        fsync_dir(target)
        for name, sha in shas.items():
            if read_back_sha256(target / name) != sha:
                raise ValueError(f"{name} differs after rename")
    except (OSError, ValueError) as e:
        for p in [*temps.values(), *placed]:
            remove_quietly(p)
        raise _explain(e, target) from e
    finally:
        remove_quietly(local_man)


def _write_zip(plan: dict[str, Path], man_bytes: bytes, target: Path) -> None:
    local_dir = Path(tempfile.mkdtemp(prefix="nq57-pkg-"))
    local = local_dir / "package.zip"
    try:
        with zipfile.ZipFile(local, "w", compression=zipfile.ZIP_DEFLATED) as z:
            for name, src in plan.items():
                z.write(src, name)
            z.writestr(MANIFEST, man_bytes)
        with zipfile.ZipFile(local) as z:
            if z.testzip() is not None:
                raise ValueError("local zip is damaged")
        tmp = None
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp, sha, _ = copy_to_temp(local, target)
            os.replace(tmp, target)
            tmp = None
            fsync_dir(target.parent)
            if read_back_sha256(target) != sha:
                remove_quietly(target)
                raise ValueError("zip differs after rename")
        except (OSError, ValueError) as e:
            remove_quietly(tmp)
            raise _explain(e, target) from e
    finally:
        shutil.rmtree(local_dir, ignore_errors=True)


def export_package(desk, rid: int, target) -> PackageResult:
    """Export one report's DOCX and bundle and copy them with a manifest to `target` (a folder, or a .zip).

    `desk` lends document(rid), export_docx and export_xlsx (both refuse a report that still has errors) and its
    data folder: both files are built in DATA/xuat/<bundle name>/ first and stay there, so when the copy to the
    stick fails the message says where the good local copies are (to copy by hand or send by email).
    """
    from nq57desk import __version__

    doc = desk.document(rid)
    name = bundle_filename(doc)
    docx_name = name[: -len(".xlsx")] + ".docx"
    entry = manifest_entry(doc)
    local_dir = Path(desk.data_dir) / LOCAL_DIR / name[: -len(".xlsx")]
    building = temp_name(local_dir)  # renamed only when both files are in
    try:
        local_dir.parent.mkdir(parents=True, exist_ok=True)
        clean_leftovers(local_dir.parent)  # the halves of packages whose export was killed
        building.mkdir()
    except OSError as e:  # the local folder could not be made (local disk full …)
        raise _explain(e, target) from e
    try:
        desk.export_docx(rid, building / docx_name)
        desk.export_xlsx(rid, building / name)
        _replace_dir(building, local_dir)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    local, local_docx = local_dir / name, local_dir / docx_name
    try:
        res = write_package({docx_name: local_docx, name: local}, target,
                            {"app_version": __version__, **entry, "files": {docx_name: entry, name: entry}},
                            key=desk.signing_key())
    except BundleError as e:
        raise BundleError(e.reason, f"{e.problem} Bản trên máy vẫn còn nguyên trong «{local_dir}».", e.path) from e
    except OSError as e:
        raise _explain(e, target) from e
    res.local = str(local_dir)
    return res


def _replace_dir(new: Path, final: Path) -> None:
    """Give a complete folder its final name; an older folder of that name goes only after the new one is in."""
    old = None
    if final.exists():
        old = temp_name(final)
        os.replace(final, old)
    os.replace(new, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# -- where to write ----------------------------------------------------------------------------------------------

@dataclass
class Drive:
    path: str
    label: str
    removable: bool


def removable_drives() -> list[Drive]:
    """Removable drives (USB sticks, memory cards) one can export to; nothing else: a fixed disk or a system folder is
    never offered (best effort; never raises)."""
    try:
        if sys.platform == "win32":
            return _windows_drives()
        if sys.platform == "darwin":
            return _mac_drives()
        return linux_drives()
    except Exception:  # noqa: BLE001 - a helper for a picker; an odd system must not stop the export dialog
        return []


def _windows_drives() -> list[Drive]:
    import ctypes
    import string

    k32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    mask = k32.GetLogicalDrives()
    out = []
    for i, letter in enumerate(string.ascii_uppercase):
        if mask & (1 << i) and k32.GetDriveTypeW(ctypes.c_wchar_p(f"{letter}:\\")) == 2:  # DRIVE_REMOVABLE
            out.append(Drive(f"{letter}:\\", f"USB ({letter}:)", True))
    return out


def linux_drives(sys_block: Path = Path("/sys/block"), mounts: Path = Path("/proc/mounts")) -> list[Drive]:
    """Mount points of removable block devices: /sys/block/DEV/removable is 1 (or DEV hangs on a USB bus: many USB
    disks say 0), and a partition of DEV (or DEV itself) is mounted in /proc/mounts."""
    devices: set[str] = set()
    for dev in sys_block.iterdir() if sys_block.is_dir() else ():
        try:
            removable = (dev / "removable").read_text().strip() == "1"
        except OSError:
            removable = False
        if removable or "/usb" in os.path.realpath(dev):
            devices.add(dev.name)
            devices.update(p.name for p in dev.iterdir() if p.name.startswith(dev.name))
    found: dict[str, Drive] = {}
    try:
        lines = mounts.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    for line in lines:
        parts = line.split()
        if len(parts) < 2 or not parts[0].startswith("/dev/"):
            continue
        name = os.path.basename(os.path.realpath(parts[0])) if parts[0].startswith("/dev/disk/") else parts[0][5:]
        point = parts[1].replace("\\040", " ")
        if name in devices and point != "/":
            found.setdefault(point, Drive(point, os.path.basename(point) or point, True))
    return sorted(found.values(), key=lambda d: d.path)


def _mac_drives() -> list[Drive]:
    """Volumes mounted under /Volumes but the start-up disk."""
    out = []
    for cand in _subdirs(Path("/Volumes"), 1):
        if os.path.ismount(cand) and os.path.realpath(cand) != "/":
            out.append(Drive(str(cand), cand.name, True))
    return out


def _subdirs(base: Path, depth: int) -> list[Path]:
    """Folders up to `depth` levels below base (/media/LABEL and /media/USER/LABEL); unreadable ones skipped."""
    out, level = [], [base]
    for _ in range(depth):
        nxt = []
        for d in level:
            try:
                nxt += [x for x in d.iterdir() if x.is_dir()]
            except OSError:
                continue
        out += nxt
        level = nxt
    return out
