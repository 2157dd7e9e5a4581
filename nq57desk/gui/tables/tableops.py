"""Table actions: paste a block copied from Excel, copy out, clear, add/insert/delete/move free rows.

Mixed into TableEditor; every action is one undo step (the whole table value is set once).
"""

from __future__ import annotations

import copy

from PySide6.QtGui import QGuiApplication

from nq57desk.gui.tables.tablehead import parse_tsv, to_tsv
from nq57desk.gui.tables.tablespec import VRow


class TableOps:
    def paste(self, text: str | None = None) -> None:
        """A block copied from Excel, written from the current cell. One undo step.

        Fixed tables: clipboard rows map onto the rows as shown (fixed cells are skipped). Free tables: onto the
        rows of the current group from the current row on, adding rows to that group as needed.
        """
        text = QGuiApplication.clipboard().text() if text is None else text
        grid = parse_tsv(text)
        if not grid:
            return
        t = self.table
        idx = t.selectedIndexes()
        r0 = min((i.row() for i in idx), default=t.currentRow())
        c0 = max(0, min((i.column() for i in idx), default=t.currentColumn()))
        while c0 < len(self.spec.columns) - 1 and self.spec.columns[c0].type == "stt":
            c0 += 1  # an empty table or the STT column: start at the first column one can type in
        new = copy.deepcopy(self._values())
        if self.spec.fixed:
            targets = [self.rows[r] if 0 <= r < len(self.rows) else None for r in range(r0, r0 + len(grid))]
        else:
            targets = self._free_targets(new, r0, len(grid))
        for cells, vr in zip(grid, targets, strict=False):
            if vr is None or vr.kind != "data":
                continue
            for j, text in enumerate(cells):
                c = c0 + j
                if c >= len(self.spec.columns):
                    break
                col = self.spec.columns[c]
                if col.type == "stt":
                    continue
                if self.spec.fixed:
                    rd = next(x for x in self.spec.rows if x.key == vr.ref)
                    carried = f"{self.spec.key}.{vr.ref}.{col.key}" in (self.ctx.session.doc.get("carried") or {})
                    if rd.cell(col.key) is not None or (col.cumulative_of and carried):
                        continue
                self._store(vr, col, text, target=new)
        self.ctx.session.set(self.path, new)
        self.populate()
        first = next((r for r, vr in enumerate(self.rows) if targets and vr.kind == "data" and targets[0] is not None
                      and vr.ref == targets[0].ref), max(0, r0))
        t.setCurrentCell(first, c0)

    def _free_targets(self, data: list, r0: int, n: int) -> list[VRow]:
        """Rows of the current group from the current one on; new rows join that group (in `data`)."""
        cur = self.rows[r0] if 0 <= r0 < len(self.rows) else None
        if cur is not None and cur.kind == "group":
            group, after = cur.group, None
        elif cur is not None and cur.kind == "data":
            group, after = cur.group, cur.ref
        else:
            group = self.spec.groups[-1][0] if self.spec.groups else None
            after = None
        members = [vr.ref for vr in self.rows if vr.kind == "data" and vr.group == group]
        seq = members[members.index(after):] if after in members else ([] if cur is None else members)
        out = [VRow("data", ref, group=group) for ref in seq[:n]]
        last = members[-1] if members else None
        while len(out) < n:
            pos = (last + 1) if last is not None else self._group_insert_pos(data, group)
            data.insert(pos, {"_group": group} if group else {})
            out = [VRow("data", r + 1 if r >= pos else r, group=group) for r in (x.ref for x in out)]
            out.append(VRow("data", pos, group=group))
            last = pos
        return out

    def _group_insert_pos(self, data: list, group: str | None) -> int:
        """Where a first row of `group` goes in storage: before the rows of later groups."""
        order = [None] + [g for g, _ in self.spec.groups]
        rank = order.index(group) if group in order else 0
        for i, x in enumerate(data):
            g = x.get("_group") if isinstance(x, dict) else None
            if (order.index(g) if g in order else 0) > rank:
                return i
        return len(data)

    def _rows_for(self, data: list) -> list[VRow]:
        return self._layout(data)

    def copy(self) -> None:
        idx = self.table.selectedIndexes()
        if not idx:
            return
        rs, cs = sorted({i.row() for i in idx}), sorted({i.column() for i in idx})
        rows = []
        for r in range(rs[0], rs[-1] + 1):
            rows.append([(self.table.item(r, c).text() if self.table.item(r, c) else "") for c in range(cs[0], cs[-1] + 1)])
        QGuiApplication.clipboard().setText(to_tsv(rows))

    def clear_selection(self) -> None:
        new = copy.deepcopy(self._values())
        changed = False
        for i in self.table.selectedIndexes():
            vr = self.rows[i.row()]
            if vr.kind == "data" and self._editable(i.row(), i.column()):
                self._store(vr, self.spec.columns[i.column()], "", target=new)
                changed = True
        if changed:
            self.ctx.session.set(self.path, new)
            self.populate()

    # rows (free tables) ------------------------------------------------------------------------------------
    def _current(self) -> tuple[int, VRow | None]:
        r = self.table.currentRow()
        return r, (self.rows[r] if 0 <= r < len(self.rows) else None)

    def _commit_rows(self, data: list, focus_ref: int | None, first_column: bool = False) -> None:
        """Store the rows and put the cursor on `focus_ref`'s row: in its first cell one can type in when the row is
        new (`first_column`), else in the current column; the cell is scrolled into view, in the table and the page."""
        order = self._rows_for(data)
        ordered = [data[vr.ref] for vr in order if vr.kind == "data"]
        pos = next((k for k, vr in enumerate([x for x in order if x.kind == "data"]) if vr.ref == focus_ref), None)
        self.ctx.session.clear_invalid_prefix(self.spec.key)
        self.ctx.session.set(self.path, ordered)
        self.populate()
        self.table.clearSelection()
        if pos is not None:
            data_rows = [r for r, vr in enumerate(self.rows) if vr.kind == "data"]
            first_edit = next((c for c, x in enumerate(self.spec.columns) if x.type != "stt"), 0)
            col = first_edit if first_column else max(first_edit, self.table.currentColumn())
            self.table.setCurrentCell(data_rows[pos], col)
            self.reveal(data_rows[pos], col)
        self.table.setFocus()

    def _new_row(self, vr: VRow | None) -> dict:
        g = vr.group if vr is not None else (self.spec.groups[-1][0] if self.spec.groups else None)
        return {"_group": g} if g else {}

    def add_row(self) -> None:
        data = copy.deepcopy(self._values())
        r, vr = self._current()
        row = self._new_row(vr)
        if vr is not None and vr.kind == "data":
            data.insert(vr.ref + 1, row)
            ref = vr.ref + 1
        elif vr is not None and vr.kind == "group":
            first = next((x.ref for x in self.rows[r + 1:] if x.kind == "data" and x.group == vr.group), None)
            ref = first if first is not None else len(data)
            data.insert(ref, row)
        else:
            data.append(row)
            ref = len(data) - 1
        self._commit_rows(data, ref, first_column=True)

    def insert_row(self) -> None:
        data = copy.deepcopy(self._values())
        _r, vr = self._current()
        if vr is None or vr.kind != "data":
            return self.add_row()
        data.insert(vr.ref, self._new_row(vr))
        self._commit_rows(data, vr.ref, first_column=True)

    def delete_rows(self) -> None:
        """The selected rows, or the current row when the selection does not include it."""
        r, vr = self._current()
        sel = {i.row() for i in self.table.selectedIndexes()}
        rows = sel if r in sel else {r}
        refs = sorted({self.rows[x].ref for x in rows if 0 <= x < len(self.rows) and self.rows[x].kind == "data"})
        if not refs:
            return
        data = [x for i, x in enumerate(copy.deepcopy(self._values())) if i not in refs]
        self._commit_rows(data, min(refs[0], len(data) - 1) if data else None)

    def move(self, step: int) -> None:
        _r, vr = self._current()
        if vr is None or vr.kind != "data":
            return
        same = [x.ref for x in self.rows if x.kind == "data" and x.group == vr.group]
        k = same.index(vr.ref)
        if not 0 <= k + step < len(same):
            return
        data = copy.deepcopy(self._values())
        a, b = vr.ref, same[k + step]
        data[a], data[b] = data[b], data[a]
        self._commit_rows(data, b)
