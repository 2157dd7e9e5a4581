"""Print preview, printing and PDF: the pages follow the DOCX (signature block kept together, justified body,
DỰ THẢO on every page of a draft, merged header cells, appendix headings), and a PDF is written safely."""

from __future__ import annotations

import contextlib
import copy
import errno
import os
import re
import shutil
import subprocess
import tempfile

import pytest
from PySide6.QtCore import Qt, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QPdfWriter
from PySide6.QtPrintSupport import QPrinter

from nq57desk.errors import NQError
from nq57desk.gui.printout import printing
from nq57desk.gui.printout.printlayout import Measured, new_doc, paginate, text_widths_mm
from nq57desk.render.html import parts
from nq57desk.render.tree import build
from tests.conftest import GOLDEN
from tests.gui.helpers import golden

POPPLER = bool(shutil.which("pdfinfo") and shutil.which("pdftotext"))
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils not installed")


@pytest.fixture
def writer(qapp, tmp_path):
    w = QPdfWriter(str(tmp_path / "layout.pdf"))
    w.setResolution(printing.RESOLUTION)
    return w


@pytest.fixture
def qt_warnings(qapp):
    seen: list[str] = []

    def handler(kind, _ctx, msg):
        if kind in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg):
            seen.append(msg)

    old = qInstallMessageHandler(handler)
    yield seen
    qInstallMessageHandler(old)


def pages_of(writer, tpl, doc):
    return paginate(writer, printing.RESOLUTION, parts(build(tpl, doc), text_widths_mm()))


def pdf_page_texts(path) -> list[str]:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    n = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    return [subprocess.run(["pdftotext", "-f", str(i), "-l", str(i), str(path), "-"], capture_output=True, text=True,
                           check=True).stdout for i in range(1, n + 1)]


# -- the PDF and the printer ---------------------------------------------------------------------------------------

def test_pdf_has_every_page_and_the_report_text(qapp, tmp_path, tan_cuong):
    tpl, doc = tan_cuong
    out = tmp_path / "bao-cao.pdf"
    pages = printing.export_pdf(tpl, doc, out)
    assert pages == 23  # as LibreOffice lays out the DOCX of the Tân Cương report
    assert out.read_bytes().startswith(b"%PDF")
    assert [p.name for p in tmp_path.iterdir()] == ["bao-cao.pdf"]  # no temp file left beside it
    if POPPLER:
        texts = pdf_page_texts(out)
        assert len(texts) == pages
        assert "BÁO CÁO" in texts[0] and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in texts[0]


def test_printer_gets_the_same_pages_without_layout_warnings(qapp, tmp_path, tan_cuong, qt_warnings):
    """A printer cannot change orientation mid-job: landscape appendices are turned, not refused."""
    tpl, doc = tan_cuong
    pdf_pages = printing.export_pdf(tpl, doc, tmp_path / "a.pdf")
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printer.pdf"))
    pages = printing.paint_report(printer, tpl, doc)
    assert pages == pdf_pages
    assert not [w for w in qt_warnings if "setPageLayout" in w or "active" in w], qt_warnings
    if POPPLER:
        sizes = subprocess.run(["pdfinfo", "-f", "1", "-l", str(pages), str(tmp_path / "printer.pdf")],
                               capture_output=True, text=True, check=True).stdout
        assert "landscape" not in sizes.lower() and sizes.count("595") >= pages  # every sheet A4 portrait


def test_landscape_pages_where_the_docx_has_landscape_sections(writer, tan_cuong):
    tpl, doc = tan_cuong
    pages = pages_of(writer, tpl, doc)
    tree = build(tpl, doc)
    starts = [i for i, p in enumerate(pages) if any(pc.flow.mark == "appendix_label" for pc in p.pieces)]
    assert len(starts) == len(tree.appendices) == 10  # each appendix on a new page
    assert [pages[i].landscape for i in starts] == [a.landscape for a in tree.appendices]
    assert not any(p.landscape for p in pages[:starts[0]])  # the report itself is portrait (no wide table)


# -- page breaks --------------------------------------------------------------------------------------------------

EXTRA = " Đồng thời đề nghị tăng cường hỗ trợ kinh phí đào tạo kỹ năng số cho người dân trên địa bàn xã."


def _where(pages, text: str) -> list[int]:
    return [i for i, p in enumerate(pages) if text in p.text()]


def test_signature_block_stays_with_the_last_paragraph_at_every_length(writer):
    """Lengthening the last section of report 000 line by line moves the page break through the end of the
    report: "TM. ỦY BAN…", the signer's name and Nơi nhận are always on one page, with the last paragraph."""
    tpl, doc0 = golden("000_an_truong.json")
    counts = set()
    for k in range(30):
        doc = copy.deepcopy(doc0)
        doc["values"]["kien_nghi_text"] += EXTRA * k
        pages = pages_of(writer, tpl, doc)
        counts.add(len(pages))
        closing = [i for i, p in enumerate(pages) if any(pc.flow.mark == "closing" for pc in p.pieces)]
        last = [i for i, p in enumerate(pages) if any(pc.flow.mark == "last" for pc in p.pieces)]
        assert len(closing) == 1, (k, closing)
        assert _where(pages, "TM. ỦY BAN NHÂN DÂN") == _where(pages, "Vũ Trọng Dũng") == _where(pages, "Nơi nhận:") \
            == closing, k
        assert last[-1] == closing[0], (k, last, closing)  # the end of the last paragraph goes with it
        assert len(pages[closing[0]].pieces) >= 2  # never the closing alone on a page
    assert len(counts) >= 2  # the lengths did push the closing across a page break


@needs_poppler
@pytest.mark.parametrize("k", [3, 4, 11, 12])
def test_signature_block_together_in_the_pdf(qapp, tmp_path, k):
    tpl, doc = golden("000_an_truong.json")
    doc["values"]["kien_nghi_text"] += EXTRA * k
    printing.export_pdf(tpl, doc, tmp_path / "r.pdf")
    texts = pdf_page_texts(tmp_path / "r.pdf")
    tm = [i for i, t in enumerate(texts) if "TM. ỦY BAN" in t]
    name = [i for i, t in enumerate(texts) if "Vũ Trọng Dũng" in t]
    noi = [i for i, t in enumerate(texts) if "Nơi nhận" in t]
    assert tm == name == noi and len(tm) == 1
    assert "Trên đây là báo cáo" in texts[tm[0]] or "trên địa bàn./." in texts[tm[0]]


@pytest.mark.parametrize("name", list(GOLDEN))
def test_no_heading_at_the_foot_of_a_page_and_no_row_split(writer, name):
    """Keep-with-next as in the DOCX; a table row never splits, a continued table repeats its header rows."""
    tpl, doc = golden(name)
    pages = pages_of(writer, tpl, doc)
    for i, page in enumerate(pages[:-1]):
        last = page.pieces[-1].flow
        nxt = pages[i + 1]
        if not nxt.pieces[0].flow.new_page and pages[i + 1].landscape == page.landscape:
            assert not (last.keep_next and not last.split), (name, i, last.mark, page.text()[-80:])
    for page in pages:
        for pc in page.pieces:
            if pc.flow.is_table:
                assert pc.top == 0  # every piece of a table starts with its header rows
                assert abs(pc.bottom - pc.doc.documentLayout().documentSize().height()) < 1  # whole rows only


@pytest.mark.parametrize("name", list(GOLDEN))
def test_paragraphs_break_with_two_lines_each_side(writer, name):
    """Widow and orphan control as Word's: a paragraph split by a page keeps at least two lines on each page."""
    tpl, doc = golden(name)
    line_h = 14 * 2355 / 2048 * 1.15 * printing.RESOLUTION / 72  # a body line: TNR single × 1.15
    split = 0
    for page in pages_of(writer, tpl, doc):
        for pc in page.pieces:
            height = pc.doc.documentLayout().documentSize().height()
            if pc.flow.split and (pc.top > 0 or pc.bottom < height - 1):
                split += 1
                assert pc.bottom - pc.top >= 2 * line_h - 2, (pc.flow.mark, (pc.bottom - pc.top) / line_h)
    assert split >= 2


# -- what the pages look like --------------------------------------------------------------------------------------

def test_body_paragraphs_are_justified(writer, tan_cuong):
    tpl, doc = tan_cuong
    body = [f for p in parts(build(tpl, doc)) for f in p.flows if f.split]
    assert len(body) > 50 and all('align="justify"' in f.html for f in body)
    d = new_doc(body[0].html, writer, 1900)
    assert d.firstBlock().blockFormat().alignment() & Qt.AlignmentFlag.AlignJustify
    assert d.firstBlock().blockFormat().textIndent() == pytest.approx(36 * printing.RESOLUTION / 72, abs=1)


@needs_poppler
def test_justified_lines_reach_the_right_margin_in_the_pdf(qapp, tmp_path):
    tpl, doc = golden("000_an_truong.json")
    printing.export_pdf(tpl, doc, tmp_path / "r.pdf")
    html = subprocess.run(["pdftotext", "-f", "2", "-l", "2", "-bbox-layout", str(tmp_path / "r.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    right = (210 - 15) / 25.4 * 72
    full = 0
    for block in re.findall(r"<block .*?</block>", html, re.S):
        ends = [float(x) for x in re.findall(r'<line xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)"', block)]
        for x in ends[:-1]:  # every line of a paragraph but its last ends at the right margin
            assert abs(x - right) < 1.5, (x, right)
            full += 1
    assert full > 20


@needs_poppler
def test_draft_mark_on_every_page_of_a_draft_and_none_when_finished(qapp, tmp_path, tan_cuong):
    tpl, doc = tan_cuong
    printing.export_pdf(tpl, doc, tmp_path / "draft.pdf")
    texts = pdf_page_texts(tmp_path / "draft.pdf")
    assert len(texts) > 20 and all("DỰ THẢO" in t for t in texts)
    done = copy.deepcopy(doc)
    done["status"] = "done"
    done["header"].update(number="7", date="2026-01-05")
    printing.export_pdf(tpl, done, tmp_path / "done.pdf")
    texts = pdf_page_texts(tmp_path / "done.pdf")
    assert not any("DỰ THẢO" in t for t in texts)
    assert "Số: 07/BC-UBND" in texts[0]
    appendix = next(t for t in texts if "CÁC PHỤ LỤC CHI TIẾT" in t)
    assert "(Kèm theo Báo cáo số 07/BC-UBND ngày 05/01/2026 của UBND xã Tân Cương)" in " ".join(appendix.split())


def test_merged_header_cells_span_their_columns(writer, tan_cuong):
    """"Nhóm PAKN/SKGP xuất hiện nhiều" spans two columns: it gets both widths and its words stay whole."""
    tpl, doc = tan_cuong
    flows = [f for p in parts(build(tpl, doc)) for f in p.flows if f.is_table and "PAKN/SKGP" in f.head]
    assert flows
    for f in flows:
        for cell in re.findall(r'<th colspan="(\d+)"[^>]*width="([\d.]+)"', f.head):
            assert float(cell[1]) > 0
        d = Measured(f, writer, 1948).doc
        b = d.begin()
        while b.isValid():
            text = b.text()
            if text.startswith(("Nhóm PAKN", "PAKN/SKGP")):
                lay = b.layout()
                pieces = [text[lay.lineAt(i).textStart():lay.lineAt(i).textStart() + lay.lineAt(i).textLength()]
                          for i in range(lay.lineCount())]
                words = set(text.split())
                assert all(p.strip() == "" or set(p.split()) <= words for p in pieces), pieces  # no word broken
                assert lay.lineCount() <= 4, pieces
            b = b.next()
    merged = re.search(r'<th colspan="2" rowspan="1" width="([\d.]+)"[^>]*>.*?Nhóm PAKN', flows[0].head)
    widths = [float(w) for w in re.findall(r'<th colspan="1" rowspan="1" width="([\d.]+)"', flows[0].head)]
    assert merged and float(merged.group(1)) == pytest.approx(sum(widths[:2]), abs=0.02)


def test_appendix_headings_as_in_the_docx(qapp, tmp_path, tan_cuong):
    """"1. Phụ lục I" bold, the title bold uppercase on its own line, the italic note: the DOCX's lines, in order."""
    from docx import Document

    from nq57desk.render.docx import export_docx

    tpl, doc = tan_cuong
    export_docx(tpl, doc, tmp_path / "r.docx")
    paras = [p for p in Document(tmp_path / "r.docx").paragraphs if p.text.strip()]
    start = next(i for i, p in enumerate(paras) if p.text == "CÁC PHỤ LỤC CHI TIẾT")
    docx_heads = [(p.text, bool(p.runs[0].bold), bool(p.runs[0].italic)) for p in paras[start:]
                  if p.alignment == 1 and (p.text.startswith(("CÁC PHỤ LỤC", "(Kèm theo")) or re.match(r"\d+\. Phụ lục", p.text)
                                           or p.text.isupper())]
    flows = [f for p in parts(build(tpl, doc)) for f in p.flows if f.mark.startswith("appendix_")]
    html_heads = [(re.sub(r"<[^>]+>", "", f.html).strip(), "<b>" in f.html, "<i>" in f.html) for f in flows]
    assert html_heads[:3] == [("CÁC PHỤ LỤC CHI TIẾT", True, False),
                              (docx_heads[1][0], False, True), ("1. Phụ lục I", True, False)]
    assert html_heads[3] == ("CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH, HIỆU QUẢ ĐEM LẠI", True, False)
    labels = [h for h in html_heads if re.match(r"\d+\. Phụ lục", h[0])]
    assert len(labels) == len(build(tpl, doc).appendices) == 10
    assert [h for h in html_heads if h[0] in {d[0] for d in docx_heads}] == \
        [d for d in docx_heads if d[0] in {h[0] for h in html_heads}]


# -- safe PDF writing ---------------------------------------------------------------------------------------------

@pytest.fixture
def own_tmp(tmp_path, monkeypatch):
    """The local temporary folder export_pdf works in, to see that it is cleaned up."""
    t = tmp_path / "tmp"
    t.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(t))
    return t


def test_full_disk_while_copying_leaves_no_file_and_says_so(qapp, tmp_path, tan_cuong, monkeypatch, own_tmp):
    tpl, doc = tan_cuong
    out = tmp_path / "usb"
    out.mkdir()
    (out / "old.pdf").write_bytes(b"%PDF old report")
    from nq57desk.safety import atomic

    def full(_fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", full)
    for name in ("new.pdf", "old.pdf"):
        with pytest.raises(NQError) as e:
            printing.export_pdf(tpl, doc, out / name)
        assert "ổ đĩa đã đầy" in str(e.value) and "No space" not in str(e.value) and "Tệp chưa được lưu" in str(e.value)
    assert sorted(p.name for p in out.iterdir()) == ["old.pdf"] and (out / "old.pdf").read_bytes() == b"%PDF old report"
    assert list(own_tmp.iterdir()) == []


def test_unknown_os_error_is_still_vietnamese(qapp, tmp_path, tan_cuong, monkeypatch, own_tmp):
    tpl, doc = tan_cuong
    from nq57desk.bundle import safefile

    def odd(*_a, **_k):
        raise OSError(4242, "File name too odd")  # an errno without Vietnamese wording

    monkeypatch.setattr(safefile, "copy_verified", odd)
    with pytest.raises(NQError) as e:
        printing.export_pdf(tpl, doc, tmp_path / "x.pdf")
    assert "File name" not in str(e.value) and "mã lỗi 4242" in str(e.value)


def test_copy_that_reads_back_different_is_not_kept(qapp, tmp_path, tan_cuong, monkeypatch, own_tmp):
    tpl, doc = tan_cuong
    from nq57desk.safety import atomic

    monkeypatch.setattr(atomic, "sha256_file", lambda _p: "0" * 64)
    with pytest.raises(NQError, match="không khớp"):
        printing.export_pdf(tpl, doc, tmp_path / "x.pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tmp"] and list(own_tmp.iterdir()) == []


def test_truncated_pdf_from_the_writer_is_refused(qapp, tmp_path, tan_cuong, monkeypatch, own_tmp):
    """QPdfWriter says nothing when the local disk fills: the checks (%%EOF, every page) catch it."""
    tpl, doc = tan_cuong
    real = printing.write_pdf

    def truncated(tree, path):
        pages = real(tree, path)
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
        return pages

    monkeypatch.setattr(printing, "write_pdf", truncated)
    with pytest.raises(NQError, match="đầy đủ"):
        printing.export_pdf(tpl, doc, tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists() and list(own_tmp.iterdir()) == []

    def one_page_short(tree, path):
        return real(tree, path) + 1

    monkeypatch.setattr(printing, "write_pdf", one_page_short)
    with pytest.raises(NQError):
        printing.export_pdf(tpl, doc, tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


@contextlib.contextmanager
def tiny_tmpfs(path, size="100k"):
    path.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True)
    if r.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield path
    finally:
        subprocess.run(["umount", str(path)], capture_output=True)


@pytest.mark.skipif(os.name != "posix" or not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("mount"),
                    reason="a real full disk needs root to mount a tiny tmpfs")
def test_real_full_disk(qapp, tmp_path, tan_cuong, own_tmp):
    tpl, doc = tan_cuong
    with tiny_tmpfs(tmp_path / "usb") as usb:
        with pytest.raises(NQError, match="ổ đĩa đã đầy"):
            printing.export_pdf(tpl, doc, usb / "bao-cao.pdf")
        assert list(usb.iterdir()) == []
    with tiny_tmpfs(tmp_path / "localtmp") as local, pytest.MonkeyPatch.context() as mp:
        mp.setattr(tempfile, "tempdir", str(local))  # the local temp folder itself is full
        with pytest.raises(NQError, match="đầy"):
            printing.export_pdf(tpl, doc, tmp_path / "out.pdf")
        assert not (tmp_path / "out.pdf").exists() and list(local.iterdir()) == []


@pytest.mark.libreoffice
def test_pdf_pages_match_libreoffice(qapp, tmp_path):
    """Each golden report: as many pages as LibreOffice makes of the DOCX, with the same orientations."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice or not POPPLER:
        pytest.skip("LibreOffice or poppler-utils not installed")
    from nq57desk.render.docx import export_docx

    def orientations(pdf):
        out = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True,
                             check=True).stdout
        return [float(w) > float(h) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", out)]

    for name in GOLDEN:
        tpl, doc = golden(name)
        stem = name.split(".")[0]
        export_docx(tpl, doc, tmp_path / f"{stem}.docx")
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                        "--outdir", str(tmp_path / "lo"), str(tmp_path / f"{stem}.docx")], check=True,
                       capture_output=True, timeout=180)
        printing.export_pdf(tpl, doc, tmp_path / f"{stem}.pdf")
        assert orientations(tmp_path / f"{stem}.pdf") == orientations(tmp_path / "lo" / f"{stem}.pdf"), name
