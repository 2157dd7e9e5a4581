"""The generic form builder for every block type, on a small template written into the data folder."""

from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QCalendarWidget, QComboBox, QToolButton

from nq57desk.gui.editor.blocks import FreeSectionsEditor, ListEditor, RecordsEditor
from nq57desk.gui.editor.fields import pick_date
from nq57desk.gui.tables.tables import TableEditor

from .helpers import vtype

TEMPLATE = """
format: nq57-template/1
id: gui-thu
version: 1
title: Mẫu thử giao diện
period_kinds: [quarter]
subject: "Báo cáo thử {commune} {period}"
numbering: [roman, arabic, point]
sections:
  - key: so_lieu
    title: SỐ LIỆU
    blocks:
      - type: fields
        label: Các kiểu trường
        fields:
          - {key: co_ban_hanh, label: Đã ban hành kế hoạch, type: yesno}
          - {key: muc_do, label: Mức độ, type: choice, choices: [Tốt, Khá, Trung bình]}
          - {key: ngay_chot, label: Ngày chốt số liệu, type: date}
          - {key: kinh_phi, label: Kinh phí, type: money}
          - {key: ty_dong, label: Kinh phí (tỷ đồng), type: decimal, decimals: 3}
          - {key: so_mau, label: Số mẫu, type: integer}
          - {key: so_dat, label: Số đạt, type: integer}
          - {key: ty_le, label: Tỷ lệ đạt, type: percent, formula: "rate(so_dat, so_mau)"}
          - {key: ghi_chu_so, label: Ghi chú số liệu, type: measure}
      - type: list
        key: viec_lam
        label: Việc đã làm
      - type: assessment
        key: danh_gia
        label: Nhận xét, đánh giá
  - key: mo_hinh_sec
    title: MÔ HÌNH
    blocks:
      - type: records
        key: mo_hinh
        label: Mô hình
        item_label: mô hình
        fields:
          - {key: title, label: Tên mô hình, type: text}
          - {key: nam, label: Năm bắt đầu, type: integer}
          - {key: mo_ta, label: Mô tả, type: longtext}
      - type: free_sections
        key: muc_them
        label: Mục tự thêm
appendices:
  - key: pl1
    label: Phụ lục I
    title: Bảng có dòng tổng
    blocks:
      - type: table
        key: bang
        label: Bảng
        total_label: Tổng cộng
        columns:
          - {key: stt, label: TT, type: stt}
          - {key: ten, label: Đơn vị}
          - {key: ky_nay, label: Kỳ này, group: Số hồ sơ, type: integer, total: true}
          - {key: luy_ke, label: Lũy kế, group: Số hồ sơ, type: integer, cumulative_of: ky_nay, total: true}
        rows:
          - {key: a, cells: {ten: Bộ phận một cửa}}
          - {key: b, cells: {ten: Trực tuyến}}
"""


def _report(desk):
    (desk.data_dir / "templates" / "gui-thu.yaml").write_text(TEMPLATE, encoding="utf-8")
    return desk.create_report("gui-thu", {"kind": "quarter", "year": 2026, "number": 2})


def test_every_field_type(win, qtbot, gui_desk):
    rid = _report(gui_desk)
    win.open_report(rid)
    ed = win.editor
    ed.show_section("so_lieu")
    w = ed.ctx.widgets
    yes = w["co_ban_hanh"]
    assert isinstance(yes, QComboBox) and [yes.itemText(i) for i in range(3)] == ["", "Có", "Không"]
    yes.setCurrentIndex(1)
    choice = w["muc_do"]
    assert not choice.isEditable()
    choice.setCurrentText("Khá")
    # date: typed, or picked on the calendar
    date = w["ngay_chot"]
    date.setFocus()
    qtbot.keyClicks(date, "5/6/2026")
    assert win.session.get(("values", "ngay_chot")) == "2026-06-05"
    btn = date.parent().findChild(QToolButton)
    pick_date(date, btn)
    cal = btn.findChild(QCalendarWidget)
    cal.clicked.emit(QDate(2026, 6, 30))
    assert date.text() == "30/06/2026"
    assert win.session.get(("values", "ngay_chot")) == "2026-06-30"
    for key, text in (("kinh_phi", "1250000000"), ("ty_dong", "0,556"), ("so_mau", "12"), ("so_dat", "9")):
        w[key].setFocus()
        qtbot.keyClicks(w[key], text)
    w["ghi_chu_so"].setFocus()
    vtype(w["ghi_chu_so"], "không có")
    assert w["ty_le"].text() == "75%"
    w["so_mau"].setFocus()
    w["ty_dong"].setFocus()
    assert w["kinh_phi"].text() == "1.250.000.000"
    ed.show_section("mo_hinh_sec")
    ed.show_section("so_lieu")
    assert ed.ctx.widgets["ty_dong"].text() == "0,556"
    # list and assessment
    lst = next(x for x in ed.scroll.widget().findChildren(ListEditor))
    lst.add()
    qtbot.waitUntil(lambda: "viec_lam[1]" in ed.ctx.widgets, timeout=2000)
    vtype(ed.ctx.widgets["viec_lam[1]"], "Tập huấn kỹ năng số")
    vtype(ed.ctx.widgets["danh_gia.uu_diem"], "Chủ động")
    win.session.flush()
    v = gui_desk.document(rid)["values"]
    assert v["co_ban_hanh"] is True and v["muc_do"] == "Khá" and v["ngay_chot"] == "2026-06-30"
    assert v["kinh_phi"] == 1250000000 and v["ty_dong"] == 0.556 and v["ghi_chu_so"] == "không có"
    assert v["viec_lam"] == ["Tập huấn kỹ năng số"] and v["danh_gia"]["uu_diem"] == "Chủ động"


def test_records_free_sections_and_totals(win, qtbot, gui_desk):
    rid = _report(gui_desk)
    win.open_report(rid)
    ed = win.editor
    ed.show_section("mo_hinh_sec")
    rec = ed.scroll.widget().findChildren(RecordsEditor)[0]
    rec.add()
    qtbot.waitUntil(lambda: "mo_hinh[1].title" in ed.ctx.widgets, timeout=2000)
    vtype(ed.ctx.widgets["mo_hinh[1].title"], "Chợ 4.0")
    ed.ctx.widgets["mo_hinh[1].nam"].setFocus()
    qtbot.keyClicks(ed.ctx.widgets["mo_hinh[1].nam"], "2025")
    ed.scroll.widget().findChildren(RecordsEditor)[0].add()
    qtbot.waitUntil(lambda: "mo_hinh[2].title" in ed.ctx.widgets, timeout=2000)
    vtype(ed.ctx.widgets["mo_hinh[2].title"], "Thôn thông minh")
    ed.scroll.widget().findChildren(RecordsEditor)[0].move(1, -1)       # the second record first
    qtbot.waitUntil(lambda: ed.ctx.widgets.get("mo_hinh[1].title") is not None
                    and ed.ctx.widgets["mo_hinh[1].title"].text() == "Thôn thông minh", timeout=2000)
    fs = ed.scroll.widget().findChildren(FreeSectionsEditor)[0]
    fs.add()
    qtbot.waitUntil(lambda: "muc_them[1].title" in ed.ctx.widgets, timeout=2000)
    vtype(ed.ctx.widgets["muc_them[1].title"], "Về chuyển đổi số")      # rename = edit the title
    vtype(ed.ctx.widgets["muc_them[1].text"], "Nội dung mục.")
    ed.scroll.widget().findChildren(FreeSectionsEditor)[0].add()
    qtbot.waitUntil(lambda: "muc_them[2].title" in ed.ctx.widgets, timeout=2000)
    ed.scroll.widget().findChildren(FreeSectionsEditor)[0].remove(1)    # remove the empty one
    qtbot.waitUntil(lambda: "muc_them[2].title" not in ed.ctx.widgets, timeout=2000)
    # a fixed table with a total row and a two-level header
    ed.show_section("pl1")
    t = ed.scroll.widget().findChildren(TableEditor)[0]
    assert t.header.groups[2] == ("Số hồ sơ",) and t.header.labels[3] == "Lũy kế"
    t.table.setCurrentCell(0, 2)
    t.paste("10\t25\n5\t7\n")
    total = [t.table.item(2, c).text() for c in range(4)]
    assert total == ["", "Tổng cộng", "15", "32"]
    win.session.flush()
    v = gui_desk.document(rid)["values"]
    assert [r["title"] for r in v["mo_hinh"]] == ["Thôn thông minh", "Chợ 4.0"] and v["mo_hinh"][1]["nam"] == 2025
    assert v["muc_them"] == [{"title": "Về chuyển đổi số", "text": "Nội dung mục.", "level": 0}]
    assert v["bang"] == {"a": {"ky_nay": 10, "luy_ke": 25}, "b": {"ky_nay": 5, "luy_ke": 7}}


def test_every_block_kind_has_its_editor():
    """One widget factory per kind of the registry (nq57desk/report/kinds.py), no isinstance chain."""
    from nq57desk.gui.editor.blocks import EDITORS
    from nq57desk.report.kinds import KINDS

    assert set(EDITORS) == set(KINDS)
