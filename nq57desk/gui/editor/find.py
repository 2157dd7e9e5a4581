"""Find across every text and value of the report (diacritics and case ignored), then jump to the field."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QListWidget, QListWidgetItem, QPushButton

from nq57desk.gui.editor.forms import HEAD
from nq57desk.gui.qtutil import child, load_ui
from nq57desk.gui.textwidgets import install_vi_menus
from nq57desk.gui.values import display
from nq57desk.report.kinds import Shown, function, value
from nq57desk.vn import fold


@dataclass(frozen=True)
class Entry:
    where: str
    key: str
    label: str
    text: str


@dataclass(frozen=True)
class Hit:
    entry: Entry
    start: int
    length: int


def entries(session) -> list[Entry]:
    """Everything the officer can see in the forms, as shown there (so a position is a cursor position)."""
    doc, tpl = session.doc, session.tpl
    h = doc.get("header") or {}
    out = [Entry(HEAD, "header.issuer", "Cơ quan ban hành", "\n".join(h.get("issuer") or [])),
           Entry(HEAD, "header.number", "Số", str(h.get("number") or "")),
           Entry(HEAD, "header.place", "Địa danh", h.get("place") or ""),
           Entry(HEAD, "header.date", "Ngày báo cáo", display("reportdate", h.get("date"))),
           Entry(HEAD, "header.kinh_gui", "Kính gửi", "\n".join(h.get("kinh_gui") or [])),
           Entry(HEAD, "header.subject", "Trích yếu", h.get("subject") or ""),
           Entry(HEAD, "recipients", "Nơi nhận", "\n".join(doc.get("recipients") or [])),
           Entry(HEAD, "signature.lines", "Thẩm quyền ký", "\n".join((doc.get("signature") or {}).get("lines") or [])),
           Entry(HEAD, "signature", "Người ký", (doc.get("signature") or {}).get("name") or "")]
    values = doc.get("values") or {}
    shown = Shown(display, session.derived())
    for where, _title, blocks in tpl.containers():
        for b in blocks:
            if (own := function(b, "entries")) is not None:  # the kind's words (report/kinds.py)
                out += [Entry(where, k, lab, text) for k, lab, text in own(b, value(b, values), shown)]
    return [e for e in out if e.text]


def _fold1(text: str) -> str:
    """Fold character by character so positions in the folded text are positions in the original."""
    return "".join((fold(ch) or ch)[:1] for ch in text)


def search(session, query: str) -> list[Hit]:
    q = _fold1(query.strip())
    if not q:
        return []
    hits = []
    for e in entries(session):
        t = _fold1(e.text)
        i = t.find(q)
        while i >= 0:
            hits.append(Hit(e, i, len(q)))
            i = t.find(q, i + max(1, len(q)))
    return hits


class FindDialog(QDialog):
    def __init__(self, editor, parent=None):
        super().__init__(parent)
        load_ui("find", base=self)
        self.editor = editor
        self.hits: list[Hit] = []
        self.pos = -1
        self.edit: QLineEdit = child(self, QLineEdit, "findEdit")
        self.count: QLabel = child(self, QLabel, "countLabel")
        self.list: QListWidget = child(self, QListWidget, "hitsList")
        install_vi_menus(self)
        self.timer = QTimer(self, singleShot=True, interval=250)
        self.timer.timeout.connect(self.run)
        self.edit.textChanged.connect(lambda _t: self.timer.start())
        child(self, QPushButton, "nextButton").clicked.connect(self.next)
        child(self, QPushButton, "closeButton").clicked.connect(self.close)
        self.list.itemActivated.connect(self._activated)
        self.list.itemClicked.connect(self._activated)

    def run(self) -> None:
        self.timer.stop()
        s = self.editor.session
        self.hits = search(s, self.edit.text()) if s is not None else []
        self.pos = -1
        self.list.clear()
        paths = s.paths if s is not None else {}
        for h in self.hits:
            e = h.entry
            a, b = max(0, h.start - 30), h.start + h.length + 50
            snippet = ("…" if a else "") + e.text[a:b].replace("\n", " ") + ("…" if b < len(e.text) else "")
            place = paths.get(e.where, "")
            it = QListWidgetItem(f"{e.label}: {snippet}")
            it.setToolTip(f"{place} › {e.label}")
            it.setData(Qt.UserRole, h)
            self.list.addItem(it)
        q = self.edit.text().strip()
        self.count.setText("" if not q else f"Tìm thấy {len(self.hits)} chỗ." if self.hits else "Không tìm thấy.")

    def next(self) -> None:
        if self.timer.isActive() or not self.hits:
            self.run()
        if not self.hits:
            return
        self.pos = (self.pos + 1) % len(self.hits)
        self.list.setCurrentRow(self.pos)
        self.go(self.hits[self.pos])

    def _activated(self, it) -> None:
        self.pos = self.list.row(it)
        self.go(it.data(Qt.UserRole))

    def go(self, h: Hit) -> None:
        self.editor.jump_to(h.entry.where, h.entry.key, h.start, h.length)
