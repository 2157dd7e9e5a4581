"""«Xuất gói gửi cấp trên» from the window: a folder or a .zip, checked on the way; «Hủy» leaves nothing."""

from __future__ import annotations

import zipfile

from nq57desk.gui.dialogs.package import PackageDialog


def _open(win, gui_desk, tmp_path):
    from tests.conftest import REPORTS

    rid = gui_desk.import_report((REPORTS / "000_an_truong.json").read_bytes())
    win.open_report(rid)
    out = tmp_path / "usb"
    out.mkdir(parents=True)
    win.settings.setValue("package/dir", str(out))
    d = PackageDialog(win, win.session, win.settings)
    d.drives.setCurrentRow(d.drives.count() - 1)  # «Thư mục đã chọn» is last, after any real drive
    assert d.folder() == str(out)
    return d, out


def test_package_to_a_folder_and_to_a_zip(win, qtbot, gui_desk, tmp_path, dialogs):
    d, out = _open(win, gui_desk, tmp_path)
    assert "NQ57_11635_2026-H1_r1.docx" in d.names.text()
    d.export()
    qtbot.waitUntil(lambda: d.result is not None or any(k != "ask" for k, *_ in dialogs.seen), timeout=60000)
    assert dialogs.seen[0][0] == "ask"  # a draft: asked first (answered «Vẫn xuất bản nháp»)
    assert d.result is not None, dialogs.seen
    names = {p.name for p in out.rglob("*") if p.is_file()}
    assert {"NQ57_11635_2026-H1_r1.docx", "NQ57_11635_2026-H1_r1.xlsx", "manifest.json"} <= names
    assert any(k == "info" and "rút USB" in text for k, _t, text, _d in dialogs.seen)
    d2, out = _open(win, gui_desk, tmp_path / "b")
    d2.zip.setChecked(True)
    assert d2.destination().suffix == ".zip"
    d2.export()
    qtbot.waitUntil(lambda: d2.result is not None, timeout=60000)
    with zipfile.ZipFile(d2.destination()) as z:
        assert {"NQ57_11635_2026-H1_r1.xlsx", "manifest.json"} <= {n.rsplit("/", 1)[-1] for n in z.namelist()}


def test_cancelled_package_leaves_nothing(win, qtbot, gui_desk, tmp_path, dialogs):
    d, out = _open(win, gui_desk, tmp_path)
    d.export()
    d._cancel()
    qtbot.waitUntil(lambda: d.progress is None, timeout=60000)
    assert not [p for p in out.rglob("*") if p.is_file()]


def test_cancelling_keeps_the_other_package_in_the_folder(tmp_path):
    """The folder already held another commune's package: «Hủy» removes ours and keeps its manifest entries."""
    import json

    from nq57desk.bundle.package import PackageResult
    from nq57desk.gui.dialogs.package import _remove_package

    (tmp_path / "NQ57_05503_2026-5T_r1.xlsx").write_bytes(b"other")
    (tmp_path / "NQ57_11635_2026-H1_r1.xlsx").write_bytes(b"ours")
    theirs = {"name": "NQ57_05503_2026-5T_r1.xlsx", "size": 5, "sha256": "a"}
    mine = {"name": "NQ57_11635_2026-H1_r1.xlsx", "size": 4, "sha256": "b"}
    man = {"format": "nq57-package/1", "files": [theirs, mine]}
    (tmp_path / "manifest.json").write_text(json.dumps(man), encoding="utf-8")
    _remove_package(PackageResult(str(tmp_path), [mine], man))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["NQ57_05503_2026-5T_r1.xlsx", "manifest.json"]
    assert json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))["files"] == [theirs]
    _remove_package(PackageResult(str(tmp_path), [theirs], {"files": [theirs]}))
    assert not list(tmp_path.iterdir())
