"""A multi-level table header (merged group cells above the column labels) and Excel clipboard text."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtWidgets import QHeaderView, QStyle, QStyleOptionHeader


class GroupHeader(QHeaderView):
    """Column labels that wrap, under merged group cells ("Số hồ sơ trực tuyến" over two columns)."""

    def __init__(self, labels: list[str], groups: list[tuple[str, ...]], parent=None):
        super().__init__(Qt.Horizontal, parent)
        self.labels, self.groups = labels, groups
        self.levels = max((len(g) for g in groups), default=0)
        self.setSectionsClickable(True)
        self.setHighlightSections(False)
        self.setDefaultAlignment(Qt.AlignCenter | Qt.TextWordWrap)
        self.sectionResized.connect(self.fit)

    def _band(self) -> int:
        return self.fontMetrics().height() + 8

    def _label_height(self, i: int) -> int:
        w = max(20, self.sectionSize(i) - 8)
        r = self.fontMetrics().boundingRect(QRect(0, 0, w, 10000), Qt.AlignCenter | Qt.TextWordWrap, self.labels[i])
        return r.height() + 10

    def needed_height(self) -> int:
        band = self._band()
        h = band * (self.levels + 1)
        for i in range(min(self.count(), len(self.labels))):
            h = max(h, len(self.groups[i]) * band + self._label_height(i))
        return min(h, 8 * band)

    def fit(self, *_):
        h = self.needed_height()
        if self.minimumHeight() != h:
            self.setMinimumHeight(h)
            self.setMaximumHeight(h)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        s = super().sizeHint()
        return QSize(s.width(), self.needed_height())

    def _span(self, i: int, level: int) -> tuple[int, int]:
        key = self.groups[i][: level + 1]
        first = last = i
        while first > 0 and self.groups[first - 1][: level + 1] == key:
            first -= 1
        while last + 1 < len(self.groups) and self.groups[last + 1][: level + 1] == key:
            last += 1
        return first, last

    def _cell(self, painter, rect: QRect, text: str, bold: bool) -> None:
        opt = QStyleOptionHeader()
        self.initStyleOption(opt)
        opt.rect = rect
        opt.text = ""
        opt.position = QStyleOptionHeader.Middle
        self.style().drawControl(QStyle.CE_HeaderSection, opt, painter, self)
        f = painter.font()
        f.setBold(bold)
        painter.setFont(f)
        painter.setPen(self.palette().buttonText().color())
        painter.drawText(rect.adjusted(4, 2, -4, -2), Qt.AlignCenter | Qt.TextWordWrap, text)

    def paintSection(self, painter, rect: QRect, i: int) -> None:  # noqa: N802 - Qt API
        if i >= len(self.labels):
            return super().paintSection(painter, rect, i)
        painter.save()
        band = self._band()
        g = self.groups[i]
        for level in range(len(g)):
            first, last = self._span(i, level)
            x0 = self.sectionViewportPosition(first)
            x1 = self.sectionViewportPosition(last) + self.sectionSize(last)
            self._cell(painter, QRect(x0, rect.y() + level * band, x1 - x0, band), g[level], True)
        top = len(g) * band
        self._cell(painter, QRect(rect.x(), rect.y() + top, rect.width(), rect.height() - top), self.labels[i], False)
        painter.restore()


def parse_tsv(text: str) -> list[list[str]]:
    """Cells copied from Excel/LibreOffice: tab-separated, newline rows, quoted cells may hold newlines."""
    rows: list[list[str]] = []
    row: list[str] = []
    cell: list[str] = []
    i, n = 0, len(text)
    at_start = True
    while i < n:
        ch = text[i]
        if at_start and ch == '"':
            j = i + 1
            buf = []
            while j < n:
                if text[j] == '"':
                    if j + 1 < n and text[j + 1] == '"':
                        buf.append('"')
                        j += 2
                        continue
                    break
                buf.append(text[j])
                j += 1
            if j < n and (j + 1 == n or text[j + 1] in "\t\r\n"):
                cell = buf
                i = j + 1
                at_start = False
                continue
        at_start = False
        if ch == "\t":
            row.append("".join(cell))
            cell, at_start = [], True
        elif ch in "\r\n":
            if ch == "\r" and i + 1 < n and text[i + 1] == "\n":
                i += 1
            row.append("".join(cell))
            rows.append(row)
            row, cell, at_start = [], [], True
        else:
            cell.append(ch)
        i += 1
    if cell or row:
        row.append("".join(cell))
        rows.append(row)
    return rows


def to_tsv(rows: list[list[str]]) -> str:
    def q(s: str) -> str:
        if any(c in s for c in '\t\n"'):
            return '"' + s.replace('"', '""') + '"'
        return s
    return "\n".join("\t".join(q(c) for c in r) for r in rows) + "\n"
