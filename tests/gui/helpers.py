"""Test helpers for the GUI: typing Vietnamese the way Unikey/EVKey does (QTest.keyClicks aborts on non-ASCII,
DOMAIN.md §7), and the golden reports as (template, document)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication


def key(widget, k, text: str = "", mods=Qt.NoModifier) -> None:
    QApplication.sendEvent(widget, QKeyEvent(QEvent.KeyPress, k, mods, text))
    QApplication.sendEvent(widget, QKeyEvent(QEvent.KeyRelease, k, mods, text))


def vtype(widget, text: str) -> None:
    """One key event per character, carrying the character as text (works for â, ư, ễ …)."""
    for ch in text:
        if ch == "\n":
            key(widget, Qt.Key_Return, "\r")
        else:
            key(widget, Qt.Key_unknown, ch)


def backspace(widget, n: int = 1) -> None:
    for _ in range(n):
        key(widget, Qt.Key_Backspace)


def unikey(widget, telex: str, erase: int, composed: str) -> None:
    """Telex as Unikey sends it: the ASCII letters, then Backspaces, then the composed text."""
    vtype(widget, telex)
    backspace(widget, erase)
    vtype(widget, composed)


def panel_messages(win) -> list[str]:
    """The messages the «Kiểm tra» panel lists, top to bottom."""
    t = win.checks.tree
    return [t.topLevelItem(i).text(2) for i in range(t.topLevelItemCount())]


def golden(name: str):
    """(template, document) of one golden report in tests/fixtures/reports."""
    from nq57desk.report.document import loads
    from nq57desk.templates import Registry
    from tests.conftest import REPORTS

    doc = loads((REPORTS / name).read_bytes())
    return Registry().get(doc["template"]["id"], doc["template"]["version"]), doc
