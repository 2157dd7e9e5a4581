"""Make the Windows icon (.ico) of the executables and the installer from resources/icons/app.svg, at build time.

    python build_scripts/make_icon.py [SVG] [OUT.ico]      # default: resources/icons/app.svg → build/icon/nq57desk.ico

One PNG-compressed image per size (16…256 px), the format Windows Vista and later read; rendered with QtSvg, so the
icon is drawn once (the SVG) and never goes stale. Runs Qt offscreen: no display needed.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "resources" / "icons" / "app.svg"
OUT = ROOT / "build" / "icon" / "nq57desk.ico"
SIZES = (16, 20, 24, 32, 40, 48, 64, 128, 256)


def pack_ico(pngs: dict[int, bytes]) -> bytes:
    """ICONDIR + one ICONDIRENTRY per image + the PNG data (a width/height of 256 is written as 0)."""
    head = struct.pack("<HHH", 0, 1, len(pngs))
    offset = 6 + 16 * len(pngs)
    entries, blobs = b"", b""
    for size, png in sorted(pngs.items()):
        d = 0 if size >= 256 else size
        entries += struct.pack("<BBBBHHII", d, d, 0, 0, 1, 32, len(png), offset + len(blobs))
        blobs += png
    return head + entries + blobs


def render_pngs(svg: Path, sizes=SIZES) -> dict[int, bytes]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])  # noqa: F841 - keeps Qt alive
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"make_icon: cannot read {svg}")
    out = {}
    for s in sizes:
        img = QImage(s, s, QImage.Format.Format_ARGB32_Premultiplied)
        img.fill(Qt.GlobalColor.transparent)
        p = QPainter(img)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(p)
        p.end()
        data = QByteArray()
        buf = QBuffer(data)
        buf.open(QIODevice.OpenModeFlag.WriteOnly)
        img.save(buf, "PNG")
        buf.close()
        out[s] = bytes(data)
    return out


def make_icon(svg: Path = SVG, out: Path = OUT) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(pack_ico(render_pngs(svg)))
    return out


if __name__ == "__main__":
    args = [Path(a) for a in sys.argv[1:3]]
    print(make_icon(*args))
