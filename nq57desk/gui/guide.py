"""«Hướng dẫn sử dụng»: the Vietnamese guide shipped as data (resources/guide/huong-dan.html), shown in a
QTextBrowser (no internet), opened by F1 at the chapter of the place the officer is working in.

Places say which chapter is theirs with set_topic(widget, anchor); topic_at(widget) walks up from the focused
widget to the nearest one that said. The screens in the guide are the real screenshots of docs/screenshots/
(made by `nq57desk screenshot`, nq57desk/gui/shell/screenshot.py), found through the browser's search paths: the frozen
build ships the ones the guide names (build_scripts/nq57desk.spec), nothing is copied.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QTextBrowser,
    QWidget,
)

from nq57desk.settings import resources_dir

GUIDE_FILE = "huong-dan.html"
TOPIC_PROPERTY = "guideTopic"
_CHAPTER = re.compile(r'<h2><a name="([a-z0-9-]+)"></a>(.*?)</h2>')
_ANCHOR = re.compile(r'<a name="([a-z0-9-]+)">')
_IMAGE = re.compile(r'<img src="([^"]+)"')


def guide_dir() -> Path:
    return resources_dir() / "guide"


def screens_dir() -> Path:
    """docs/screenshots/ of the source tree, or its copy inside a PyInstaller bundle."""
    base = getattr(sys, "_MEIPASS", None)
    root = Path(base) if base else Path(__file__).resolve().parents[2]
    return root / "docs" / "screenshots"


def guide_html() -> str:
    return (guide_dir() / GUIDE_FILE).read_text(encoding="utf-8")


def chapters(html: str | None = None) -> list[tuple[str, str]]:
    """(anchor, title) of each chapter, in order, read from the guide itself."""
    return [(a, re.sub(r"<[^>]+>", "", t)) for a, t in _CHAPTER.findall(html if html is not None else guide_html())]


def anchors(html: str | None = None) -> set[str]:
    return set(_ANCHOR.findall(html if html is not None else guide_html()))


def chapter_of(anchor: str, html: str | None = None) -> str | None:
    """The chapter (h2 anchor) a place's anchor is in."""
    html = html if html is not None else guide_html()
    i = html.find(f'<a name="{anchor}">')
    if i < 0:
        return None
    found = [a for a in _CHAPTER.finditer(html) if a.start() <= i]
    return found[-1].group(1) if found else None


def images(html: str | None = None) -> list[str]:
    return _IMAGE.findall(html if html is not None else guide_html())


def set_topic(w: QWidget, anchor: str) -> QWidget:
    """F1 anywhere inside w opens the guide at `anchor` (unless a widget nearer the focus has its own)."""
    w.setProperty(TOPIC_PROPERTY, anchor)
    return w


def topic_at(w: QWidget | None) -> str | None:
    while w is not None:
        t = w.property(TOPIC_PROPERTY)
        if t:
            return str(t)
        w = w.parentWidget()
    return None


class GuideWindow(QDialog):
    """The guide beside the work, not over it: a non-modal window with the chapters on the left."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, Qt.Window)
        self.setWindowTitle("Hướng dẫn sử dụng")
        self.setObjectName("guideWindow")
        self.chapters = QListWidget()
        self.chapters.setObjectName("guideChapters")
        self.chapters.setWordWrap(True)
        self.chapters.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.chapters.setSpacing(2)
        self.browser = QTextBrowser()
        self.browser.setObjectName("guideBrowser")
        self.browser.setOpenLinks(True)
        self.browser.setOpenExternalLinks(False)  # no internet: a link outside the guide goes nowhere
        self.browser.setSearchPaths([str(guide_dir()), str(screens_dir())])
        self.browser.document().setDefaultStyleSheet(
            "h1 { color: #12324f; } h2 { color: #12324f; margin-top: 18px; } h3 { color: #2b4a66; }")
        self.browser.setHtml(guide_html())  # relative images resolve through the search paths
        for anchor, title in chapters():
            it = QListWidgetItem(title)
            it.setData(Qt.UserRole, anchor)
            self.chapters.addItem(it)
        self.chapters.itemClicked.connect(lambda it: self.show_anchor(it.data(Qt.UserRole)))
        split = QSplitter()
        split.addWidget(self.chapters)
        split.addWidget(self.browser)
        split.setStretchFactor(1, 1)
        split.setSizes([250, 750])
        lay = QHBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(split)
        self.resize(1000, 680)
        self.anchor: str | None = None

    def show_anchor(self, anchor: str | None) -> None:
        self.anchor = anchor
        if anchor:
            self.browser.scrollToAnchor(anchor)
            chapter = chapter_of(anchor)
            for i in range(self.chapters.count()):
                if self.chapters.item(i).data(Qt.UserRole) == chapter:
                    self.chapters.setCurrentRow(i)
        else:
            self.browser.verticalScrollBar().setValue(0)


def show_guide(owner: QWidget, anchor: str | None = None) -> GuideWindow:
    """Open (or bring forward) owner's guide window at `anchor`."""
    g = getattr(owner, "_guide_window", None)
    if g is None:
        g = GuideWindow(owner)
        owner._guide_window = g
    g.show()
    g.raise_()
    g.activateWindow()
    g.show_anchor(anchor)
    return g


def help_key(dialog: QWidget, anchor: str) -> None:
    """F1 in a modal dialog (which the main window's F1 does not reach) opens the guide at its chapter, in a
    window of the dialog's own so that it can be read and scrolled while the dialog is open."""
    from PySide6.QtGui import QKeySequence, QShortcut

    set_topic(dialog, anchor)
    sc = QShortcut(QKeySequence("F1"), dialog)
    sc.activated.connect(lambda: show_guide(dialog, anchor))


def current_topic(win) -> str | None:
    """The chapter for where the officer is: the focused field's, else the page's (the form of the section shown,
    the home list, the upper level)."""
    from PySide6.QtWidgets import QApplication

    fw = QApplication.focusWidget()
    t = topic_at(fw) if fw is not None and (fw is win or win.isAncestorOf(fw)) else None
    if t:
        return t
    cur = win.stack.currentWidget()
    if cur is not None and cur is win.editor:
        return topic_at(win.editor.scroll.widget()) or "bao-cao-moi"
    if cur is not None and cur is win.upper:
        return "cap-tren"
    return "bat-dau"


def install(win):
    """«Trợ giúp › Hướng dẫn sử dụng» (F1), above «Giới thiệu»; the Kiểm tra panel's chapter."""
    from PySide6.QtGui import QAction, QKeySequence
    from PySide6.QtWidgets import QMenu

    a = QAction("Hướng dẫn sử dụng", win)
    a.setObjectName("actGuide")
    a.setShortcut(QKeySequence("F1"))
    a.setToolTip("Hướng dẫn sử dụng: Cách làm báo cáo từ đầu đến khi gửi, mở đúng phần đang làm")
    a.triggered.connect(lambda: show_guide(win, current_topic(win)))
    menu: QMenu = win.menuBar().findChild(QMenu, "menuHelp")
    menu.insertAction(win.act.get("actAbout"), a)
    menu.insertSeparator(win.act.get("actAbout"))
    win.act["actGuide"] = a
    set_topic(win.dock, "kiem-tra")
    return a
