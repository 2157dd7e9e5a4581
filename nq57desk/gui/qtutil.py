"""Small Qt helpers: .ui loading, icons, Vietnamese message boxes and file dialogs, the settings file."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from PySide6.QtCore import QEvent, QFile, QIODevice, QObject, QSettings, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QIcon
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QWidget

from nq57desk.settings import resources_dir

SETTINGS_FILE = "nq57desk.ini"


def ui_dir() -> Path:
    """ui/ beside the package in a source tree, or inside a PyInstaller bundle."""
    base = getattr(sys, "_MEIPASS", None)
    if base:
        return Path(base) / "ui"
    return Path(__file__).resolve().parent.parent.parent / "ui"


def load_ui(name: str, base: QWidget | None = None, parent: QWidget | None = None) -> QWidget:
    """Build ui/NAME.ui. With `base`, the file's top widget *is* base (our subclass).

    uic's code is used when there is (nq57desk.gui.uicode: generated at build time, or cached on first use), and
    kept for the next dialog of the same kind; QUiLoader otherwise."""
    if base is not None:
        if name not in _UI_CLASSES:
            from nq57desk.gui.uicode import setup_class

            _UI_CLASSES[name] = setup_class(ui_dir() / f"{name}.ui")
        cls = _UI_CLASSES[name]
        if cls is not None:
            cls().setupUi(base)
            return base
    return _load_with_quiloader(name, base, parent)


_UI_CLASSES: dict[str, type | None] = {}  # per process: the .ui files do not change under a running app


def _load_with_quiloader(name: str, base: QWidget | None, parent: QWidget | None) -> QWidget:
    from PySide6.QtUiTools import QUiLoader

    class _Loader(QUiLoader):
        def createWidget(self, class_name, parent_w=None, name=""):  # noqa: N802 - Qt API
            if parent_w is None and base is not None:
                return base
            w = super().createWidget(class_name, parent_w, name)
            return w

    f = QFile(str(ui_dir() / f"{name}.ui"))
    if not f.open(QIODevice.ReadOnly):
        raise FileNotFoundError(f"Không mở được giao diện {name}.ui")
    try:
        loader = _Loader()
        loader.clearPluginPaths()  # our .ui files use standard widgets only: no Designer plugins to scan
        w = loader.load(f, parent)
    finally:
        f.close()
    if w is None:
        raise RuntimeError(f"Không nạp được giao diện {name}.ui")
    return w


def child(root: QWidget, cls, name: str):
    w = root.findChild(cls, name)
    if w is None:
        raise LookupError(f"thiếu thành phần «{name}» trong giao diện")
    return w


_ICONS: dict[str, QIcon] = {}
_PACKED: list[bool] = []  # [whether resources/icons.rcc was found and registered], looked for once
ICONS_RCC = "icons.rcc"  # the packaged app's icons in one Qt resource file (build_scripts/nq57desk.spec makes it)


def icon(name: str) -> QIcon:
    """resources/icons/NAME.svg. The packaged app reads them all from one resource file: one file opened at start-up
    instead of ~30 (each a seek on a cold hard disk); a source tree reads the SVG files."""
    if name not in _ICONS:
        if not _PACKED:
            from PySide6.QtCore import QResource

            rcc = resources_dir() / ICONS_RCC
            _PACKED.append(rcc.is_file() and QResource.registerResource(str(rcc)))
        p = f":/icons/{name}.svg" if _PACKED[0] else str(resources_dir() / "icons" / f"{name}.svg")
        _ICONS[name] = QIcon(p) if QFile.exists(p) else QIcon()
    return _ICONS[name]


class _AfterFirstPaint(QObject):
    def __init__(self, widget: QWidget, context: QObject, fn, delay_ms: int):
        super().__init__(widget)
        self.widget, self.context, self.fn, self.delay_ms = widget, context, fn, delay_ms
        widget.installEventFilter(self)

    def eventFilter(self, obj, ev) -> bool:  # noqa: N802 - Qt API
        if ev.type() == QEvent.Type.Paint:
            self.widget.removeEventFilter(self)
            QTimer.singleShot(self.delay_ms, self.context, self.fn)
            self.deleteLater()
        return False


def after_first_paint(widget: QWidget, context: QObject, fn, delay_ms: int = 50) -> None:
    """Call fn `delay_ms` after the widget is first painted (not at all if `context` is deleted first). A timer
    started before the window shows can fire before its first paint on a slow start, and hold the paint up."""
    _AfterFirstPaint(widget, context, fn, delay_ms)


def shortcut_tip(action) -> str:
    """The one home of an action's tooltip: «Hoàn tác (Ctrl+Z)» from its text and first shortcut, then the
    description the .ui gives after «Text: » on a second line. Icon-only buttons show nothing else."""
    from PySide6.QtGui import QKeySequence

    name = action.text().replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").rstrip(".").strip()
    keys = action.shortcut().toString(QKeySequence.NativeText)
    head = f"{name} ({keys})" if keys else name
    old = action.toolTip() or ""
    _, sep, desc = old.partition(": ")
    desc = desc.strip() if sep and old.split(": ")[0].rstrip("…").strip() == name else ""
    tip = head + (f"\n{desc}" if desc else "")
    action.setToolTip(tip)
    return tip


# -- message boxes with Vietnamese buttons -------------------------------------------------------------------

# Tests (and the offscreen screenshot tool) may set this: hook(kind, title, text, detail) -> bool answer.
DIALOG_HOOK = None


def _box(parent, kind, title: str, text: str, detail: str = "") -> QMessageBox:
    box = QMessageBox(kind, title, text, QMessageBox.NoButton, parent)
    if detail:
        box.setInformativeText(detail)
    return box


def ask(parent, title: str, text: str, detail: str = "", yes: str = "Có", no: str = "Không") -> bool:
    if DIALOG_HOOK is not None:
        return bool(DIALOG_HOOK("ask", title, text, detail))
    box = _box(parent, QMessageBox.Question, title, text, detail)
    by = box.addButton(yes, QMessageBox.YesRole)
    bn = box.addButton(no, QMessageBox.NoRole)
    box.setDefaultButton(bn)
    box.setEscapeButton(bn)
    box.exec()
    return box.clickedButton() is by


def ask_text(parent, title: str, label: str, text: str = "") -> str | None:
    """One line of text from the officer (a heading's new name …), Vietnamese buttons; None when cancelled."""
    if DIALOG_HOOK is not None:
        got = DIALOG_HOOK("text", title, label, text)
        return got if isinstance(got, str) else None
    from PySide6.QtWidgets import QInputDialog

    from nq57desk.gui.textwidgets import install_vi_menus

    d = QInputDialog(parent)
    d.setWindowTitle(title)
    d.setLabelText(label)
    d.setTextValue(text)
    d.setOkButtonText("Đồng ý")
    d.setCancelButtonText("Hủy")
    d.resize(560, d.sizeHint().height())
    install_vi_menus(d)
    return d.textValue() if d.exec() else None


def info(parent, title: str, text: str, detail: str = "") -> None:
    if DIALOG_HOOK is not None:
        DIALOG_HOOK("info", title, text, detail)
        return
    box = _box(parent, QMessageBox.Information, title, text, detail)
    box.addButton("Đồng ý", QMessageBox.AcceptRole)
    box.exec()


def error(parent, title: str, text: str, detail: str = "") -> None:
    if DIALOG_HOOK is not None:
        DIALOG_HOOK("error", title, text, detail)
        return
    box = _box(parent, QMessageBox.Warning, title, text, detail)
    box.addButton("Đồng ý", QMessageBox.AcceptRole)
    box.exec()


def progress(parent, title: str, text: str, on_cancel=None, delay_ms: int = 0):
    """The app's busy dialog for work on a worker: indeterminate, window-modal, «Hủy» when it can be cancelled."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QProgressDialog

    p = QProgressDialog(text, "Hủy" if on_cancel is not None else "", 0, 0, parent)
    if on_cancel is None:
        p.setCancelButton(None)
    p.setWindowTitle(title)
    p.setWindowModality(Qt.WindowModal)
    p.setMinimumDuration(delay_ms)
    p.setAutoClose(False)
    p.setAutoReset(False)
    if on_cancel is not None:
        p.canceled.connect(on_cancel)
    return p


# -- file dialogs (non-native, so every label is ours) -------------------------------------------------------

def _widen_sidebar(d: QFileDialog) -> None:
    """The places list is sized for English «Computer»; «Máy tính» and USB labels need more room."""
    from PySide6.QtWidgets import QListView

    side = d.findChild(QListView, "sidebar")
    if side is not None:
        side.setMinimumWidth(150)


def _file_dialog(parent, title: str, directory: str, filters: list[str], save: bool) -> QFileDialog:
    d = QFileDialog(parent, title, directory)
    d.setOption(QFileDialog.DontUseNativeDialog, True)
    _widen_sidebar(d)
    d.setAcceptMode(QFileDialog.AcceptSave if save else QFileDialog.AcceptOpen)
    d.setFileMode(QFileDialog.AnyFile if save else QFileDialog.ExistingFile)
    d.setNameFilters(filters)
    d.setLabelText(QFileDialog.LookIn, "Tìm trong:")
    d.setLabelText(QFileDialog.FileName, "Tên tệp:")
    d.setLabelText(QFileDialog.FileType, "Loại tệp:")
    d.setLabelText(QFileDialog.Accept, "Lưu" if save else "Mở")
    d.setLabelText(QFileDialog.Reject, "Hủy")
    return d


def save_file(parent, title: str, suggested: str, filters: list[str], default_suffix: str) -> str | None:
    d = _file_dialog(parent, title, suggested, filters, save=True)
    d.setDefaultSuffix(default_suffix)
    d.selectFile(suggested)
    if d.exec() != QDialog.Accepted or not d.selectedFiles():
        return None
    return d.selectedFiles()[0]


def open_file(parent, title: str, directory: str, filters: list[str]) -> str | None:
    d = _file_dialog(parent, title, directory, filters, save=False)
    if d.exec() != QDialog.Accepted or not d.selectedFiles():
        return None
    return d.selectedFiles()[0]


PROGRAMS = {".docx": "Word (Microsoft Word, LibreOffice hoặc WPS Office)",
            ".xlsx": "Excel (Microsoft Excel, LibreOffice hoặc WPS Office)",
            ".pdf": "PDF (trình duyệt web hoặc phần mềm đọc PDF)", ".zip": "tệp nén"}


def open_in_program(parent, title: str, path: str | Path) -> bool:
    """Open a file with the program the computer uses for it. When none does (QDesktopServices says False), the
    officer is told so and offered the folder that holds it; False then."""
    path = Path(path)
    if QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
        return True
    kind = PROGRAMS.get(path.suffix.lower(), "loại tệp này")
    if ask(parent, title, f"Không mở được tệp «{path.name}»: máy này chưa có chương trình mở tệp {kind}.",
           f"Tệp đã lưu trong thư mục:\n{path.parent}\n\nCó thể mở thư mục để chép tệp sang máy khác, gửi qua "
           "thư điện tử, hoặc mở sau khi cài chương trình.", yes="Mở thư mục chứa tệp", no="Đóng"):
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent))):
            error(parent, title, "Không mở được thư mục chứa tệp.", f"Tệp nằm ở:\n{path}")
    return False


def choose_folder(parent, title: str, directory: str) -> str | None:
    d = QFileDialog(parent, title, directory)
    d.setOption(QFileDialog.DontUseNativeDialog, True)
    d.setOption(QFileDialog.ShowDirsOnly, True)
    d.setFileMode(QFileDialog.Directory)
    _widen_sidebar(d)
    d.setLabelText(QFileDialog.LookIn, "Tìm trong:")
    d.setLabelText(QFileDialog.FileName, "Thư mục:")
    d.setLabelText(QFileDialog.FileType, "Loại:")
    d.setLabelText(QFileDialog.Accept, "Chọn")
    d.setLabelText(QFileDialog.Reject, "Hủy")
    if d.exec() != QDialog.Accepted or not d.selectedFiles():
        return None
    return d.selectedFiles()[0]


# -- settings: an INI file in the data folder, never the registry ---------------------------------------------

def open_settings(data_dir: Path | str | None) -> QSettings:
    if data_dir is None:
        return QSettings(QSettings.IniFormat, QSettings.UserScope, "nq57desk", "nq57desk")
    return QSettings(str(Path(data_dir) / SETTINGS_FILE), QSettings.IniFormat)


# -- time and text -------------------------------------------------------------------------------------------

def hhmm(iso: str | None = None) -> str:
    t = dt.datetime.fromisoformat(iso) if iso else dt.datetime.now()
    return t.strftime("%H:%M")


def when(iso: str) -> str:
    """"2026-11-22T07:34:59" → "22/11/2026 07:34"."""
    try:
        t = dt.datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return iso or ""
    return t.strftime("%d/%m/%Y %H:%M")


def dmy(iso: str | None) -> str:
    """An ISO date as the officer types it: dd/mm/yyyy."""
    if not iso:
        return ""
    try:
        d = dt.date.fromisoformat(str(iso))
    except ValueError:
        return str(iso)
    return f"{d.day:02d}/{d.month:02d}/{d.year}"
