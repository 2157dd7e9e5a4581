"""«Tổng hợp cấp trên»: the real page, offscreen; results checked through the core (the store, the files)."""

from __future__ import annotations

import copy
import json

import openpyxl
import pytest

from nq57desk.bundle.package import bundle_filename
from nq57desk.bundle.writer import write_bundle
from nq57desk.report.document import loads
from nq57desk.units import commune_dict, communes
from tests.conftest import REPORTS
from tests.helpers.keys import TEST_KEY, trust


@pytest.fixture
def inbox(tmp_path, gui_desk):
    """Bundles of the golden report 003 (Thái Nguyên) for four communes, whose keys the upper level knows."""
    trust(gui_desk)
    return _inbox(tmp_path, gui_desk)


def _inbox(tmp_path, gui_desk):
    doc = loads((REPORTS / "003_phu_thinh.json").read_bytes())
    tpl = gui_desk.template(doc["template"]["id"], doc["template"]["version"])
    folder = tmp_path / "usb"
    folder.mkdir()
    for u in communes("19")[:4]:
        d = copy.deepcopy(doc)
        d["commune"] = commune_dict(u.code)
        write_bundle(tpl, d, folder / bundle_filename(d), key=TEST_KEY, app_version="test")
    (folder / "ghi_chu.txt").write_text("ghi chú của văn thư", encoding="utf-8")
    return folder, tpl, doc


@pytest.fixture
def page(qtbot, qapp, gui_desk, dialogs):
    from nq57desk.gui.shell.app import setup_app
    from nq57desk.gui.upper.page import UpperPage

    setup_app(qapp)
    p = UpperPage()
    qtbot.addWidget(p)
    p.resize(1366, 700)
    p.show()
    qtbot.waitExposed(p)
    p.set_desk(gui_desk)
    return p


def _wait(qtbot, page):
    qtbot.waitUntil(lambda: not page.busy, timeout=60_000)


def _rows(table) -> list[list[str]]:
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


def test_import_shows_lines_and_completeness(qtbot, page, inbox, gui_desk, monkeypatch):
    folder, _tpl, doc = inbox
    assert page.province.currentData() == "19"  # the profile's province (Xã Tân Cương)
    assert not page.b_xlsx.isEnabled() and page.empty.isVisible()
    monkeypatch.setattr(page, "ask_import_paths", lambda kind: [str(folder)] if kind == "folder" else [])
    with qtbot.waitSignal(page.imported, timeout=60_000) as sig:
        page.act_import_folder.trigger()
    _wait(qtbot, page)
    res = sig.args[0]
    assert [ln.status for ln in res.lines].count("accepted") == 4 and page.tabs.currentIndex() == 1
    lines = _rows(page.lines)
    assert len(lines) == 5 and sum(r[0] == "Đã nhận" for r in lines) == 4
    assert any(r[0] == "Bỏ qua" and r[1].endswith("ghi_chu.txt") for r in lines)
    # the store has them; the completeness table shows every commune of the province
    tid, per = doc["template"]["id"], "2026-T04"
    assert page.selected_group() == (tid, per)
    assert page.communes.rowCount() == len(communes("19"))
    done = [r for r in _rows(page.communes) if r[3] != "Chưa nộp"]
    assert len(done) == 4 and all(r[5] == "Nháp" for r in done)
    assert "92 xã" in page.counts.text() and "chưa nộp 88" in page.counts.text()
    from nq57desk.gui.upper.page import STATUS_FILTER

    page.status.setCurrentIndex([k for k, _t in STATUS_FILTER].index("missing"))
    assert page.communes.rowCount() == 88
    assert {c.status for c in gui_desk.upper().completeness(tid, per, "19")} <= {"submitted", "late", "missing"}
    # the same folder again: duplicates, nothing new
    with qtbot.waitSignal(page.imported, timeout=60_000) as sig:
        page.act_import_folder.trigger()
    _wait(qtbot, page)
    assert [ln.status for ln in sig.args[0].lines].count("duplicate") == 4


def test_preview_stores_nothing(qtbot, page, inbox, gui_desk, monkeypatch):
    folder, _tpl, _doc = inbox
    files = sorted(str(p) for p in folder.glob("*.xlsx"))[:2]
    monkeypatch.setattr(page, "ask_import_paths", lambda kind: files)
    page.act_preview_files.trigger()
    _wait(qtbot, page)
    assert page.last_result.dry_run and [r[0] for r in _rows(page.lines)] == ["Đã nhận", "Đã nhận"]
    assert gui_desk.upper().groups() == [] and page.template.count() == 0


def test_cancel_stops_between_files(qtbot, page, inbox, gui_desk, monkeypatch):
    folder, _tpl, _doc = inbox
    from nq57desk.upper import Upper

    real = Upper.import_bundles

    def cancel_after_first(self, paths, **kw):
        inner = kw["progress"]

        def progress(i, n, name):
            inner(i, n, name)
            if i == 1:
                page.cancel()  # «Hủy» pressed while the second file is read

        kw["progress"] = progress
        return real(self, paths, **kw)

    monkeypatch.setattr(Upper, "import_bundles", cancel_after_first)
    page.start_import(paths=[str(folder)])
    _wait(qtbot, page)
    res = page.last_result
    assert res.cancelled and [ln.status for ln in res.lines][:2] == ["accepted", "accepted"]
    assert sum(g.reports for g in gui_desk.upper().groups()) == 2
    assert "Đã hủy" in page.summary.text()


def test_export_workbook_docx_and_csv(qtbot, page, inbox, gui_desk, tmp_path, dialogs, monkeypatch):
    folder, _tpl, doc = inbox
    page.start_import(paths=[str(folder)])
    _wait(qtbot, page)
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr(page, "ask_save_path", lambda kind: str(out / f"tong-hop.{kind}"))
    for b in (page.b_xlsx, page.b_docx, page.b_csv):
        assert b.isEnabled()
        with qtbot.waitSignal(page.exported, timeout=60_000):
            b.click()
        _wait(qtbot, page)
    assert sorted(p.name for p in out.iterdir()) == ["tong-hop.csv", "tong-hop.docx", "tong-hop.xlsx"]
    # through the core: the workbook's hidden data lists exactly the communes the store uses
    wb = openpyxl.load_workbook(out / "tong-hop.xlsx")
    data = json.loads("".join(r[0] for r in wb["_data"].iter_rows(values_only=True) if r[0]))
    group = gui_desk.upper().group(doc["template"]["id"], "2026-T04", "19")
    assert data["communes"] == [s.commune["code"] for s in group.submissions] and len(data["communes"]) == 4
    assert sum(1 for c in data["completeness"] if c["status"] == "missing") == len(communes("19")) - 4
    assert [d for d in dialogs.seen if d[0] == "info"][-1][2].startswith("Đã ghi:")


def test_an_export_that_fails_says_why(qtbot, page, inbox, tmp_path, dialogs, monkeypatch):
    folder, _tpl, _doc = inbox
    page.start_import(paths=[str(folder)])
    _wait(qtbot, page)
    monkeypatch.setattr(page, "ask_save_path", lambda kind: str(tmp_path / "khong-co" / "o.xlsx"))
    page.b_xlsx.click()
    _wait(qtbot, page)
    kind, title, text, _detail = dialogs.seen[-1]
    assert kind == "error" and title == "Xuất bảng tổng hợp Excel" and "thư mục" in text


def test_the_window_switches_to_the_upper_level_and_back(win, qtbot, gui_desk, inbox, monkeypatch):
    folder, _tpl, _doc = inbox
    assert win.act["actUpper"].isEnabled()
    win.act["actUpper"].trigger()
    assert win.stack.currentWidget() is win.upper and not win.act["actUpper"].isEnabled()
    assert not win.act["actExportDocx"].isEnabled()
    monkeypatch.setattr(win.upper, "ask_import_paths", lambda kind: [str(folder)])
    win.upper.act_import_folder.trigger()
    assert win.upper.busy
    win.go_home()  # refused while the import runs
    assert win.stack.currentWidget() is win.upper
    _wait(qtbot, win.upper)
    win.upper.b_home.click()
    assert win.stack.currentWidget() is win.home and win.act["actUpper"].isEnabled()


def test_periods_read_as_words_and_the_kỳ_box_is_not_cut(qtbot, page, inbox, monkeypatch):
    from nq57desk.report.document import period_title

    folder, _tpl, doc = inbox
    monkeypatch.setattr(page, "ask_import_paths", lambda kind: [str(folder)] if kind == "folder" else [])
    with qtbot.waitSignal(page.imported, timeout=60_000):
        page.act_import_folder.trigger()
    _wait(qtbot, page)
    label = period_title(doc["period"])
    assert {r[3] for r in _rows(page.lines) if r[0] == "Đã nhận"} == {label}  # not the code «2026-T04»
    assert page.period.currentText().startswith(label)
    page.period.addItem("6 tháng đầu năm 2026 (92 xã)", "2026-H1")  # the longest kind of label
    qtbot.waitUntil(lambda: page.period.width() >= page.period.fontMetrics().horizontalAdvance(
        "6 tháng đầu năm 2026 (92 xã)"))


def test_a_communes_first_bundle_waits_until_its_key_is_confirmed(qtbot, page, tmp_path, gui_desk, monkeypatch,
                                                                 dialogs):
    """No key registry: the bundles are stored but held; the officer confirms one commune's key after the phone
    call (the dialog shows the code), and that commune counts at once."""
    from nq57desk.bundle.signing import fingerprint, public_key_text

    folder, _tpl, doc = _inbox(tmp_path, gui_desk)
    monkeypatch.setattr(page, "ask_import_paths", lambda kind: [str(folder)])
    with qtbot.waitSignal(page.imported, timeout=60_000):
        page.act_import_folder.trigger()
    _wait(qtbot, page)
    held = _rows(page.held)
    assert len(held) == 4 and all(r[4] == "khóa lạ — chờ xác nhận" for r in held)
    assert page.tabs.tabText(2) == "Chờ xác nhận (4)" and not page.b_confirm.isEnabled()
    assert page.selected_group() is None  # nothing usable yet
    page.held.selectRow(0)
    assert page.b_confirm.isEnabled()
    code = fingerprint(public_key_text(TEST_KEY))
    page.b_confirm.click()
    assert dialogs.seen[-1][0] == "ask" and code in dialogs.seen[-1][2]
    assert len(_rows(page.held)) == 3
    assert page.selected_group() == (doc["template"]["id"], "2026-T04")
    assert sum(r[3] != "Chưa nộp" for r in _rows(page.communes)) == 1


def test_the_profile_shows_the_key_code(qtbot, qapp, gui_desk, dialogs):
    from nq57desk.gui.dialogs.profile import ProfileDialog

    d = ProfileDialog(gui_desk)
    qtbot.addWidget(d)
    assert gui_desk.key_fingerprint() in d.key_code.text()
