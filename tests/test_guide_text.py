"""The guide an officer reads (resources/guide/huong-dan.html): plain Vietnamese, NFC, no English UI jargon, no file
names or codes; every screen it shows is a real screenshot of docs/screenshots."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "resources" / "guide" / "huong-dan.html"
# words an officer does not know: English UI words, file and format names, codes
JARGON = ("click", "nhấp chuột", "file", "folder", "menu", "toolbar", "dock", "widget", "tab ", "ok ", "cancel", "save",
          "undo", "redo", "manifest", "json", "csv", "dhis2", "bundle", "sqlite", "database", "template", "profile",
          "backup", "restore", "import", "export", "upload", "download", "settings", "status", ".db", ".xlsx",
          ".docx", ".zip", "yaml")
PERIOD_CODE = re.compile(r"\b\d{4}-(?:\d{1,2}T|Q\d|H\d|\d{2})\b")


def _text() -> str:
    html = GUIDE.read_text(encoding="utf-8")
    return re.sub(r"<[^>]+>", " ", html)


def test_guide_is_nfc_vietnamese():
    html = GUIDE.read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", html)
    text = _text()
    assert "Hướng dẫn sử dụng" in text and "giải trình" in text.lower()
    assert "\ufffd" not in text


def test_guide_has_no_jargon_nor_codes():
    low = " " + _text().lower() + " "
    found = [w for w in JARGON if w in low]
    assert not found, found
    assert not PERIOD_CODE.search(_text())


def test_guide_screens_are_the_real_screenshots():
    names = re.findall(r'<img src="([^"]+)"', GUIDE.read_text(encoding="utf-8"))
    assert names
    for n in names:
        assert "/" not in n and (ROOT / "docs" / "screenshots" / n).is_file(), n
