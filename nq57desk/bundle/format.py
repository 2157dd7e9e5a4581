"""What an Excel bundle is: its format marker, sheet names, limits and the canonical form of its visible data.

Shared by the writer and the reader so both sides agree byte for byte on what is hashed.
"""

from __future__ import annotations

import errno
import hashlib
import re
from collections.abc import Iterable

from nq57desk.errors import NQError, os_error_vi

FORMAT = "nq57-bundle/1"
BUNDLE_VERSION = 1
KNOWN_VERSIONS = (1,)
CONSOLIDATED_FORMAT = "nq57-consolidated/1"  # the upper level's own consolidated workbook (not a bundle)

SHEET_INFO = "Thông tin chung"
SHEET_FIGURES = "Số liệu"
SHEET_TEXT = "Nội dung"
SHEET_CHECKS = "Kiểm tra"  # the findings and their giải trình, as the commune's «Kiểm tra» panel showed them
SHEET_DATA = "_data"  # very hidden: the machine-readable copy

# Keys of the hidden sheet (column A = key, column B = value); the JSON follows as rows "json" | chunk.
K_FORMAT, K_VERSION, K_JSON_SHA, K_VISIBLE_SHA, K_CHUNKS = "format", "bundle_version", "json_sha256", "visible_sha256", "json_chunks"
K_EXPORTED, K_APP = "exported_at", "app_version"
K_TEMPLATE, K_TEMPLATE_VERSION, K_COMMUNE, K_PERIOD, K_REVISION = "template_id", "template_version", "commune_code", "period_code", "revision"
K_JSON = "json"
K_SHEET = "sheet_sha256"  # rows: key | sheet title | SHA-256 of that sheet (names the sheet that was edited)
CHUNK = 15_000  # code points per cell: ≤ 30,000 UTF-16 units even for astral characters (Excel's limit is 32,767)

# Limits checked before anything in a bundle from outside is parsed.
MAX_FILE = 50 * 1024 * 1024
MAX_ENTRIES = 2_000
MAX_UNCOMPRESSED = 64 * 1024 * 1024  # a real bundle unpacks to a few MB; this bounds the time of the scan
MAX_RATIO = 100
RATIO_FLOOR = 64 * 1024  # entries smaller than this cannot be bombs; tiny XML compresses very well
# Macros (VBA, Excel 4 macro sheets), links to other files, embedded or ActiveX objects. Printer settings (.bin)
# that Excel adds when a sheet is printed are harmless and allowed.
# What the writer can produce, with room to spare; a sheet beyond it is refused at its first element going beyond
# (a declared <dimension>, a row number, a cell's column), before anything is built for it. The widest sheet is a
# table of a template (a dozen columns); the longest is the hidden one (one row per 15,000 characters of JSON).
# These are the outer caps, checked while streaming before the template is known; once it is, each sheet must be
# no larger than what the writer makes of the document (nq57desk.bundle.crosscheck).
MAX_COLUMNS = 64  # column BL
MAX_ROWS = 20_000
MAX_CELLS = 100_000  # in the whole workbook, shared strings included (a real bundle: a few thousand)
MAX_TEXT = 16_000_000  # characters of text in the whole workbook (a real bundle has well under a million)
MAX_CELL_TEXT = 32_767  # Excel's own limit for one cell
FORBIDDEN_PARTS = re.compile(r"vbaProject|vbaData|macrosheets/|externalLink|embeddings/|activeX|oleObject", re.I)

SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


class BundleError(NQError):
    """A bundle cannot be written or accepted. str(err) is Vietnamese and names the file; `reason` is a short code."""

    def __init__(self, reason: str, message: str, path: str = ""):
        self.reason, self.path, self.problem = reason, str(path), message
        name = _display_name(path)
        super().__init__(f"Tệp «{name}»: {message}" if name else message)


def os_problem(e: BaseException) -> tuple[str, str]:
    """(reason, Vietnamese sentence) for a failed write or copy: an OSError, or ValueError from a failed read-back."""
    code = getattr(e, "errno", None)
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return "disk_full", "ổ đích đã đầy; hãy xóa bớt hoặc dùng USB khác rồi làm lại."
    if code == errno.EROFS:
        return "read_only", "ổ đích chỉ cho đọc (USB đang gạt khóa chống ghi?)."
    if code in (errno.EACCES, errno.EPERM):
        return "read_only", "không có quyền ghi vào ổ đích, hoặc tệp cùng tên đang mở trong chương trình khác (Excel?)."
    if code == errno.ENOENT:
        return "no_folder", "không tìm thấy thư mục đích (thư mục không có, hoặc USB vừa bị rút ra?)."
    if code in (errno.ENODEV, errno.EIO, getattr(errno, "ENXIO", -1)):
        return "device_gone", "mất kết nối với ổ đích (USB bị rút ra?); hãy cắm lại và làm lại."
    if isinstance(e, ValueError):
        return "verify_failed", "tệp chép ra khác tệp gốc khi đọc lại kiểm tra; USB có thể bị lỗi, hãy chép lại hoặc dùng USB khác."
    return "copy_failed", f"{os_error_vi(e)}."  # the project's one translation: never the English strerror


def _display_name(path) -> str:
    s = str(path or "")
    return re.split(r"[\\/]", s)[-1] if s else ""


# -- canonical visible data ----------------------------------------------------------------------------------

def cell_value(v):
    """A cell value as the hash sees it: floats rounded to what the file holds, whole floats as ints."""
    if isinstance(v, bool) or v is None or isinstance(v, (int, str)):
        return v
    if isinstance(v, float):
        v = float(f"{v:.12g}")
        return int(v) if v.is_integer() else v
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v)


def _tag(v) -> str:
    if isinstance(v, str):
        return "s" + v
    if isinstance(v, bool):
        return "b1" if v else "b0"
    if isinstance(v, int):
        return "i" + str(v)
    return "f" + repr(v)


def canonical_rows(title: str, rows: Iterable[tuple]) -> Iterable[str]:
    """One line per sheet title and per non-empty row: row number, then each value tagged with its type
    (s text, i whole number, f other number, b yes/no, empty for a blank), separated by U+001F. Visible text never
    holds U+001F (the writer drops control characters), so the lines are unambiguous."""
    yield "S" + title
    for i, row in enumerate(rows, start=1):
        line = canonical_line(i, row)
        if line is not None:
            yield line


def canonical_line(i: int, row: tuple) -> str | None:
    """The line of row number i (None for an empty row): what the writer and the streaming reader both hash."""
    n = len(row)
    while n and (row[n - 1] is None or row[n - 1] == ""):
        n -= 1
    if not n:
        return None
    parts = []
    for v in row[:n]:
        t = type(v)
        if t is str:
            parts.append("s" + v if v else "")
        elif t is int:
            parts.append("i" + str(v))
        elif v is None:
            parts.append("")
        else:
            parts.append(_tag(cell_value(v)))
    return str(i) + "\x1f" + "\x1f".join(parts)


class VisibleHash:
    """SHA-256 over the canonical lines of every visible sheet, in workbook order; sheet() also returns the
    sheet's own SHA-256 (so a reader can name the sheet that was edited)."""

    def __init__(self):
        self._h = hashlib.sha256()

    def sheet(self, title: str, rows: Iterable[tuple]) -> str:
        h = self.open(title)
        for i, row in enumerate(rows, start=1):
            h.row(i, row)
        return h.close()

    def open(self, title: str) -> SheetHash:
        """Hash a sheet row by row as it is read (numbered rows, empty ones may be absent): nothing held whole."""
        return SheetHash(self._h, title)

    def hexdigest(self) -> str:
        return self._h.hexdigest()


class SheetHash:
    """One sheet's lines fed to its own SHA-256 and to the workbook's, a batch of lines at a time."""

    def __init__(self, total, title: str):
        self._total, self._h, self._buf, self._size = total, hashlib.sha256(), ["S" + title], 0

    def row(self, i: int, row: tuple) -> None:
        line = canonical_line(i, row)
        if line is not None:
            self._buf.append(line)
            self._size += len(line)
            if self._size > 1 << 16:
                self._flush()

    def _flush(self) -> None:
        if self._buf:
            data = ("\n".join(self._buf) + "\n").encode("utf-8")
            self._h.update(data)
            self._total.update(data)
            self._buf, self._size = [], 0

    def close(self) -> str:
        self._flush()
        return self._h.hexdigest()


def _cut(text: str, n: int) -> str:
    """At most n characters, cut at a word boundary when that keeps most of it."""
    if len(text) <= n:
        return text
    cut = text[:n]
    if text[n] != " " and cut.rfind(" ") >= n // 2:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip("' -,.;–")


def sheet_title(text: str, taken: set[str]) -> str:
    """A valid, unique (case-insensitive) sheet title ≤ 31 characters."""
    base = SHEET_NAME_BAD.sub("-", " ".join(str(text).split())).strip("' ") or "Bảng"
    title, n = _cut(base, 31), 1
    while title.casefold() in taken or title.casefold() == "history":
        n += 1
        suffix = f" ({n})"
        title = _cut(base, 31 - len(suffix)) + suffix
    taken.add(title.casefold())
    return title
