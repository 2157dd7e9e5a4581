"""The form of one place of the report (a section, an appendix, the header & closing), generated from the template."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from nq57desk.gui.editor.blocks import EDITORS, HINT_STYLE, block_editor, button_row
from nq57desk.gui.editor.fields import date_input, line_input, lines_area, text_area
from nq57desk.gui.formctx import FormContext
from nq57desk.gui.guide import set_topic
from nq57desk.templates.model import Section, Template
from nq57desk.templates.numbering import number_sections

HEAD = "_head"
APPENDICES = "_appendices"
TITLE_STYLE = "font-size: 13pt; font-weight: bold; color: #12324f;"


def outline(tpl: Template) -> list[tuple[str, str, int, tuple]]:
    """(key, text shown in the tree, depth, children keys) in document order, numbered like the printed report."""
    nums = number_sections(tpl)
    out = [(HEAD, "Phần đầu & kết", 0, ())]
    if tpl.intro:
        out.append(("_intro", "Phần mở đầu", 0, ()))

    def rec(secs: tuple[Section, ...], depth: int):
        for s in secs:
            num = nums[s.key][0]
            sep = ". " if num.startswith("Phần") else " "
            out.append((s.key, f"{num}{sep}{s.title}".strip(), depth, tuple(c.key for c in s.children)))
            rec(s.children, depth + 1)

    rec(tpl.sections, 0)
    if tpl.closing:
        out.append(("_closing", "Phần kết", 0, ()))
    out.append((APPENDICES, tpl.appendix_heading or "Các phụ lục", 0, tuple(a.key for a in tpl.appendices)))
    for a in tpl.appendices:
        out.append((a.key, f"{a.label}. {a.title}" if a.title else a.label, 1, ()))
    return out


def place_of_finding(f) -> str:
    """Where a finding is edited: the header & closing page for number/date/Nơi nhận/chữ ký."""
    if f.key.startswith("header.") or f.key in ("recipients", "signature") or f.key.startswith("signature."):
        return HEAD
    return f.where


def build_form(ctx: FormContext, titles: dict[str, str]) -> QWidget:
    """One generic builder for every place of every template."""
    w = QWidget()
    lay = QVBoxLayout(w)
    lay.setContentsMargins(14, 10, 14, 14)
    lay.setSpacing(10)
    key, tpl = ctx.where, ctx.tpl
    set_topic(w, "phan-dau" if key == HEAD else "phu-luc" if key == APPENDICES or tpl.appendix(key) else "noi-dung")
    title = QLabel(ctx.fill(titles.get(key, key)))
    title.setWordWrap(True)
    title.setStyleSheet(TITLE_STYLE)
    lay.addWidget(title)
    if key == HEAD:
        header_form(ctx, lay)
    elif key == "_intro":
        _blocks(ctx, tpl.intro, lay)
    elif key == "_closing":
        _blocks(ctx, tpl.closing, lay)
    elif key == APPENDICES:
        _links(ctx, [(a.key, f"{a.label}. {ctx.fill(a.title)}" if a.title else a.label) for a in tpl.appendices], lay,
               "Chọn một phụ lục:" if tpl.appendices else "Báo cáo chưa có phụ lục.")
        acts = ctx.outline_actions
        if acts is not None:
            add = QPushButton("Thêm phụ lục…")
            add.setObjectName("addAppendixButton")
            add.clicked.connect(acts.add_appendix)
            button_row(lay, add)
    elif tpl.appendix(key) is not None:
        a = tpl.appendix(key)
        from nq57desk.render.tree import appendix_note

        note = QLabel(appendix_note(ctx.session.doc) + (" — trang ngang khi in" if a.landscape else ""))
        note.setStyleSheet("font-style: italic; " + HINT_STYLE)
        note.setWordWrap(True)
        lay.addWidget(note)
        _blocks(ctx, a.blocks, lay)
    else:
        sec = next((s for _a, s in tpl.walk_sections() if s.key == key), None)
        if sec is not None:
            _outline_bar(ctx, sec, lay)
            if sec.blocks or not sec.children:
                _blocks(ctx, sec.blocks, lay)
            if sec.children:
                _links(ctx, [(c.key, titles.get(c.key, c.title)) for c in sec.children], lay,
                       "Các mục con:" if sec.blocks else "Mục này gồm các mục con; chọn một mục để nhập:")
    lay.addStretch(1)
    return w


def _outline_bar(ctx: FormContext, sec: Section, lay: QVBoxLayout) -> None:
    """The section's own outline actions beside its form (the same as the tree's context menu)."""
    acts = getattr(ctx, "outline_actions", None)
    if acts is None:
        return
    if sec.hidden:
        t = QLabel("Mục này đang ẩn: không in trong báo cáo, số liệu trong mục được coi là «không báo cáo».")
        t.setWordWrap(True)
        t.setStyleSheet("background: #fff4d6; color: #6b4e00; padding: 4px 8px;")
        lay.addWidget(t)
    row = QHBoxLayout()
    row.setSpacing(6)

    def button(text: str, tip: str, fn, name: str) -> QPushButton:
        b = QPushButton(text)
        b.setObjectName(name)
        b.setToolTip(tip)
        b.clicked.connect(fn)
        row.addWidget(b)
        return b

    button("Đổi tên…", "Đổi tên đề mục trong báo cáo này (F2 trên cây dàn ý)", lambda: acts.rename(sec.key), "renameButton")
    button("Hiện lại mục" if sec.hidden else "Ẩn mục", "Mục không áp dụng: không in, số liệu «không báo cáo»",
           lambda: acts.toggle_hidden(sec.key), "hideButton")
    button("Thêm mục con…", "Thêm một đề mục con dưới mục này", lambda: acts.add_child(sec.key), "addChildButton")
    add = button("Thêm nội dung ▾", "Thêm đoạn văn, danh sách, văn bản, đánh giá … vào mục này", lambda: None,
                 "addBlockButton")
    add.clicked.disconnect()
    add.clicked.connect(lambda: acts.add_menu(sec.key, add).exec(add.mapToGlobal(add.rect().bottomLeft())))
    if sec.blocks:
        button("Chuyển nội dung…", "Chuyển một đoạn, một khối sang mục khác", lambda: acts.move_block(sec.key),
               "moveBlockButton")
    if sec.added:
        button("Xóa mục…", "Xóa mục tự thêm này", lambda: acts.remove(sec.key), "removeButton")
    row.addStretch(1)
    lay.addLayout(row)


def _blocks(ctx: FormContext, blocks, lay: QVBoxLayout) -> None:
    if not blocks:
        t = QLabel("Mục này không có nội dung cần nhập.")
        t.setStyleSheet(HINT_STYLE)
        lay.addWidget(t)
    for b in blocks:
        ed = block_editor(ctx, b)
        if ed is not None:
            lay.addWidget(_topic_of_block(ed, b))


def _topic_of_block(ed: QWidget, b) -> QWidget:
    """F1 in a table opens the guide at tables, in figures at figures and checks (nq57desk.gui.guide)."""
    topic = EDITORS.get(b.kind, (None, None))[1]
    return set_topic(ed, topic) if topic else ed


def _links(ctx: FormContext, items: list[tuple[str, str]], outer: QVBoxLayout, lead: str) -> None:
    t = QLabel(lead)
    t.setStyleSheet(HINT_STYLE)
    outer.addWidget(t)
    lay = QVBoxLayout()
    lay.setSpacing(0)
    outer.addLayout(lay)
    for key, text in items:
        b = QPushButton(ctx.fill(text) if len(text) <= 110 else ctx.fill(text)[:107] + "…")
        b.setToolTip(ctx.fill(text))
        b.setFlat(True)
        b.setStyleSheet("text-align: left; color: #0b57a4; padding: 3px;")
        b.setCursor(Qt.PointingHandCursor)
        b.clicked.connect(lambda _=False, k=key: ctx.navigate(k))
        lay.addWidget(b)


def _row(grid: QGridLayout, r: int, label: str, w: QWidget, hint: str = "") -> None:
    lab = QLabel(label)
    lab.setBuddy(w)
    grid.addWidget(lab, r, 0, Qt.AlignTop if hint or w.sizeHint().height() > 40 else Qt.AlignVCenter)
    if hint:
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(2)
        v.addWidget(w)
        h = QLabel(hint)
        h.setWordWrap(True)
        h.setStyleSheet(HINT_STYLE)
        v.addWidget(h)
        grid.addWidget(box, r, 1)
    else:
        grid.addWidget(w, r, 1)


def header_form(ctx: FormContext, lay: QVBoxLayout) -> None:
    """Số, ngày, nơi, cơ quan, Kính gửi, trích yếu; Nơi nhận; chữ ký."""
    head = QGroupBox("Phần đầu văn bản")
    g = QGridLayout(head)
    g.setColumnStretch(1, 1)
    _row(g, 0, "Cơ quan ban hành", lines_area(ctx, ("header", "issuer"), "header.issuer", "Cơ quan ban hành"),
         "Mỗi dòng một dòng in đậm, ví dụ «ỦY BAN NHÂN DÂN» rồi «XÃ TÂN CƯƠNG».")
    num = QWidget()
    h = QHBoxLayout(num)
    h.setContentsMargins(0, 0, 0, 0)
    n = line_input(ctx, "text", ("header", "number"), "header.number", "Số văn bản", blank="")
    n.setMaximumWidth(90)
    n.setToolTip("Để trống khi còn là bản nháp (in «Số:      /BC-UBND»).")
    sym = line_input(ctx, "text", ("header", "symbol"), "header.symbol", "Ký hiệu", blank="")
    sym.setMaximumWidth(140)
    h.addWidget(QLabel("Số:"))
    h.addWidget(n)
    h.addWidget(QLabel("/"))
    h.addWidget(sym)
    h.addStretch(1)
    _row(g, 1, "Số, ký hiệu", num)
    _row(g, 2, "Địa danh", line_input(ctx, "text", ("header", "place"), "header.place", "Địa danh", blank=""))
    _row(g, 3, "Ngày báo cáo", date_input(ctx, ("header", "date"), "header.date", "Ngày báo cáo", ftype="reportdate"),
         "Để trống khi chưa ký (in «ngày … tháng … năm …»); chỉ gõ tháng/năm, ví dụ 5/2026, để ghi tay ngày khi ký.")
    kg = QWidget()
    v = QVBoxLayout(kg)
    v.setContentsMargins(0, 0, 0, 0)
    has = QCheckBox("Báo cáo có dòng «Kính gửi»")
    cur = ctx.session.get(("header", "kinh_gui"))
    has.setChecked(cur is not None)
    area = lines_area(ctx, ("header", "kinh_gui"), "header.kinh_gui", "Kính gửi", strip_dash=True)
    area.setEnabled(cur is not None)

    def toggled(on: bool):
        area.setEnabled(on)
        ctx.session.set(("header", "kinh_gui"), ([] if on else None))
        if on:
            area.setPlainText("")
            area.setFocus()

    has.toggled.connect(toggled)
    v.addWidget(has)
    v.addWidget(area)
    _row(g, 4, "Kính gửi", kg)
    _row(g, 5, "Trích yếu", text_area(ctx, ("header", "subject"), "header.subject", "Trích yếu", blank="", min_lines=2))
    lay.addWidget(head)

    end = QGroupBox("Phần kết văn bản")
    g2 = QGridLayout(end)
    g2.setColumnStretch(1, 1)
    _row(g2, 0, "Nơi nhận", lines_area(ctx, ("recipients",), "recipients", "Nơi nhận", strip_dash=True, min_lines=3),
         "Mỗi dòng một nơi nhận, không cần gõ dấu «-»; dòng cuối là «Lưu: VT, …».")
    _row(g2, 1, "Thẩm quyền ký", lines_area(ctx, ("signature", "lines"), "signature.lines", "Thẩm quyền ký"),
         "Ví dụ: «TM. ỦY BAN NHÂN DÂN», «KT. CHỦ TỊCH», «PHÓ CHỦ TỊCH».")
    _row(g2, 2, "Người ký", line_input(ctx, "text", ("signature", "name"), "signature", "Người ký", blank=""))
    lay.addWidget(end)
    sep = QFrame()
    sep.setFrameShape(QFrame.NoFrame)
    lay.addWidget(sep)
