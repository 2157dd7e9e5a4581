"""Thông tin đơn vị (also the first-run dialog): province, commune by type-to-filter without diacritics, defaults."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
)

from nq57desk import units
from nq57desk.errors import NQError
from nq57desk.gui.guide import help_key
from nq57desk.gui.qtutil import child, error, info, load_ui
from nq57desk.gui.textwidgets import install_vi_menus
from nq57desk.report.document import default_recipients
from nq57desk.vn import nfc

ALL = "Tất cả tỉnh, thành phố"
MAX_SHOWN = 400


def _place_of(name: str) -> str:
    for prefix in ("Xã ", "Phường ", "Đặc khu ", "Thị trấn "):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def _lines(text: str, strip_dash: bool = False) -> list[str]:
    out = []
    for line in nfc(text).split("\n"):
        t = line.strip()
        if strip_dash and t[:2] in ("- ", "+ "):
            t = t[2:].strip()
        if t:
            out.append(t)
    return out


class _Keys(QObject):
    """Down arrow in the filter moves into the list; Enter picks the only or first match."""

    def __init__(self, dlg: ProfileDialog):
        super().__init__(dlg)
        self.dlg = dlg

    def eventFilter(self, obj, ev):  # noqa: N802 - Qt API
        if ev.type() == QEvent.KeyPress and ev.key() in (Qt.Key_Down, Qt.Key_Return, Qt.Key_Enter):
            lst = self.dlg.list
            if lst.count():
                lst.setCurrentRow(max(0, lst.currentRow()))
                if ev.key() == Qt.Key_Down:
                    lst.setFocus()
                return ev.key() == Qt.Key_Down or lst.count() >= 1
        return False


class ProfileDialog(QDialog):
    def __init__(self, desk, parent=None, first_run: bool = False):
        super().__init__(parent)
        load_ui("profile", base=self)
        help_key(self, "bat-dau")
        self.desk = desk
        self.demo_id: int | None = None
        self.code: str | None = None
        self._auto_issuer = self._auto_place = self._auto_unit = ""
        self.province: QComboBox = child(self, QComboBox, "provinceCombo")
        self.filter: QLineEdit = child(self, QLineEdit, "communeFilter")
        self.list: QListWidget = child(self, QListWidget, "communeList")
        self.chosen: QLabel = child(self, QLabel, "chosenLabel")
        self.issuer: QPlainTextEdit = child(self, QPlainTextEdit, "issuerEdit")
        self.place: QLineEdit = child(self, QLineEdit, "placeEdit")
        self.sign_lines: QPlainTextEdit = child(self, QPlainTextEdit, "signLinesEdit")
        self.signer: QLineEdit = child(self, QLineEdit, "signerEdit")
        self.recipients: QPlainTextEdit = child(self, QPlainTextEdit, "recipientsEdit")
        self.officer: QLineEdit = child(self, QLineEdit, "officerEdit")
        install_vi_menus(self)
        if first_run:
            self.setWindowTitle("Chào mừng — thiết lập thông tin đơn vị")
        demo = child(self, QPushButton, "demoButton")
        demo.setVisible(first_run)
        demo.clicked.connect(self._demo)
        child(self, QPushButton, "okButton").clicked.connect(self.accept)
        child(self, QPushButton, "cancelButton").clicked.connect(self.reject)
        self.province.addItem(ALL, "")
        for code, name in units.provinces():
            self.province.addItem(name, code)
        self.province.currentIndexChanged.connect(self._refilter)
        self.filter.textChanged.connect(self._refilter)
        self.filter.installEventFilter(_Keys(self))
        self.list.currentItemChanged.connect(self._picked)
        self.list.itemActivated.connect(lambda _it: self.issuer.setFocus())
        self._add_key_code()
        self._load(desk.profile() or {})

    def _add_key_code(self) -> None:
        """This installation's key code, which the upper level compares over the phone before using its bundles."""
        try:
            text = (f"Mã khóa ký của máy này: <b>{self.desk.key_fingerprint()}</b> — khi cấp trên gọi điện đối chiếu, "
                    "đọc mã này để cấp trên xác nhận các gói báo cáo xã gửi.")
        except NQError as e:
            text = str(e)
        self.key_code = QLabel(text)
        self.key_code.setObjectName("keyCodeLabel")
        self.key_code.setWordWrap(True)
        self.key_code.setTextInteractionFlags(Qt.TextSelectableByMouse)
        lay = self.layout()
        if lay is not None:
            lay.insertWidget(max(0, lay.count() - 1), self.key_code)

    def _load(self, p: dict) -> None:
        c = p.get("commune") or {}
        if c.get("province_code"):
            i = self.province.findData(c["province_code"])
            self.province.setCurrentIndex(max(0, i))
        self._refilter()
        if c.get("code"):
            self.select_code(c["code"])
        if p.get("issuer"):
            self.issuer.setPlainText("\n".join(p["issuer"]))
        if p.get("place"):
            self.place.setText(p["place"])
        sig = p.get("signature") or {"lines": ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"], "name": ""}
        self.sign_lines.setPlainText("\n".join(sig.get("lines") or []))
        self.signer.setText(sig.get("name", ""))
        self.recipients.setPlainText("\n".join(p.get("recipients") or default_recipients(c.get("name", ""))))
        self.officer.setText(p.get("officer", ""))

    def _refilter(self, *_):
        pc = self.province.currentData() or None
        found = units.search(self.filter.text(), pc) if self.filter.text().strip() else units.communes(pc)
        self.list.blockSignals(True)
        self.list.clear()
        for u in found[:MAX_SHOWN]:
            text = u.name if pc else f"{u.name} — {u.province_name}"
            it = QListWidgetItem(text)
            it.setData(Qt.UserRole, u.code)
            self.list.addItem(it)
            if u.code == self.code:
                self.list.setCurrentItem(it)
        if len(found) > MAX_SHOWN:
            more = QListWidgetItem(f"… còn {len(found) - MAX_SHOWN} đơn vị nữa; gõ thêm để lọc")
            more.setFlags(Qt.NoItemFlags)
            self.list.addItem(more)
        self.list.blockSignals(False)
        if len(found) == 1:
            self.list.setCurrentRow(0)

    def select_code(self, code: str) -> None:
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.UserRole) == code:
                self.list.setCurrentRow(i)
                return

    def _picked(self, it, _prev=None):
        if it is None or not it.data(Qt.UserRole):
            return
        u = units.commune(it.data(Qt.UserRole))
        if u is None:
            return
        self.code = u.code
        self.chosen.setText(f"{u.name} ({u.province_name}), mã {u.code}")
        issuer = f"ỦY BAN NHÂN DÂN\n{u.name.upper()}"
        if not self.issuer.toPlainText().strip() or self.issuer.toPlainText() == self._auto_issuer:
            self.issuer.setPlainText(issuer)
            self._auto_issuer = issuer
        auto = "\n".join(default_recipients(self._auto_unit))
        if self.recipients.toPlainText().strip() in ("", auto):  # still the suggestion: follow the unit's kind
            self.recipients.setPlainText("\n".join(default_recipients(u.name)))
        self._auto_unit = u.name
        place = _place_of(u.name)
        if not self.place.text().strip() or self.place.text() == self._auto_place:
            self.place.setText(place)
            self._auto_place = place

    def data(self) -> dict:
        return {
            "commune_code": self.code,
            "issuer": _lines(self.issuer.toPlainText()),
            "place": nfc(self.place.text()).strip(),
            "signature": {"lines": _lines(self.sign_lines.toPlainText()), "name": nfc(self.signer.text()).strip()},
            "recipients": _lines(self.recipients.toPlainText(), strip_dash=True),
            "officer": nfc(self.officer.text()).strip(),
            "symbol": (self.desk.profile() or {}).get("symbol", "BC-UBND"),
        }

    def accept(self) -> None:
        if not self.code:
            error(self, "Thông tin đơn vị", "Hãy chọn xã/phường của đơn vị trong danh sách.")
            self.filter.setFocus()
            return
        d = self.data()
        if not d["issuer"]:
            d.pop("issuer")
        if not d["place"]:
            d.pop("place")
        try:
            self.desk.save_profile(d)
        except NQError as e:
            error(self, "Thông tin đơn vị", str(e))
            return
        super().accept()

    def _demo(self) -> None:
        """Open the demo report. A commune already picked here is saved first; none picked leaves the profile
        unset, so the app asks again at the next start (the demo's commune is never taken as the officer's)."""
        if self.code:
            d = self.data()
            for k in ("issuer", "place"):
                if not d[k]:
                    d.pop(k)
            try:
                self.desk.save_profile(d)
            except NQError as e:
                error(self, "Thông tin đơn vị", str(e))
                return
        rid = self.desk.ensure_demo()
        if rid is None:
            info(self, "Báo cáo mẫu", "Đã có báo cáo trong dữ liệu này nên không thêm báo cáo mẫu."
                 if self.desk.list_reports() else "Bản cài đặt này chưa có báo cáo mẫu.")
            if self.code:
                super().accept()
            return
        self.demo_id = rid
        super().accept()
