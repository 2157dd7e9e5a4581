"""A Word file (.docx, .docm, or a .doc converted by LibreOffice) read into a neutral list of paragraphs and tables.

Why its own reader: officers number headings three ways (typed, Word heading styles, Word's automatic numbering whose
numbers are not in the text), put the header and the signature in borderless tables, and keep tracked changes;
the placing (place.py) must see the text as Word shows it. The file comes from outside: sizes are bounded before
any XML parser sees it, DTDs are refused, nothing linked from the file is ever fetched, no macro is run.
"""

from __future__ import annotations

import io
import posixpath
import re
import shutil
import subprocess
import tempfile
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from nq57desk.errors import NQError
from nq57desk.vn import roman as _roman

MAX_FILE = 50 * 1024 * 1024
MAX_PART = 30 * 1024 * 1024  # document.xml of a 200-page report is a few MB
MAX_TOTAL = 200 * 1024 * 1024
MAX_ENTRIES = 2_000
MAX_RATIO = 100
RATIO_FLOOR = 64 * 1024
MAX_PARAGRAPHS = 50_000

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DTD = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.I)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# the main part of a Word document, macro-enabled document, template (python-docx opens the same kinds)
_WORD_CTS = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
             "application/vnd.ms-word.document.macroEnabled.main+xml",
             "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
             "application/vnd.ms-word.template.macroEnabledTemplate.main+xml")


class WordError(NQError):
    """A Word file that cannot be read: a Vietnamese sentence naming the file."""

    def __init__(self, path, problem: str):
        self.problem = problem
        super().__init__(f"Tệp «{Path(str(path)).name}»: {problem}")


@dataclass
class Para:
    """One paragraph (or one line of a paragraph broken by Shift+Enter) as Word shows it."""

    text: str
    bold: bool = False
    level: int | None = None  # the Word heading style's level (Heading 1 → 1)
    label: str = ""  # the automatic numbering Word prints before the text ("I.", "1.", "a)", "-")
    layout: bool = False  # from a borderless table (header, signature)
    where: int = 0  # the paragraph's ordinal in the file, for messages

    @property
    def line(self) -> str:
        """The text with its automatic number in front, as it prints."""
        return f"{self.label} {self.text}".strip() if self.label else self.text


@dataclass
class Cell:
    text: str
    span: int = 1
    merged: bool = False  # continues the cell above (vertical merge)


@dataclass
class Table:
    rows: list[list[Cell]]
    where: int = 0

    def width(self) -> int:
        return max((sum(c.span for c in r) for r in self.rows), default=0)

    def grid(self) -> list[list[str]]:
        """Every row as one text per grid column: a cell spanning columns fills the first, merged cells are empty."""
        out = []
        for r in self.rows:
            line: list[str] = []
            for c in r:
                line.append("" if c.merged else c.text)
                line.extend([""] * (c.span - 1))
            out.append(line + [""] * (self.width() - len(line)))
        return out


@dataclass
class WordFile:
    items: list  # Para and Table, in the order of the file
    notes: list[str] = field(default_factory=list)  # what was not taken: macros, links, remote images (Vietnamese)
    footnotes: list[str] = field(default_factory=list)


# -- the bytes, before any parser ----------------------------------------------------------------------------------

def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
    except OSError as e:
        raise WordError(path, f"không đọc được tệp ({e.strerror or e}).") from None
    if not path.is_file():
        raise WordError(path, "không phải một tệp.")
    if size > MAX_FILE:
        raise WordError(path, f"tệp quá lớn ({size / 1048576:.0f} MB); báo cáo Word không quá 50 MB.")
    if size == 0:
        raise WordError(path, "tệp rỗng (0 byte).")
    with open(path, "rb") as f:
        return f.read(MAX_FILE + 1)


def _ole_kind(data: bytes) -> str:
    """An OLE compound file is either a password-protected Office file or a Word 97–2003 .doc."""
    if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
        return "encrypted"
    return "doc"


def convert_doc(path: Path, outdir: Path) -> Path | None:
    """A .doc converted to .docx by LibreOffice when it is installed (no network, no macros: headless)."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        return None
    try:
        subprocess.run([exe, "--headless", "--norestore", f"-env:UserInstallation=file://{outdir}/profile",
                        "--convert-to", "docx", "--outdir", str(outdir), str(path)],
                       check=True, timeout=120, capture_output=True)
    except (OSError, subprocess.SubprocessError):
        return None
    out = outdir / (path.stem + ".docx")
    return out if out.is_file() else None


def _checked_zip(data: bytes, path: Path, notes: list[str]) -> dict[str, bytes]:
    """The zip's sizes and parts checked; its XML parts by name (a .docm's macros are neither read nor run)."""
    bio = io.BytesIO(data)
    if not zipfile.is_zipfile(bio):
        raise WordError(path, "không phải tệp Word .docx (có thể là tệp khác bị đổi đuôi, hoặc tệp chép chưa hết).")
    try:
        with zipfile.ZipFile(bio) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ENTRIES:
                raise WordError(path, f"tệp có quá nhiều thành phần ({len(infos)}); từ chối để bảo vệ máy.")
            total = sum(i.file_size for i in infos)
            if total > MAX_TOTAL:
                raise WordError(path, f"tệp nén bất thường (giải nén ra {total / 1048576:.0f} MB); từ chối để bảo vệ máy.")
            names = {i.filename for i in infos}
            if "word/document.xml" not in names or "[Content_Types].xml" not in names:
                raise WordError(path, "không phải tệp Word .docx (thiếu phần nội dung văn bản).")
            parts = {}
            for i in infos:
                if i.flag_bits & 0x1:
                    raise WordError(path, "tệp có phần bị mã hóa bằng mật khẩu; hãy mở bằng Word, bỏ mật khẩu rồi lưu lại.")
                if i.file_size > RATIO_FLOOR and i.file_size > MAX_RATIO * max(i.compress_size, 1):
                    raise WordError(path, f"tệp nén bất thường («{i.filename}» nén {i.file_size // max(i.compress_size, 1)} "
                                          "lần); từ chối để bảo vệ máy.")
                if i.file_size > MAX_PART and i.filename.lower().endswith((".xml", ".rels")):
                    raise WordError(path, f"phần «{i.filename}» quá lớn ({i.file_size / 1048576:.0f} MB); từ chối để bảo "
                                          "vệ máy.")
                if i.filename.lower().endswith((".xml", ".rels")):
                    with zf.open(i) as f:
                        raw = f.read(MAX_PART + 1)
                    if len(raw) > i.file_size or len(raw) > MAX_PART:
                        raise WordError(path, f"phần «{i.filename}» lớn hơn kích thước khai báo; từ chối để bảo vệ máy.")
                    if _DTD.search(raw):
                        raise WordError(path, f"phần «{i.filename}» có khai báo DOCTYPE/ENTITY (kiểu tấn công «bom XML»); "
                                              "từ chối.")
                    parts[i.filename] = raw
                elif "vbaProject" in i.filename:
                    notes.append("Tệp có macro (.docm): chỉ đọc chữ, macro không được chạy và không được giữ lại.")
    except WordError:
        raise
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError, zlib.error) as e:
        raise WordError(path, f"tệp Word bị hỏng hoặc chép chưa hết ({type(e).__name__}).") from None
    ct = parts["[Content_Types].xml"].decode("utf-8", "replace")
    if not any(x in ct for x in _WORD_CTS):
        raise WordError(path, "không phải tệp Word .docx (nội dung không phải văn bản Word).")
    return parts


def read_word(path) -> WordFile:
    """The file's paragraphs and tables; refuses what is not a readable, bounded Word file with a Vietnamese message."""
    path = Path(path)
    data = _read_bytes(path)
    if data.startswith(_OLE):
        if _ole_kind(data) == "encrypted":
            raise WordError(path, "tệp được bảo vệ bằng mật khẩu (mã hóa); hãy mở bằng Word, bỏ mật khẩu "
                                  "(Tệp › Thông tin › Bảo vệ tài liệu) rồi lưu lại.")
        with tempfile.TemporaryDirectory(prefix="nq57-doc-") as tmp:
            src = Path(tmp) / ("in" + (path.suffix.lower() if path.suffix.lower() == ".doc" else ".doc"))
            src.write_bytes(data)
            out = convert_doc(src, Path(tmp))
            if out is None:
                raise WordError(path, "là tệp Word 97–2003 (.doc) mà máy không có LibreOffice để chuyển; "
                                      "Hãy mở tệp bằng Word và lưu thành .docx.")
            data = out.read_bytes()
            if len(data) > MAX_FILE:
                raise WordError(path, "tệp .doc chuyển sang .docx quá lớn.")
    notes: list[str] = []
    parts = _checked_zip(data, path, notes)
    try:
        pkg = _Package(parts)
    except etree.XMLSyntaxError as e:
        raise WordError(path, f"tệp Word bị hỏng, không đọc được ({type(e).__name__}).") from None
    return _walk(pkg, notes)


class _Package:
    """The parts of the Word file the reading needs, parsed by lxml as they are (no entity, no network): the
    document, its styles, numbering and footnotes (found by the document's relationships), and its external links.
    python-docx's own loading of every part cost as much as the whole reading."""

    def __init__(self, parts: dict[str, bytes]):
        self.parts = parts
        self.body = self._xml("word/document.xml").find(W + "body")
        if self.body is None:
            raise etree.XMLSyntaxError("no body", None, 0, 0)
        self.rels: list[tuple[str, str, bool]] = []  # (kind, target, external)
        raw = parts.get("word/_rels/document.xml.rels")
        if raw:
            for r in _parse(raw).iter(_REL + "Relationship"):
                self.rels.append((r.get("Type", "").rsplit("/", 1)[-1], r.get("Target", ""),
                                  r.get("TargetMode", "") == "External"))

    def _xml(self, name: str):
        return _parse(self.parts[name])

    def related(self, kind: str):
        """The root of the part the document relates as `kind` (styles, numbering, footnotes), else None."""
        for k, target, external in self.rels:
            if k == kind and not external:
                name = posixpath.normpath(posixpath.join("word", target)) if not target.startswith("/") else target[1:]
                if name in self.parts:
                    return self._xml(name)
        return None


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=False)
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _parse(raw: bytes):
    return etree.fromstring(raw, _PARSER)


# -- the walk ------------------------------------------------------------------------------------------------------

def _letter(n: int) -> str:
    s = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        s = chr(97 + r) + s
    return s


def _fmt(fmt: str, n: int) -> str:
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperLetter":
        return _letter(n).upper()
    if fmt == "lowerLetter":
        return _letter(n)
    if fmt == "none":
        return ""
    return str(n)


class _Numbering:
    """Word's automatic numbering: numbering.xml's definitions and the running counters, as Word counts them."""

    def __init__(self, root):
        self.nums: dict[str, tuple[str, dict]] = {}
        self.abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        if root is None:
            return
        for a in root.iter(W + "abstractNum"):
            lv = {}
            for lvl in a.iter(W + "lvl"):
                ilvl = int(lvl.get(W + "ilvl", "0"))
                fmt = lvl.find(W + "numFmt")
                txt = lvl.find(W + "lvlText")
                st = lvl.find(W + "start")
                lv[ilvl] = (fmt.get(W + "val") if fmt is not None else "decimal",
                            txt.get(W + "val") if txt is not None else "", int(st.get(W + "val")) if st is not None else 1)
            self.abstract[a.get(W + "abstractNumId")] = lv
        for n in root.iter(W + "num"):
            a = n.find(W + "abstractNumId")
            starts = {}
            for o in n.iter(W + "lvlOverride"):
                so = o.find(W + "startOverride")
                if so is not None:
                    starts[int(o.get(W + "ilvl", "0"))] = int(so.get(W + "val"))
            self.nums[n.get(W + "numId")] = (a.get(W + "val") if a is not None else "", starts)

    def label(self, num_id: str, ilvl: int) -> tuple[str, bool]:
        """(the label Word prints, is it a bullet) for the next paragraph of this list at this level."""
        if num_id not in self.nums or num_id == "0":
            return "", False
        aid, starts = self.nums[num_id]
        levels = self.abstract.get(aid, {})
        if ilvl not in levels:
            return "", False
        fmt, text, start = levels[ilvl]
        if fmt == "bullet":
            return ("+" if text == "+" else "-"), True
        cnt = self.counters.setdefault(aid, {})
        cnt[ilvl] = cnt.get(ilvl, starts.get(ilvl, start) - 1) + 1
        for deeper in [k for k in cnt if k > ilvl]:
            del cnt[deeper]

        def sub(m):
            k = int(m.group(1)) - 1
            lf, _t, ls = levels.get(k, ("decimal", "", 1))
            return _fmt(lf, cnt.get(k, starts.get(k, ls)))

        return re.sub(r"%(\d)", sub, text), False


class _Styles:
    """Paragraph styles: heading level, bold, and numbering, following based-on chains."""

    def __init__(self, root):
        self.by_id: dict[str, object] = {}
        self._cache: dict[str, tuple] = {}
        if root is None:
            return
        for s in root.iter(W + "style"):
            self.by_id[s.get(W + "styleId")] = s

    def info(self, sid: str | None) -> tuple[int | None, bool, tuple | None]:
        if not sid:
            sid = "Normal"
        if sid in self._cache:
            return self._cache[sid]
        level, bold, num, seen = None, None, None, set()
        cur = sid
        while cur and cur not in seen:
            seen.add(cur)
            s = self.by_id.get(cur)
            if s is None:
                break
            name = s.find(W + "name")
            nm = (name.get(W + "val") if name is not None else cur).lower()
            m = re.fullmatch(r"heading\s*(\d)", nm) or re.fullmatch(r"heading(\d)", cur.lower())
            if level is None and m:
                level = int(m.group(1))
            if level is None:
                ol = s.find(f"{W}pPr/{W}outlineLvl")
                if ol is not None and ol.get(W + "val", "9").isdigit() and int(ol.get(W + "val")) < 9:
                    level = int(ol.get(W + "val")) + 1
            if bold is None:
                b = s.find(f"{W}rPr/{W}b")
                if b is not None:
                    bold = b.get(W + "val", "1") not in ("0", "false", "off")
            if num is None:
                np_ = s.find(f"{W}pPr/{W}numPr")
                if np_ is not None:
                    nid, il = np_.find(W + "numId"), np_.find(W + "ilvl")
                    num = (nid.get(W + "val") if nid is not None else None, int(il.get(W + "val")) if il is not None else 0)
            based = s.find(W + "basedOn")
            cur = based.get(W + "val") if based is not None else None
        out = (level, bool(bold), num)
        self._cache[sid] = out
        return out


def _on(el) -> bool:
    return el is not None and el.get(W + "val", "1") not in ("0", "false", "off")


_TEXT_TAGS = {W + "t", W + "tab", W + "br", W + "cr", W + "noBreakHyphen", W + "sym"}


_SKIP = {W + "del", W + "moveFrom", W + "pPr"}


def _runs(el):
    """The runs of a paragraph in order, inside insertions, links, fields and content controls, not inside deletions;
    a run's own drawing (a text box) is not descended into: a text box is read as its own paragraphs."""
    for c in el:
        tag = c.tag
        if tag == W + "r":
            yield c
        elif tag not in _SKIP and len(c):
            yield from _runs(c)


def _para_runs(p) -> tuple[str, list[bool]]:
    """The visible text (insertions kept, deletions dropped) and whether each visible run is bold."""
    parts: list[str] = []
    bolds: list[bool] = []
    for r in _runs(p):
        rpr = r.find(W + "rPr")
        if rpr is not None and _on(rpr.find(W + "vanish")):
            continue
        text = []
        for el in r:
            tag = el.tag
            if tag == W + "t":
                text.append(el.text or "")
            elif tag == W + "tab":
                text.append("\t")
            elif tag in (W + "br", W + "cr"):
                if el.get(W + "type") in (None, "textWrapping"):
                    text.append("\n")
            elif tag == W + "noBreakHyphen":
                text.append("-")
        t = "".join(text)
        if not t:
            continue
        parts.append(t)
        if t.strip():
            b = rpr.find(W + "b") if rpr is not None else None
            bolds.append(None if b is None else _on(b))
    return "".join(parts), bolds


def _cell_text(tc) -> str:
    lines = []
    for p in tc.iter(W + "p"):
        t, _b = _para_runs(p)
        lines.append(unicodedata.normalize("NFC", t).strip())
    return "\n".join(x for x in lines if x)


def _borderless(tbl, styles: _Styles) -> bool:
    """A layout table (header, signature): no visible border on the table or its style."""
    def none_all(borders) -> bool:
        return all(b.get(W + "val") in ("nil", "none") for b in borders)

    b = tbl.find(f"{W}tblPr/{W}tblBorders")
    if b is not None:
        return none_all(list(b))
    st = tbl.find(f"{W}tblPr/{W}tblStyle")
    sid = st.get(W + "val") if st is not None else None
    seen = set()
    while sid and sid not in seen:
        seen.add(sid)
        s = styles.by_id.get(sid)
        if s is None:
            break
        sb = s.find(f"{W}tblPr/{W}tblBorders")
        if sb is not None:
            return none_all(list(sb))
        based = s.find(W + "basedOn")
        sid = based.get(W + "val") if based is not None else None
    cells = tbl.findall(f".//{W}tcBorders")
    return not cells


_LAYOUT_WORDS = re.compile(r"CỘNG HÒA XÃ HỘI|CỘNG HOÀ XÃ HỘI|Nơi nhận|Độc lập\s*-\s*Tự do", re.I)


def _walk(pkg: _Package, notes: list[str]) -> WordFile:
    numbering = _Numbering(pkg.related("numbering"))
    styles = _Styles(pkg.related("styles"))
    items: list = []
    count = [0]
    body = pkg.body
    notes_by_id = _footnotes(pkg, notes)
    placed: set[str] = set()

    def para(p, layout=False):
        count[0] += 1
        if count[0] > MAX_PARAGRAPHS:
            raise NQError(f"tệp có hơn {MAX_PARAGRAPHS} đoạn; báo cáo thật không dài như vậy.")
        text, bolds = _para_runs(p)
        ppr = p.find(W + "pPr")
        sid = None
        num = None
        if ppr is not None:
            ps = ppr.find(W + "pStyle")
            sid = ps.get(W + "val") if ps is not None else None
            np_ = ppr.find(W + "numPr")
            if np_ is not None:
                nid, il = np_.find(W + "numId"), np_.find(W + "ilvl")
                num = (nid.get(W + "val") if nid is not None else None, int(il.get(W + "val")) if il is not None else 0)
        level, sbold, snum = styles.info(sid)
        if ppr is not None and ppr.find(W + "outlineLvl") is not None:
            v = ppr.find(W + "outlineLvl").get(W + "val", "9")
            if v.isdigit() and int(v) < 9:
                level = int(v) + 1
        num = num or snum
        text = unicodedata.normalize("NFC", text)
        label = ""
        if num and num[0] and text.strip():
            label, _bullet = numbering.label(num[0], num[1])
        bold = bool(bolds) and all(sbold if b is None else b for b in bolds)
        for line in text.split("\n"):
            if line.strip():
                items.append(Para(line.strip(" \xa0"), bold, level, label, layout, count[0]))
                label = ""  # the number belongs to the first line only
        # a footnote's text, as the officer wrote it, right after the paragraph that refers to it
        for fid in [x.get(W + "id") for r in _runs(p) for x in r.findall(W + "footnoteReference")]:
            if fid in notes_by_id and fid not in placed:
                placed.add(fid)
                items.append(Para(notes_by_id[fid], False, None, "", layout, count[0]))
        for box in p.iter(W + "txbxContent"):  # a text box (the DỰ THẢO stamp, a note) anchored here
            if any(a.tag.endswith("}Fallback") for a in box.iterancestors()):
                continue  # the same box again, for old Word versions
            for q in box.findall(W + "p"):
                para(q, layout=True)

    def table(tbl):
        layout = _borderless(tbl, styles) or bool(_LAYOUT_WORDS.search(
            "".join(t.text or "" for t in tbl.iter(W + "t"))[:2000]))
        if layout:
            for tr in tbl.iter(W + "tr"):
                for tc in tr.findall(W + "tc"):
                    for p in tc.iter(W + "p"):
                        para(p, layout=True)
            return
        rows = []
        for tr in tbl.findall(W + "tr"):
            row = []
            for tc in tr.findall(W + "tc"):
                tcpr = tc.find(W + "tcPr")
                span, merged = 1, False
                if tcpr is not None:
                    gs = tcpr.find(W + "gridSpan")
                    if gs is not None and gs.get(W + "val", "1").isdigit():
                        span = max(1, int(gs.get(W + "val")))
                    vm = tcpr.find(W + "vMerge")
                    merged = vm is not None and vm.get(W + "val") in (None, "continue")
                row.append(Cell(_cell_text(tc), span, merged))
            rows.append(row)
        count[0] += 1
        items.append(Table(rows, count[0]))

    def block(parent):
        for el in parent:
            if el.tag == W + "p":
                para(el)
            elif el.tag == W + "tbl":
                table(el)
            elif el.tag == W + "sdt":  # a content control (the DỰ THẢO box, a cover page): its content
                c = el.find(W + "sdtContent")
                if c is not None:
                    block(c)
            elif el.tag in (W + "ins", W + "customXml", W + "smartTag"):
                block(el)

    block(body)
    # text boxes (the DỰ THẢO stamp) are inside runs' drawings; their text is read where they stand
    for kind, target, external in pkg.rels:
        if external:
            what = {"image": "ảnh lấy từ mạng", "hyperlink": "đường liên kết"}.get(kind, "liên kết ngoài")
            if kind != "hyperlink":
                notes.append(f"Tệp có {what} ({target[:120]}); không tải về (ứng dụng chạy không cần mạng).")
    # a footnote no paragraph of the body refers to (one in a table cell, say) is kept apart: nothing is dropped
    footnotes = [t for fid, t in notes_by_id.items() if fid not in placed]
    return WordFile(items, notes, footnotes)


def _footnotes(pkg: _Package, notes: list[str]) -> dict[str, str]:
    """The footnotes' texts by id (the separators Word keeps there are not footnotes)."""
    out: dict[str, str] = {}
    try:
        froot = pkg.related("footnotes")
    except etree.XMLSyntaxError:  # a broken footnotes part loses the footnotes, not the report
        notes.append("Không đọc được phần chú thích cuối trang.")
        return out
    for fn in froot.iter(W + "footnote") if froot is not None else ():
        if fn.get(W + "type") in (None, "normal"):
            t = " ".join(_para_runs(p)[0].strip() for p in fn.iter(W + "p")).strip()
            if t:
                out[fn.get(W + "id", str(len(out)))] = unicodedata.normalize("NFC", t)
    return out
