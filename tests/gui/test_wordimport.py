"""«Tạo từ báo cáo Word…»: read on a worker, a review with a jump to each place, «Hoàn tác nhập» in one step."""

from __future__ import annotations

from PySide6.QtWidgets import QMenu

from nq57desk.gui.dialogs import wordimport
from tests.conftest import ROOT
from tests.helpers.seeddocx import write_seed_docx

SEED = ROOT.parent / "shared" / "seeds" / "002_eb2ca82ae6e157ff.txt"


def test_entries_on_home_and_in_the_report_menu(win):
    menu = win.menuBar().findChild(QMenu, "menuReport")
    assert "Tạo từ báo cáo Word…" in [a.text() for a in menu.actions()]
    assert win.home.b_word.text() == "Tạo từ báo cáo Word…"


def test_import_review_jump_and_undo(win, qtbot, tmp_path):
    import pytest

    if not SEED.exists():
        pytest.skip("../shared/seeds is not beside the checkout")
    src = write_seed_docx(SEED.read_text(encoding="utf-8"), tmp_path / "tan_cuong.docx", "auto")
    wordimport.start(win, str(src))
    qtbot.waitUntil(lambda: getattr(win, "word_review", None) is not None, timeout=30000)
    dlg = win.word_review
    rid = dlg.rid
    assert [r.id for r in win.desk.list_reports()] == [rid]
    tree = dlg.tree
    groups = {tree.topLevelItem(i).text(0).split(" (")[0]: tree.topLevelItem(i) for i in range(tree.topLevelItemCount())}
    assert {"Đề mục", "Số liệu", "Bảng", "Chưa xếp"} <= set(groups)
    fig = groups["Số liệu"].child(0)
    # plain words: the indicator's label and the number as the officer writes it, then the sentence — no code
    from nq57desk.templates.catalogue import default_catalogue

    labels = {ind.label for ind in default_catalogue().indicators}
    shown, _sep, sentence = fig.text(0).partition(" — ")
    assert shown.split(": ")[0] in labels and sentence.startswith("«"), fig.text(0)
    assert not any(ind.code in fig.text(0) for ind in default_catalogue().indicators)
    dlg.go(fig)  # opens the report at the section holding the figure
    assert win.session is not None and win.session.rid == rid
    assert win.editor.current == fig.data(0, 0x0100)  # Qt.UserRole: the section key
    dlg.undo()
    assert win.desk.list_reports() == []
    assert win.session is None


def test_period_asked_when_the_subject_names_none(win, qtbot, tmp_path):
    """A file whose subject line states no period: the period part of «Tạo báo cáo» is asked, then the import runs."""
    import docx
    from PySide6.QtCore import QTimer

    d = docx.Document()
    d.add_paragraph("BÁO CÁO")
    d.add_paragraph("Kết quả chuyển đổi số")
    d.add_paragraph("I. KẾT QUẢ").runs[0].bold = True
    d.add_paragraph("Nội dung.")
    src = tmp_path / "khong_ky.docx"
    d.save(str(src))

    def answer():
        dlg = getattr(win, "word_period_dialog", None)
        if dlg is None or not dlg.isVisible():
            QTimer.singleShot(100, answer)
            return
        dlg.kind.setCurrentIndex(dlg.kind.findData("month"))
        dlg.year.setCurrentIndex(dlg.year.findData(2026))
        dlg.number.setCurrentIndex(dlg.number.findData(4))
        dlg.accept()

    QTimer.singleShot(100, answer)
    wordimport.start(win, str(src))
    qtbot.waitUntil(lambda: getattr(win, "word_review", None) is not None, timeout=30000)
    (r,) = win.desk.list_reports()
    assert r.period_label == "tháng 4/2026"
