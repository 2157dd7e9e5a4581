"""Read an Excel bundle from outside safely: nothing in it is trusted until every check has passed.

Order: size → zip structure (entries, sizes, ratios) → every part by its content (no DOCTYPE/ENTITY, no formula,
macro, link or embedded object, whatever the part's name) → the sheets the workbook's relationships point to,
streamed under hard limits (nq57desk.bundle.xlsxparts: columns, rows, cells, text) → hidden data (format, version, SHA-256 of the JSON and of the visible cells)
→ template known → commune on the official list → document valid for its template → every visible sheet equal, cell
by cell, to what the writer makes of the hidden document, and no larger (nq57desk.bundle.crosscheck: an edit of
either half signed again with the commune's own key is caught here).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from nq57desk.bundle.format import (
    CONSOLIDATED_FORMAT,
    FORBIDDEN_PARTS,
    FORMAT,
    K_APP,
    K_CHUNKS,
    K_COMMUNE,
    K_EXPORTED,
    K_FORMAT,
    K_JSON,
    K_JSON_SHA,
    K_PERIOD,
    K_REVISION,
    K_SHEET,
    K_TEMPLATE,
    K_TEMPLATE_VERSION,
    K_VERSION,
    K_VISIBLE_SHA,
    KNOWN_VERSIONS,
    MAX_CELLS,
    MAX_ENTRIES,
    MAX_FILE,
    MAX_RATIO,
    MAX_UNCOMPRESSED,
    RATIO_FLOOR,
    SHEET_DATA,
    BundleError,
    VisibleHash,
)
from nq57desk.errors import DocumentError, NQError
from nq57desk.report.document import check_document, loads, period_code
from nq57desk.report.shaping import shape
from nq57desk.templates.model import Template

_DTD = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.I)
# A formula element in any XML part, whatever its name or folder (a chart's <f> only names the cells it draws).
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:f|formula[12]?)[\s/>]")
_CHART = re.compile(rb"(?:<\?xml[^>]{0,200}\?>\s*)?<(?:[A-Za-z_][\w.-]*:)?chartSpace[\s>]")
# Live content in any XML part: macros, links to other files or programs (DDE), embedded or ActiveX objects.
_ACTIVE = re.compile(rb"TargetMode\s*=\s*[\"']External|"
                     rb"Type\s*=\s*[\"'][^\"']*/relationships/(?:oleObject|package|externalLink\w*|vbaProject\w*|"
                     rb"activeX\w*|control|attachedTemplate|externalLinkPath)[\"']|"
                     rb"ContentType\s*=\s*[\"'][^\"']*(?:macroEnabled|vbaProject|macrosheet|dialogsheet|oleObject|"
                     rb"externalLink|activeX|ms-office\.controls)|"
                     rb"<(?:[A-Za-z_][\w.-]*:)?(?:oleObjects?|oleLink|ddeLink|ddeItem|externalBook|controls?|"
                     rb"activeX\w*)[\s/>]", re.I)
# Words one of which every _ACTIVE match holds: a fast look (bytes.find) before the slow regex.
_ACTIVE_WORDS = (b"targetmode", b"/relationships/", b"contenttype", b"oleobject", b"olelink", b"ddelink", b"ddeitem",
                 b"externalbook", b"control", b"activex")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE compound file (embedded document, VBA) under any name
_SCAN = 1 << 20
_OVERLAP = 64

MSG = {
    "missing": "không tìm thấy tệp.",
    "unreadable": "không đọc được tệp ({}).",
    "empty": "tệp rỗng (0 byte); có thể việc chép tệp chưa xong.",
    "too_big": "tệp quá lớn ({} MB); gói báo cáo không quá 50 MB.",
    "not_xlsx": "không phải tệp Excel (.xlsx) — có thể là tệp khác bị đổi đuôi.",
    "damaged": "tệp Excel bị hỏng hoặc chép chưa hết ({}); hãy chép lại từ máy của xã.",
    "too_many_parts": "tệp có quá nhiều thành phần ({}); gói báo cáo thật không như vậy.",
    "zip_bomb": "tệp nén bất thường ({}); từ chối để bảo vệ máy.",
    "encrypted": "tệp có phần bị mã hóa bằng mật khẩu; gói báo cáo không dùng mật khẩu.",
    "active_content": "tệp chứa macro, liên kết ngoài hoặc đối tượng nhúng ({}); gói báo cáo không có những thứ này.",
    "xml_entity": "tệp chứa khai báo DOCTYPE/ENTITY trong «{}» (kiểu tấn công «bom XML»); từ chối.",
    "unsafe_xml": "thành phần «{}» không mã hóa UTF-8 như tệp Excel thông thường; từ chối.",
    "formula": "tệp có ô chứa công thức ({}); gói báo cáo chỉ chứa số và chữ.",
    "active_content_vi": "tệp chứa macro, liên kết ngoài hoặc đối tượng nhúng ({}); gói báo cáo không có những thứ này.",
    "too_wide": "trang «{}» có ô ở cột quá xa ({}); gói báo cáo thật không rộng như vậy, từ chối để bảo vệ máy.",
    "too_long": "trang «{}» có quá nhiều dòng (dòng {}); gói báo cáo thật không dài như vậy, từ chối để bảo vệ máy.",
    "too_many_cells": "tệp có quá nhiều ô (quá {}); gói báo cáo thật không lớn như vậy, từ chối để bảo vệ máy.",
    "too_much_text": "tệp chứa quá nhiều chữ (quá {} triệu ký tự); gói báo cáo thật không lớn như vậy, từ chối.",
    "cell_text": "một ô trong {} dài quá {} ký tự (giới hạn của Excel); tệp đã bị sửa bằng công cụ khác, từ chối.",
    "bad_cell": "trang «{}» có ô không đọc được ({}); tệp bị hỏng hoặc đã bị sửa bằng công cụ khác.",
    "bad_xml": "thành phần «{}» của tệp không phải XML hợp lệ ({}); tệp bị hỏng hoặc đã bị sửa.",
    "xml_entity_part": "tệp chứa khai báo DOCTYPE/ENTITY (kiểu tấn công «bom XML»); từ chối.",
    "missing_part": "tệp Excel thiếu thành phần «{}»; tệp bị hỏng hoặc chép chưa hết.",
    "part_too_big": "thành phần «{}» của tệp lớn bất thường; từ chối để bảo vệ máy.",
    "hidden_cells": "trang «{}» có {} bị ẩn; gói báo cáo không ẩn gì trên các trang, từ chối (số bị ẩn vẫn được "
                    "tổng hợp mà không ai thấy).",
    "not_worksheet": "trang «{}» không phải trang bảng tính thường (trang macro, hộp thoại hay biểu đồ); từ chối.",
    "no_data": "không phải gói báo cáo NQ57 (thiếu trang dữ liệu ẩn «_data»).",
    "not_bundle": "không phải gói báo cáo NQ57 (dấu định dạng «{}»).",
    "consolidated": "bảng tổng hợp do ứng dụng này ghi ra, không phải gói báo cáo của xã; bỏ qua.",
    "unknown_version": "gói được tạo bằng định dạng phiên bản {}, ứng dụng này chỉ đọc được phiên bản {}; hãy cập nhật nq57desk.",
    "data_edited": "dữ liệu ẩn của gói đã bị sửa sau khi xuất ({}); hãy đề nghị xã xuất lại gói.",
    "visible_edited": "bảng tính đã bị sửa sau khi xuất (trang «{}» khác bản gốc); hãy đề nghị xã xuất lại gói, không sửa tay.",
    "bad_json": "dữ liệu báo cáo trong gói không đọc được ({}).",
    "unknown_template": "báo cáo dùng mẫu «{}» phiên bản {} mà máy này chưa có; hãy nhập tệp mẫu trước.",
    "bad_commune": "mã xã không hợp lệ: {}",
    "bad_document": "{}",
}


def _fail(reason: str, path, *args) -> BundleError:
    return BundleError(reason, MSG[reason].format(*args), path)


@dataclass
class BundleResult:
    path: str
    doc: dict
    template_ref: tuple[str, int]
    template: Template
    sha256: str  # of the file bytes
    json_sha256: str  # of the document JSON (same content exported twice → same value)
    visible_sha256: str
    bundle_version: int
    exported_at: str  # ISO 8601 with offset, as the commune's computer wrote it (signed, checked: not in the future)
    app_version: str
    size: int
    json_text: str = ""  # the document JSON exactly as the bundle carries it (what its signature covers)
    signed: object = None  # nq57desk.bundle.signing.Signed: the key that signed all of the above

    @property
    def key(self) -> tuple[str, str, str]:
        """Commune code, template id, period code: what a newer revision replaces."""
        return self.doc["commune"]["code"], self.template_ref[0], period_code(self.doc["period"])


def read_bundle(path, registry, *, data: bytes | None = None) -> BundleResult:
    """Read and check one bundle; raise BundleError (Vietnamese, naming the file, with .reason) on any doubt.

    `data` reads bytes already in memory (a member of a .zip package); `path` then only names it.
    """
    name = str(path)
    if data is None:
        data = _read_file(Path(path))
    if not data:
        raise _fail("empty", name)
    if len(data) > MAX_FILE:
        raise _fail("too_big", name, f"{len(data) / 1048576:.0f}")
    file_sha = hashlib.sha256(data).hexdigest()
    _check_zip(data, name)
    loaded = _load(data, name)
    visible_sha, sheet_shas, titles = loaded.visible_sha, loaded.sheet_shas, loaded.titles
    meta, text = _hidden(loaded.hidden, name)
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != meta.get(K_JSON_SHA):
        raise _fail("data_edited", name, "mã kiểm tra dữ liệu không khớp")
    if visible_sha != meta.get(K_VISIBLE_SHA):
        stored = dict(meta.get("_sheets") or [])
        bad = [t for t in titles if sheet_shas.get(t) != stored.get(t)] + [t for t in stored if t not in sheet_shas]
        raise _fail("visible_edited", name, "», «".join(bad) or "?")
    signed = _signature(meta, visible_sha, name)
    # json_sha256 identifies the content: of its NFC form, so the same report written in decomposed Unicode (NFD)
    # is the same content, not a conflict; the text itself is kept as signed (signing.verify_stored)
    json_sha = meta[K_JSON_SHA]
    nfc = unicodedata.normalize("NFC", text)
    if nfc != text:
        json_sha = hashlib.sha256(nfc.encode("utf-8")).hexdigest()
    try:
        doc = loads(text)
    except DocumentError as e:
        raise _fail("bad_json", name, e.problem) from None
    tref = doc.get("template") or {}
    tid, tver = tref.get("id"), tref.get("version")
    if (str(tid), str(tver)) != (str(meta.get(K_TEMPLATE)), str(meta.get(K_TEMPLATE_VERSION))) or \
            str((doc.get("commune") or {}).get("code")) != str(meta.get(K_COMMUNE)) or \
            str(doc.get("revision")) != str(meta.get(K_REVISION)):
        raise _fail("data_edited", name, "thông tin gói khác nội dung báo cáo")
    try:
        tpl = registry.get(tid, tver)
    except NQError:
        raise _fail("unknown_template", name, tid, tver) from None
    from nq57desk.units import check_commune

    try:
        check_commune(doc.get("commune") or {})
    except DocumentError as e:
        raise _fail("bad_commune", name, e.problem) from None
    try:
        check_document(doc, tpl)
    except NQError as e:
        raise _fail("bad_document", name, str(e)) from None
    if str(meta.get(K_PERIOD)) != period_code(doc["period"]):
        raise _fail("data_edited", name, "kỳ báo cáo của gói khác nội dung báo cáo")
    base, tpl = tpl, shape(tpl, doc).visible()  # the figures the commune reported, in its own outline
    from nq57desk.bundle.crosscheck import cross_check

    if nfc == text:
        cross_check(tpl, doc, meta, loaded, name)
    else:  # the sheets were written from the document as carried, before NFC (see cross_check)
        from nq57desk import jsonbound

        carried = jsonbound.loads(text)
        cross_check(shape(base, carried).visible(), carried, meta, loaded, name)
    return BundleResult(path=name, doc=doc, template_ref=(tpl.id, tpl.version), template=tpl, sha256=file_sha,
                        json_sha256=json_sha, visible_sha256=visible_sha, bundle_version=int(meta[K_VERSION]),
                        exported_at=str(meta.get(K_EXPORTED) or ""), app_version=str(meta.get(K_APP) or ""),
                        size=len(data), json_text=text, signed=signed)


def _signature(meta: dict, visible_sha: str, name: str):
    """Who signed what was read (nq57desk.bundle.signing): the digests passed are those just recomputed."""
    from nq57desk.bundle.signing import check_bundle

    return check_bundle(meta, meta[K_JSON_SHA], visible_sha, name)


def _read_file(p: Path) -> bytes:
    try:
        st = p.stat()
    except FileNotFoundError:
        raise _fail("missing", p) from None
    except OSError as e:
        raise _fail("unreadable", p, e.strerror or e) from None
    if not p.is_file():
        raise _fail("not_xlsx", p)
    if st.st_size > MAX_FILE:
        raise _fail("too_big", p, f"{st.st_size / 1048576:.0f}")
    try:
        with open(p, "rb") as f:
            data = f.read(MAX_FILE + 1)
    except OSError as e:
        raise _fail("unreadable", p, e.strerror or e) from None
    if len(data) > MAX_FILE:
        raise _fail("too_big", p, f"{len(data) / 1048576:.0f}")
    return data


# -- the zip, before any XML parser sees it --------------------------------------------------------------------

def check_zip_entries(zf: zipfile.ZipFile, name: str, *, max_entries: int = MAX_ENTRIES,
                      max_total: int = MAX_UNCOMPRESSED) -> list[zipfile.ZipInfo]:
    """Entry count, declared sizes and compression ratios of a zip (an .xlsx or a .zip package)."""
    infos = zf.infolist()
    if len(infos) > max_entries:
        raise _fail("too_many_parts", name, len(infos))
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos)
    if total > max_total:
        raise _fail("zip_bomb", name, f"giải nén ra {total / 1048576:.0f} MB")
    for i in infos:
        if i.flag_bits & 0x1:
            raise _fail("encrypted", name)
        if i.file_size > RATIO_FLOOR and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            raise _fail("zip_bomb", name, f"«{i.filename}» nén {i.file_size // max(i.compress_size, 1)} lần")
    if total > RATIO_FLOOR and total > MAX_RATIO * max(packed, 1):
        raise _fail("zip_bomb", name, f"cả tệp nén {total // max(packed, 1)} lần")
    return infos


def _check_zip(data: bytes, name: str) -> None:
    if not data.startswith(b"PK"):
        raise _fail("not_xlsx", name)
    bio = io.BytesIO(data)
    if not zipfile.is_zipfile(bio):
        raise _fail("damaged", name, "thiếu phần cuối tệp")
    try:
        with zipfile.ZipFile(bio) as zf:
            infos = check_zip_entries(zf, name)
            names = {i.filename for i in infos}
            if "[Content_Types].xml" not in names:
                raise _fail("not_xlsx", name)
            bad = [n for n in names if FORBIDDEN_PARTS.search(n)]
            if bad:
                raise _fail("active_content", name, bad[0])
            cells = [0]
            for i in infos:  # every part, by what it holds and not by its name or folder
                if not i.is_dir():
                    _scan_part(zf, i, name, cells)
    except zipfile.BadZipFile as e:
        raise _fail("damaged", name, e) from None
    except (EOFError, OSError, ValueError, NotImplementedError, zlib.error) as e:  # bad compressed data, unknown method
        raise _fail("damaged", name, e) from None


def _scan_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, cells: list[int]) -> None:
    """Stream one part. XML (whatever its name): refuse DTDs/entities, non-UTF-8 encodings, formulas and live
    content, and count cells (<c …>: far more than a bundle can hold is refused before any parser starts); any
    part: refuse an OLE compound file (an embedded object or a macro store) and lying sizes."""
    seen, tail, first, chart = 0, b"", True, False
    with zf.open(info) as f:
        while chunk := f.read(_SCAN):
            seen += len(chunk)
            if seen > info.file_size:
                raise _fail("zip_bomb", name, f"«{info.filename}» lớn hơn kích thước khai báo")
            if first:
                first = False
                if chunk.startswith(_OLE):
                    raise _fail("active_content", name, info.filename)
                head = chunk[:4]
                if head[:2] in (b"\xff\xfe", b"\xfe\xff") or head[:2] in (b"<\x00", b"\x00<"):
                    raise _fail("unsafe_xml", name, info.filename)
                text = chunk.lstrip(b"\xef\xbb\xbf \t\r\n")
                if not text.startswith(b"<"):
                    return  # a picture or printer settings: nothing in it is read
                chart = _CHART.match(text) is not None
            buf = tail + chunk
            if _DTD.search(buf):
                raise _fail("xml_entity", name, info.filename)
            low = buf.lower()
            if any(w in low for w in _ACTIVE_WORDS) and (m := _ACTIVE.search(buf)) is not None:
                raise _fail("active_content", name, f"{info.filename}: {m.group(0)[:40].decode('utf-8', 'replace')}")
            if not chart and _FORMULA.search(buf):
                raise _fail("formula", name, info.filename.rsplit("/", 1)[-1])
            cells[0] += chunk.count(b"<c ") + chunk.count(b"<c>")
            if cells[0] > MAX_CELLS:
                raise _fail("too_many_cells", name, f"{MAX_CELLS:,}".replace(",", "."))
            tail = buf[-_OVERLAP:]


# -- the sheets, streamed -----------------------------------------------------------------------------------------

@dataclass
class _Loaded:
    hidden: list  # rows of the hidden sheet: a few keys and the JSON chunks
    visible_sha: str
    sheet_shas: dict[str, str]
    titles: list[str]
    shown: list  # (xlsxparts.Sheet, {row number: values}) of every visible sheet, in workbook order
    others: list[str]  # titles of hidden sheets other than the data sheet (the writer makes none)
    data_sheet: object = None  # the xlsxparts.Sheet of the hidden data sheet


def _load(data: bytes, name: str) -> _Loaded:
    """The hidden rows, the visible SHA-256 (total and per sheet), the visible titles and the figures shown, each
    sheet streamed once under the limits of nq57desk.bundle.xlsxparts (no sheet is ever held whole)."""
    from nq57desk.bundle import xlsxparts as X

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            wb = X.workbook(zf)
            if SHEET_DATA not in [s.title for s in wb.sheets]:
                raise _fail("no_data", name)
            budget = X.Budget()
            strings = X.shared_strings(zf, wb.shared_strings, budget)
            total = VisibleHash()
            per: dict[str, str] = {}
            titles: list[str] = []
            hidden: list = []
            shown: list = []
            others: list[str] = []
            data_sheet = None
            for sh in wb.sheets:
                if sh.title == SHEET_DATA:
                    hidden = [row for _i, row in X.rows(zf, sh, strings, budget) if row and row[0] is not None]
                    data_sheet = sh
                    continue
                if sh.state != "visible":
                    for _ in X.rows(zf, sh, strings, budget):  # read for its limits and formulas, then dropped
                        pass
                    others.append(sh.title)
                    continue
                h = total.open(sh.title)
                got: dict[int, tuple] = {}
                for i, row in X.rows(zf, sh, strings, budget):
                    h.row(i, row)
                    got[i] = row
                shown.append((sh, got))
                per[sh.title] = h.close()
                titles.append(sh.title)
            return _Loaded(hidden, total.hexdigest(), per, titles, shown, others, data_sheet)
    except X.Refused as e:
        if e.reason in ("formula", "active_content_vi"):
            raise _fail("formula" if e.reason == "formula" else "active_content", name, *e.args_vi) from None
        raise _fail(e.reason, name, *e.args_vi) from None
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error, NotImplementedError) as e:
        raise _fail("damaged", name, type(e).__name__) from None


def _hidden(rows, name: str) -> tuple[dict, str]:
    meta: dict = {}
    sheets: list[tuple[str, str]] = []
    chunks: list[str] = []
    for row in rows or ():
        if not row or row[0] is None:
            continue
        key = str(row[0])
        val = row[1] if len(row) > 1 else None
        if key == K_JSON:
            chunks.append("" if val is None else str(val))
        elif key == K_SHEET:
            sheets.append((str(val), str(row[2] if len(row) > 2 else "")))
        else:
            meta[key] = val
    if meta.get(K_FORMAT) != FORMAT:
        first = next((str(r[0]) for r in rows or () if r and r[0] is not None), "")
        if meta.get(K_FORMAT) == CONSOLIDATED_FORMAT or first.startswith('{"format":"' + CONSOLIDATED_FORMAT):
            raise _fail("consolidated", name)
        raise _fail("not_bundle", name, meta.get(K_FORMAT) or "không có")
    try:
        version = int(meta.get(K_VERSION))
    except (TypeError, ValueError):
        version = None
    if version not in KNOWN_VERSIONS:
        raise _fail("unknown_version", name, meta.get(K_VERSION), ", ".join(map(str, KNOWN_VERSIONS)))
    try:
        n = int(meta.get(K_CHUNKS))
    except (TypeError, ValueError):
        n = -1
    if n != len(chunks) or not isinstance(meta.get(K_JSON_SHA), str):
        raise _fail("data_edited", name, "thiếu phần dữ liệu")
    meta["_sheets"] = sheets
    return meta, "".join(chunks)


def is_bundle_name(p: str | os.PathLike) -> bool:
    """An .xlsx that is not an Excel lock file (~$…) or one of our temp files (.~…)."""
    n = os.path.basename(str(p))
    return n.lower().endswith(".xlsx") and not n.startswith(("~$", ".~"))
