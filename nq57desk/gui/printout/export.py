"""Xuất DOCX… / Xuất Excel… / Mở bằng Word: the desk writes the file on a worker, with a cancellable progress dialog.

The file is written to a temporary name beside the target and renamed only when the export finished and was not
cancelled: «Hủy» after the writer started simply discards its result.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QProgressDialog

from nq57desk.errors import NQError
from nq57desk.gui.printout.outputfiles import default_name, file_problem, word_copy_path
from nq57desk.gui.qtutil import ask, error, open_in_program, progress, save_file
from nq57desk.gui.workers import run_async
from nq57desk.validation import blocking, refusal_text

KINDS = {
    "docx": ("DOCX", "nq57desk.render.docx", "Tệp Word (*.docx)", "docx"),
    "xlsx": ("Excel", "nq57desk.bundle.writer", "Tệp Excel (*.xlsx)", "xlsx"),
    "pdf": ("PDF", "nq57desk.gui.printout.printing", "Tệp PDF (*.pdf)", "pdf"),
}


def available(kind: str) -> bool:
    try:
        return importlib.util.find_spec(KINDS[kind][1]) is not None
    except (ImportError, ValueError):
        return False


class Exporter(QObject):
    finished = Signal(str)  # the written path ("" when cancelled or failed)

    def __init__(self, window, session, settings):
        super().__init__(window)
        self.window, self.session, self.settings = window, session, settings
        self.cancelled = False
        self.progress: QProgressDialog | None = None

    def start(self, kind: str, path: str | None = None, open_after: bool = False, ask_path: bool = True) -> bool:
        name, _mod, filt, ext = KINDS[kind]
        if not available(kind):
            error(self.window, f"Xuất {name}", f"Bản cài đặt này chưa có chức năng xuất {name}.")
            return False
        s = self.session
        try:
            s.flush()
        except NQError as e:
            error(self.window, f"Xuất {name}", str(e))
            return False
        s.revalidate()
        block = blocking(s.findings, s.doc) if kind == "xlsx" else []  # DOCX and PDF of a draft always go
        if block:
            error(self.window, f"Xuất {name}", refusal_text(block, "xuất gói gửi cấp trên"))
            return False
        if path is None and ask_path:
            folder = self.settings.value("export/dir", str(Path.home()))
            path = save_file(self.window, f"Xuất {name}", str(Path(folder) / default_name(s.doc, ext)), [filt], ext)
            if not path:
                return False
            self.settings.setValue("export/dir", str(Path(path).parent))
        elif path is None:
            path = str(word_copy_path(s.desk.data_dir, s.doc))
        final = Path(path)
        if final.suffix.lower() != f".{ext}":
            final = final.with_name(final.name + f".{ext}")
        tmp = final.with_name(f"{final.stem}.dang-xuat-{os.getpid()}{final.suffix}")
        self.cancelled = False
        self.progress = progress(self.window, f"Xuất {name}", f"Đang xuất {name}…", self._cancel)
        self.progress.show()
        rid, desk = s.rid, s.desk
        if kind == "pdf":  # painted by Qt on a QPdfWriter: no widgets, so it may run off the GUI thread
            import copy

            from nq57desk.gui.printout.printing import export_pdf

            tpl, doc = s.tpl, copy.deepcopy(s.doc)

            def fn(_rid, path):
                return export_pdf(tpl, doc, path)
        else:
            fn = desk.export_docx if kind == "docx" else desk.export_xlsx

        def work():
            final.parent.mkdir(parents=True, exist_ok=True)  # on the worker: a slow or missing drive
            return fn(rid, tmp)

        run_async(work, lambda _r: self._done(tmp, final, name, open_after),
                  lambda exc: self._failed(tmp, final, name, exc))
        return True

    def _cancel(self) -> None:
        self.cancelled = True
        if self.progress is not None:
            self.progress.setLabelText("Đang hủy…")

    def _close_progress(self) -> None:
        if self.progress is not None:
            self.cancelled = self.cancelled or self.progress.wasCanceled()
            self.progress.canceled.disconnect(self._cancel)
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None

    def _done(self, tmp: Path, final: Path, name: str, open_after: bool) -> None:
        self._close_progress()
        if self.cancelled:
            tmp.unlink(missing_ok=True)
            self.window.statusBar().showMessage(f"Đã hủy xuất {name}.", 5000)
            self.finished.emit("")
            return
        try:
            os.replace(tmp, final)
        except OSError as e:
            tmp.unlink(missing_ok=True)
            error(self.window, f"Xuất {name}", file_problem(e, final.name))
            self.finished.emit("")
            return
        self.window.statusBar().showMessage(f"Đã xuất {name}: {final}", 8000)
        self.finished.emit(str(final))
        if open_after:
            open_in_program(self.window, "Mở bằng Word" if name == "DOCX" else f"Xuất {name}", final)
        elif ask(self.window, f"Xuất {name}", f"Đã xuất {name}:\n{final}", "Mở tệp ngay bây giờ?"):
            open_in_program(self.window, f"Xuất {name}", final)

    def _failed(self, tmp: Path, final: Path, name: str, exc) -> None:
        self._close_progress()
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        self.finished.emit("")
        if self.cancelled:
            return
        if isinstance(exc, NQError):
            error(self.window, f"Xuất {name}", str(exc))
        elif isinstance(exc, OSError):
            error(self.window, f"Xuất {name}", file_problem(exc, final.name))
        elif isinstance(exc, ImportError):
            error(self.window, f"Xuất {name}", f"Bản cài đặt này chưa có chức năng xuất {name}.")
        else:
            error(self.window, f"Xuất {name}", f"Lỗi không mong muốn khi xuất {name} ({type(exc).__name__}).")
