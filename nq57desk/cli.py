"""The entry point: no command opens the app; commands run services and print plain lines.

Exit codes: 0 done; 1 validate found errors without a giải trình (or export --xlsx/--package of a report with an error that has no
giải trình, or some inputs rejected by aggregate); 2 bad input or usage,
with a Vietnamese message on stderr and never a traceback; 3 an unexpected fault (logged in the data folder);
4 send/outbox --retry/receive: queued (or stopped) because the mail server could not be reached.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from pathlib import Path

from nq57desk import __version__
from nq57desk.errors import NQError

_ARGPARSE_VI = [
    (r"the following arguments are required: (.*)", r"thiếu tham số: \1"),
    (r"unrecognized arguments: (.*)", r"tham số không hiểu: \1"),
    (r"argument (\S+): invalid int value: '(.*)'", r"tham số \1: «\2» không phải số nguyên"),
    (r"argument (\S+): invalid choice: (.*) \(choose from (.*)\)", r"tham số \1: không có lựa chọn \2 (chọn một trong \3)"),
    (r"argument (\S+): expected one argument", r"tham số \1 cần một giá trị"),
    (r"invalid choice: (.*) \(choose from (.*)\)", r"lệnh \1 không có (các lệnh: \2)"),
]


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # noqa: D401 - argparse API
        for pat, rep in _ARGPARSE_VI:
            if re.search(pat, message):
                message = re.sub(pat, rep, message)
                break
        self.exit(2, f"Lỗi: {message}\nXem: nq57desk --help\n")

    def format_help(self):
        text = super().format_help()
        return (text.replace("usage:", "cách dùng:").replace("positional arguments:", "tham số:")
                .replace("options:", "tùy chọn:").replace("show this help message and exit", "hiện trợ giúp này"))


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="nq57desk", description="Báo cáo thực hiện Nghị quyết 57-NQ/TW cho UBND cấp xã (chạy không cần mạng).")
    p.add_argument("--version", action="version", version=f"nq57desk {__version__}", help="in phiên bản rồi thoát")
    p.add_argument("--data-dir", metavar="THƯ_MỤC", help="thư mục dữ liệu (mặc định: thư mục dữ liệu của người dùng; "
                   "hoặc biến NQ57_DATA_DIR)")
    sub = p.add_subparsers(dest="cmd", metavar="LỆNH", parser_class=_Parser)
    t = sub.add_parser("templates", help="liệt kê mẫu báo cáo (id, phiên bản, tên)")
    t.add_argument("--import", dest="import_file", metavar="TỆP", help="nhập một tệp mẫu mới (YAML/JSON)")
    t.add_argument("--check", dest="check_file", metavar="TỆP", help="kiểm tra một tệp mẫu (và danh mục chỉ tiêu) mà "
                   "không nhập; in từng lỗi kèm số dòng; mã thoát 0 khi hợp lệ, 2 khi có lỗi")
    t.add_argument("--from-docx", dest="from_docx", metavar="ĐỀ_CƯƠNG.docx", help="tạo khung mẫu từ một đề cương Word "
                   "(cần -o TỆP.yaml); không nhập")
    t.add_argument("-o", "--output", metavar="TỆP.yaml", help="tệp mẫu ghi ra (với --from-docx)")
    i = sub.add_parser("import", help="nhập một báo cáo từ tệp JSON; in mã báo cáo mới")
    i.add_argument("file", metavar="TỆP.json")
    w = sub.add_parser("import-docx", help="tạo báo cáo từ một báo cáo Word (.docx); in mã báo cáo mới")
    w.add_argument("file", metavar="TỆP.docx")
    w.add_argument("--template", metavar="MÃ_MẪU", help="mẫu báo cáo (mặc định: mẫu khớp đề mục nhất)")
    w.add_argument("--commune", metavar="MÃ_XÃ", help="mã xã/phường (mặc định: theo dòng cơ quan ban hành, hoặc "
                   "thông tin đơn vị)")
    w.add_argument("--period", metavar="KỲ", help="kỳ báo cáo: 2026-T04, 2026-Q2, 2026-H1, 2026-5T, 2026-N (mặc định: "
                   "theo dòng trích yếu)")
    w.add_argument("--dry-run", action="store_true", help="chỉ in những gì sẽ nhập và vào đâu: không lưu gì")
    sub.add_parser("list", help="liệt kê báo cáo")
    d = sub.add_parser("dump", help="xuất một báo cáo ra tệp JSON")
    d.add_argument("id", type=int, metavar="MÃ")
    d.add_argument("-o", "--output", required=True, metavar="TỆP.json")
    v = sub.add_parser("validate", help="kiểm tra một báo cáo; mã thoát 1 khi còn lỗi")
    v.add_argument("id", type=int, metavar="MÃ")
    e = sub.add_parser("export", help="xuất báo cáo ra DOCX / PDF / Excel / gói gửi cấp trên")
    e.add_argument("id", type=int, metavar="MÃ")
    e.add_argument("--docx", metavar="TỆP.docx")
    e.add_argument("--pdf", metavar="TỆP.pdf")
    e.add_argument("--xlsx", metavar="TỆP.xlsx")
    e.add_argument("--package", metavar="THƯ_MỤC_HOẶC_ZIP")
    a = sub.add_parser("aggregate", help="nhập gói báo cáo của các xã (lưu lại) rồi lập bảng tổng hợp")
    a.add_argument("inputs", nargs="+", metavar="TỆP_HOẶC_THƯ_MỤC", help="gói .xlsx, thư mục hoặc gói .zip")
    a.add_argument("-o", "--output", required=True, metavar="TỔNG_HỢP.xlsx",
                   help="bảng tổng hợp Excel; nhiều mẫu/kỳ thì mỗi mẫu, kỳ một tệp TỔNG_HỢP_<mẫu>_<kỳ>.xlsx")
    a.add_argument("--province", metavar="MÃ_TỈNH", help="chỉ nhận và tổng hợp các xã của tỉnh này (ví dụ 19)")
    a.add_argument("--template", metavar="MÃ_MẪU", help="chỉ tổng hợp mẫu báo cáo này")
    a.add_argument("--period", metavar="MÃ_KỲ", help="chỉ tổng hợp kỳ này: 2026-T05 (tháng 5), 2026-Q2, 2026-H1 (6 tháng đầu năm), 2026-5T (5 tháng đầu "
                   "năm), 2026-N (cả năm), 2025-D1106 (tính đến ngày 06/11/2025), 2025-K20250701 (từ ngày 01/7/2025), "
                   "2026-X (không nêu kỳ)")
    a.add_argument("--csv", metavar="TỆP.csv", help="ghi thêm số liệu dạng CSV dataValueSet của DHIS2")
    a.add_argument("--docx", metavar="TỆP.docx", help="ghi thêm khung báo cáo tổng hợp DOCX (Nghị định 30)")
    a.add_argument("--dry-run", action="store_true", help="chỉ cho biết sẽ làm gì: không lưu, không ghi tệp nào")
    b = sub.add_parser("backup", help="sao lưu cơ sở dữ liệu (mặc định vào thư mục backups/ của dữ liệu)")
    b.add_argument("-o", "--output", metavar="TỆP_HOẶC_THƯ_MỤC")
    r = sub.add_parser("restore", help="khôi phục cơ sở dữ liệu từ một bản sao lưu (bản hiện tại được sao lưu trước)")
    r.add_argument("file", metavar="TỆP_SAO_LƯU")
    k = sub.add_parser("keys", help="khóa ký số: mã khóa của máy này; ở cấp trên, danh sách khóa của các xã")
    kg = k.add_mutually_exclusive_group()
    kg.add_argument("--import", dest="import_file", metavar="TỆP.json",
                    help="nhập danh sách khóa do tỉnh phát hành (mọi khóa trong tệp được coi là đã xác nhận)")
    kg.add_argument("--export", dest="export_file", metavar="TỆP.json", help="ghi các khóa đã xác nhận ra tệp")
    kg.add_argument("--confirm", metavar="MÃ_XÃ", help="xác nhận khóa đang chờ của xã sau khi đã đối chiếu mã khóa")
    k.add_argument("--fingerprint", metavar="MÃ_KHÓA", help="với --confirm: mã khóa đã đối chiếu (khi xã có nhiều "
                   "khóa đang chờ)")
    _mail_parsers(sub)
    sub.add_parser("check", help="kiểm tra toàn vẹn cơ sở dữ liệu và các gói đã nhận; mã thoát 1 khi hỏng")
    sub.add_parser("selftest", help="tự kiểm tra bản cài đặt (mẫu, cơ sở dữ liệu, xuất DOCX/Excel, biểu tượng)")
    s = sub.add_parser("screenshot", help="chụp màn hình soạn báo cáo (không cần màn hình thật)")
    s.add_argument("id", type=int, metavar="MÃ")
    s.add_argument("--section", metavar="KHÓA_MỤC")
    s.add_argument("--size", default="1366x768")
    s.add_argument("-o", "--output", required=True, metavar="TỆP.png")
    return p


def _mail_parsers(sub) -> None:
    """Send upward by e-mail (issue 17): nq57desk.mail.cli does the work."""
    m = sub.add_parser("mail", help="thiết lập thư điện tử công vụ để gửi/nhận báo cáo")
    ms = m.add_subparsers(dest="mail_cmd", metavar="LỆNH", parser_class=_Parser, required=True)
    su = ms.add_parser("setup", help="lưu tài khoản thư (mật khẩu lấy từ NQ57_MAIL_PASSWORD hoặc được hỏi, cất trong "
                       "kho mật khẩu của hệ điều hành)")
    su.add_argument("--smtp", metavar="MÁY:CỔNG", help="máy chủ gửi thư, ví dụ mail.tinh.gov.vn:465")
    su.add_argument("--security", choices=["ssl", "starttls", "plain"], help="ssl (465), starttls (587); plain chỉ "
                    "với 127.0.0.1")
    su.add_argument("--user", metavar="TÊN", help="tên đăng nhập")
    su.add_argument("--from", dest="from_addr", metavar="ĐỊA_CHỈ", help="địa chỉ gửi")
    su.add_argument("--to", action="append", metavar="ĐỊA_CHỈ", help="địa chỉ cấp trên (có thể nhắc lại)")
    su.add_argument("--imap", metavar="MÁY:CỔNG", help="hộp thư nhận của cấp trên, ví dụ mail.tinh.gov.vn:993")
    su.add_argument("--imap-security", choices=["ssl", "starttls", "plain"], help="mặc định: ssl với cổng 993")
    su.add_argument("--ca", metavar="TỆP.pem", help="chứng chỉ gốc riêng của tỉnh (nếu có)")
    se = sub.add_parser("send", help="gửi báo cáo lên cấp trên qua thư điện tử (xếp vào hộp thư đi rồi gửi ngay); "
                        "mã thoát 4 khi chưa kết nối được, thư được giữ lại để gửi sau")
    se.add_argument("id", type=int, metavar="MÃ")
    ob = sub.add_parser("outbox", help="hộp thư đi: liệt kê; --retry gửi các thư đến lượt")
    ob.add_argument("--retry", action="store_true", help="gửi các thư đến lượt thử lại")
    sub.add_parser("receive", help="cấp trên: nhận các gói báo cáo từ hộp thư (mỗi tệp đính kèm một dòng)")


def _mail(desk, args) -> int:
    from nq57desk.mail import cli as mcli

    err = lambda line: sys.stderr.write(line + "\n")  # noqa: E731
    if args.cmd == "mail":
        return mcli.setup(desk, args, _out)
    if args.cmd == "send":
        return mcli.send(desk, args.id, _out, err, _pdf_maker())
    if args.cmd == "outbox":
        return mcli.outbox(desk, args.retry, _out, err, _pdf_maker())
    return mcli.receive(desk, _out, err)


def _pdf_maker():
    """The PDF of a queued report is printed by the GUI's print path (loaded by name); None without Qt."""
    try:
        return _gui("printout.printing").cli_export_pdf
    except ImportError:
        return None


def _out(line: str = "") -> None:
    sys.stdout.write(line + "\n")


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(encoding="utf-8")
        except (AttributeError, ValueError):
            pass
    gui = _gui_only(sys.argv[1:] if argv is None else argv)
    if gui is not None:
        return _run_gui(gui[0])
    try:
        args = _parser().parse_args(argv)
    except SystemExit as e:  # usage errors, --help and --version end here with argparse's code
        return int(e.code or 0)
    if args.cmd is None:
        return _run_gui(args.data_dir)
    previous_hook = sys.unraisablehook
    sys.unraisablehook = _log_unraisable
    try:
        return _dispatch(args)
    except NQError as e:
        sys.stderr.write(f"Lỗi: {e}\n")
        return 2
    except OSError as e:  # a file named on the command line (or the data folder) that cannot be read or written
        from nq57desk.errors import FileError

        sys.stderr.write(f"Lỗi: {FileError('không đọc/ghi được tệp', getattr(e, 'filename', None), e, full=True)}\n")
        return 2
    except Exception as e:  # noqa: BLE001 - the officer gets a sentence, the log gets the traceback
        from nq57desk.errors import is_sqlite_error, sqlite_error_vi

        if is_sqlite_error(e):  # disk full, read-only, locked: a fault the officer can act on
            _log_unexpected(args.data_dir)
            sys.stderr.write(f"Lỗi: không dùng được cơ sở dữ liệu: {sqlite_error_vi(e)}.\n")
            return 2
        _log_unexpected(args.data_dir)
        sys.stderr.write(f"Lỗi không mong muốn ({type(e).__name__}). Chi tiết đã ghi vào nhật ký trong thư mục dữ liệu.\n")
        return 3
    finally:
        import gc

        gc.collect()  # a half-written zip closed by the collector, now, while its complaint goes to the log
        sys.unraisablehook = previous_hook


def _gui_only(argv: list[str]) -> tuple[str | None] | None:
    """(data folder,) when the command line only opens the app (no arguments, or --data-dir alone): start-up then
    skips building the parser of every command (~11 ms). None: the parser reads it."""
    if not argv:
        return (None,)
    if len(argv) == 1 and argv[0].startswith("--data-dir=") and len(argv[0]) > len("--data-dir="):
        return (argv[0].partition("=")[2],)
    if len(argv) == 2 and argv[0] == "--data-dir" and not argv[1].startswith("-"):
        return (argv[1],)
    return None


def _log_unraisable(u) -> None:
    """An error in a finalizer (a zip whose write failed, closed again by the garbage collector) goes to the log,
    not as an English traceback after the officer's message."""
    from nq57desk.safety.logs import log_unexpected

    log_unexpected(None, f"khi dọn đối tượng {u.object!r}", (u.exc_type, u.exc_value, u.exc_traceback))


def _log_unexpected(data_dir):
    try:
        from nq57desk import settings
        from nq57desk.safety.logs import log_unexpected

        log_unexpected(settings.data_dir(data_dir), "trong dòng lệnh")
    except Exception:  # noqa: BLE001 - logging must never make a fault worse
        pass


def _dispatch(args) -> int:
    from nq57desk.services import Desk

    if args.cmd == "selftest":
        from nq57desk.selftest import run_selftest

        return run_selftest(out=_out)
    if args.cmd == "restore":
        from nq57desk.services import restore_from_backup

        _out(str(restore_from_backup(args.data_dir, args.file)))
        return 0
    if args.cmd == "check":
        return _check(args)
    if args.cmd == "screenshot":
        screenshot = _gui("shell.screenshot").screenshot
        return screenshot(args.data_dir, args.id, args.section, args.size, args.output)
    if args.cmd == "aggregate":  # opens the folder itself: a dry run must not create a database or a lock
        return _aggregate(args)
    if args.cmd == "import-docx" and args.dry_run:  # reads files only: no database is opened or created
        return _import_docx(_ReadOnlyDesk(args.data_dir), args)
    if args.cmd == "templates" and args.from_docx:  # reads files only: no database is opened or created
        return _template_from_docx(args)
    if args.cmd == "templates" and args.check_file:  # reads files only: no database is opened or created
        return _check_template(args)
    desk = Desk(args.data_dir)
    try:
        return _COMMANDS[args.cmd](desk, args)
    finally:
        desk.close()


def _check(args) -> int:
    from nq57desk.services import check_folder

    res = check_folder(args.data_dir)
    if res.missing:
        _out("Thư mục dữ liệu chưa có cơ sở dữ liệu (chưa nhập hay tạo báo cáo nào); không có gì để kiểm tra.")
        return 0
    if res.ok:
        _out("Cơ sở dữ liệu toàn vẹn.")
        return 0
    for p in res.problems:
        _out(f"Hỏng\t{p}")
    if res.backup:
        _out(f"Bản sao lưu tốt gần nhất\t{res.backup.path}")
    return 1


def _backup(desk, args) -> int:
    _out(str(desk.backup(args.output)))
    return 0


def _templates(desk, args) -> int:
    if args.import_file:
        info = desk.import_template(args.import_file)
        _out(f"{info.id}\t{info.version}\t{info.title}")
        return 0
    for t in desk.templates():
        _out(f"{t.id}\t{t.version}\t{t.title}")
    for err in desk.registry.broken:
        sys.stderr.write(f"Cảnh báo: {err}\n")
    return 0


def _template_from_docx(args) -> int:
    """`templates --from-docx DE_CUONG.docx -o FILE.yaml`: an outline document → a template skeleton, checked."""
    from nq57desk import settings
    from nq57desk.errors import NQError, TemplateError
    from nq57desk.services import atomic_write
    from nq57desk.templates.catalogue import catalogue_for
    from nq57desk.templates.loader import load_template
    from nq57desk.wordimport.outline_doc import template_from_docx, template_yaml

    if not args.output:
        raise NQError("cần -o TỆP.yaml để ghi mẫu tạo từ đề cương")
    cat = catalogue_for(settings.data_dir(args.data_dir))
    text = template_yaml(template_from_docx(args.from_docx, cat))
    out = Path(args.output)
    atomic_write(out, text.encode("utf-8"))
    try:
        tpl = load_template(out, cat)
    except TemplateError as e:
        _out(f"Lỗi: mẫu ghi ra chưa hợp lệ, cần sửa tay: {e}")
        return 2
    _out(f"Đã ghi {out}: {_template_summary(tpl)}")
    return 0


def _template_summary(tpl) -> str:
    sections = sum(1 for _ in tpl.walk_sections())
    codes = {f.indicator for f in tpl.fields().values() if f.indicator}
    return f"{tpl.title}, {sections} mục, {len(codes)} chỉ tiêu"


def _check_template(args) -> int:
    """`templates --check FILE`: the catalogue (shipped and the data folder's) and the template, every problem found."""
    from nq57desk import settings
    from nq57desk.errors import TemplateError
    from nq57desk.templates.catalogue import CatalogueError, catalogue_for
    from nq57desk.templates.loader import load_template

    try:
        cat = catalogue_for(settings.data_dir(args.data_dir))
    except CatalogueError as e:
        for p in e.problems:
            _out(f"Lỗi danh mục chỉ tiêu: {p}")
        return 2
    try:
        tpl = load_template(args.check_file, cat)
    except TemplateError as e:
        _out(f"Lỗi: {e}")
        return 2
    _out(f"Mẫu hợp lệ: {_template_summary(tpl)}")
    return 0


def _import(desk, args) -> int:
    data = Path(args.file).read_bytes()
    _out(str(desk.import_report(data, warn=lambda m: sys.stderr.write(f"Cảnh báo: {m}\n"))))
    return 0


class _ReadOnlyDesk:
    """What a dry run of import-docx needs (templates, the catalogue), read without opening the database; the
    profile is not read, so the commune comes from the file or --commune."""

    def __init__(self, data_dir):
        from nq57desk import settings
        from nq57desk.templates import Registry

        d = settings.data_dir(data_dir)
        self.registry = Registry([d / "templates"] if (d / "templates").is_dir() else [], data_dir=d)

    def import_word(self, path, **kw):
        from nq57desk.services.desk import Desk

        return Desk.import_word(self, path, **kw)

    def profile(self):
        return None


def _import_docx(desk, args) -> int:
    """`import-docx FILE`: the review (what went where), then the new report's id on the last line."""
    from nq57desk.report.document import period_label
    from nq57desk.wordimport import period_from_code

    period = period_from_code(args.period) if args.period else None
    rid, imp = desk.import_word(args.file, template_id=args.template, commune_code=args.commune, period=period,
                                dry_run=args.dry_run)
    r, doc = imp.review, imp.doc
    _out(f"Mẫu\t{imp.template.id}\t{r.template_why}")
    _out(f"Xã\t{doc['commune']['code']}\t{doc['commune'].get('name', '')}\t{r.commune_why}")
    _out(f"Kỳ\t{period_label(doc['period'])}\t{r.period_why}")
    for title, key, how in r.headings:
        _out(f"Đề mục\t{key}\t{title}\t{how}")
    for code, value, sentence, key in r.figures:
        _out(f"Số liệu\t{key}\t{code} = {value}\t{sentence}")
    for label, key, codes in r.tables:
        _out(f"Bảng\t{key}\t{label}\t{', '.join(codes)}")
    for text, key in r.documents:
        _out(f"Văn bản\t{key}\t{text}")
    for text in r.unplaced:
        _out(f"Chưa xếp\t{r.unplaced_key}\t{text}")
    for note in r.notes:
        _out(f"Ghi chú\t{note}")
    if rid is None:
        _out("Chạy thử: không lưu gì.")
    else:
        _out(str(rid))
    return 0


def _list(desk, args) -> int:
    for r in desk.list_reports():
        _out(f"{r.id}\t{r.commune_code}\t{r.commune_name}\t{r.period_label}\t{r.template_id}\t{r.status_vi}")
    return 0


def _dump(desk, args) -> int:
    from nq57desk.services import atomic_write

    atomic_write(Path(args.output), desk.dump(args.id).encode("utf-8"))
    return 0


def _validate(desk, args) -> int:
    """Every finding, an explained error marked as such with its giải trình; exit 1 while an error has none."""
    from nq57desk.validation import blocking, explanations_of

    findings = desk.validate(args.id)
    doc = desk.document(args.id)
    open_errors = {id(f) for f in blocking(findings, doc)}
    said = explanations_of(doc)
    for f in findings:
        if f.severity == "error" and id(f) not in open_errors:
            _out(f"{f.line()}\t(đã giải trình: {said.get((f.key, f.rule), '')})")
        else:
            _out(f.line())
    return 1 if open_errors else 0


def _export(desk, args) -> int:
    """DOCX and PDF always (a report with errors is a draft, marked «DỰ THẢO»); the bundle and the package only
    when every error is fixed or has a giải trình: else the refusal on stderr and exit 1."""
    from nq57desk.validation import blocking, error_count, explained_count, refusal_text

    if not (args.docx or args.pdf or args.xlsx or args.package):
        raise NQError("hãy chọn ít nhất một định dạng: --docx, --pdf, --xlsx hoặc --package")
    doc = desk.document(args.id)
    findings = desk.validate(args.id)
    if (args.docx or args.pdf) and error_count(findings):
        n, m = error_count(findings), explained_count(findings, doc)
        draft = "; tệp xuất là bản dự thảo, có dấu «DỰ THẢO»" if doc.get("status") == "draft" else ""
        sys.stderr.write(f"Lưu ý: báo cáo còn {n} lỗi" + (f" ({m} lỗi đã giải trình)" if m else "") +
                         f"{draft} (xem lỗi: nq57desk validate {args.id}).\n")
    if args.docx:
        desk.export_docx(args.id, args.docx)
        _out(args.docx)
    if args.pdf:
        _gui("printout.printing").cli_export_pdf(desk, args.id, Path(args.pdf))
        _out(args.pdf)
    if args.xlsx or args.package:
        block = blocking(findings, doc)
        if block:
            sys.stderr.write(f"Lỗi: {refusal_text(block, 'xuất gói gửi cấp trên')}\n")
            return 1
    if args.xlsx:
        desk.export_xlsx(args.id, args.xlsx)
        _out(args.xlsx)
    if args.package:
        from nq57desk.bundle.package import export_package

        res = export_package(desk, args.id, args.package)
        _out(str(res))
    return 0


def _aggregate(args) -> int:
    return run_aggregate(args.data_dir, args.inputs, args.output, province=args.province, template=args.template,
                         period=args.period.strip().upper() if args.period else None, csv=args.csv, docx=args.docx, dry_run=args.dry_run, out=_out)


# -- aggregate: import bundles into the upper level's store, print one line per input, write the outputs ----------
# The work is in nq57desk.upper. Outputs cover the (template, period) groups the inputs belong to (or the one chosen
# with --template/--period), with every bundle received for them so far, of the chosen province or of the
# provinces the group's bundles come from.

class UsageError(NQError):
    """A bad argument: exit code 2, nothing imported or written."""


def check_output(path, suffix: str, what: str) -> Path:
    """An output file name the command can write: the right suffix, in a folder that exists."""
    p = Path(path)
    if p.suffix.lower() != suffix:
        raise UsageError(f"{what} phải là tệp {suffix} (đang là «{p.name}»).")
    if p.is_dir():
        raise UsageError(f"«{p}» là một thư mục; hãy ghi tên tệp {what.lower()}, ví dụ {p / ('tong_hop' + suffix)}.")
    if not p.parent.is_dir():
        raise UsageError(f"thư mục «{p.parent}» không có; hãy tạo thư mục trước hoặc chọn nơi ghi khác cho {what.lower()}.")
    return p


def run_aggregate(data_dir, inputs, output, *, province: str | None = None, template: str | None = None,
                  period: str | None = None, csv: str | None = None, docx: str | None = None, dry_run: bool = False,
                  out: Callable[[str], None] = print) -> int:
    """Exit code: 0 every input accepted (a duplicate or an older revision is fine), 1 some rejected or in conflict,
    or no bundle found at all. Bad arguments raise UsageError (exit 2) before anything is read."""
    pc = _province(province)
    xlsx = check_output(output, ".xlsx", "Bảng tổng hợp")
    csv_p = check_output(csv, ".csv", "Tệp CSV") if csv else None
    docx_p = check_output(docx, ".docx", "Báo cáo tổng hợp") if docx else None
    if dry_run:
        from nq57desk.upper import preview_import

        res = preview_import(data_dir, inputs, province=pc)
        _print_lines(res, out)
        if not res.bundles:
            return _nothing(out, res)
        written = ", ".join(str(x) for x in (xlsx, csv_p, docx_p) if x)
        out(f"(Chạy thử: chưa lưu gì vào cơ sở dữ liệu và chưa ghi {written}.)")
        return 0 if res.ok else 1
    from nq57desk.services import Desk

    desk = Desk(data_dir)
    try:
        upper = desk.upper()
        res = upper.import_bundles(inputs, province=pc)
        _print_lines(res, out)
        if res.backup:
            out(f"Đã sao lưu cơ sở dữ liệu trước khi nhập: {res.backup}")
        if not res.bundles:
            return _nothing(out, res)
        only = res.groups
        for p in upper.write_workbook(xlsx, province=pc, template=template, period=period, only=only):
            out(f"Đã ghi bảng tổng hợp: {p}")
        for tid, per in upper.chosen_groups(pc, template, period, only):
            from nq57desk.upper import completeness_line

            out(f"Mẫu {tid}, kỳ {per}: {completeness_line(upper.completeness(tid, per, pc))}")
        if docx_p:
            for p in upper.write_docx(docx_p, province=pc, template=template, period=period, only=only):
                out(f"Đã ghi báo cáo tổng hợp: {p}")
        if csv_p:
            n = upper.write_csv(csv_p, province=pc, template=template, period=period, only=only)
            out(f"Đã ghi tệp CSV (DHIS2): {csv_p} ({n} dòng số liệu)")
    finally:
        desk.close()
    return 0 if res.ok else 1


def _province(code) -> str | None:
    from nq57desk.aggregate.collect import check_province

    try:
        return check_province(code)
    except NQError as e:
        raise UsageError(str(e)) from None


def _print_lines(res, out) -> None:
    for ln in res.lines:
        who = f"{ln.commune_code} {ln.commune_name} {ln.period} lần {ln.revision}".strip() if ln.commune_code else ""
        out("\t".join(x for x in (ln.status_vi, ln.source, who, ln.message) if x))
    out(res.summary())


def _nothing(out, res) -> int:
    if any(ln.status == "rejected" and ln.reason != "no_bundle" for ln in res.lines):
        out("Không nhận được gói báo cáo nào (các tệp đều bị từ chối, xem lý do ở trên); chưa tổng hợp gì.")
    else:
        out("Không tìm thấy gói báo cáo NQ57 (.xlsx) nào trong các tệp, thư mục đã cho; chưa tổng hợp gì.")
    return 1


def _keys(desk, args) -> int:
    """The installation's own key code (read to the upper level over the phone), and the upper level's registry."""
    up = desk.upper()
    if args.import_file:
        new, old = up.import_keys(args.import_file)
        _out(f"Đã nhập {new} khóa mới (đã xác nhận); {old} khóa đã có từ trước.")
        return 0
    if args.export_file:
        n = up.export_keys(args.export_file)
        _out(f"Đã ghi {n} khóa đã xác nhận ra «{args.export_file}».")
        return 0
    if args.confirm:
        for code in up.confirm_key(args.confirm, args.fingerprint):
            _out(f"Đã xác nhận khóa {code} của xã {args.confirm}; các gói xã đã gửi bằng khóa này được dùng để tổng hợp.")
        return 0
    _out(f"Mã khóa ký của máy này\t{desk.key_fingerprint()}")
    for k in up.keys():
        state = "đã xác nhận" if k["status"] == "confirmed" else "khóa lạ — chờ xác nhận"
        _out("\t".join((k["commune_code"], k["commune_name"], k["fingerprint"], state)))
    return 0


_COMMANDS = {"backup": _backup, "templates": _templates, "import": _import, "import-docx": _import_docx, "list": _list,
             "dump": _dump, "validate": _validate, "export": _export, "keys": _keys, "mail": _mail, "send": _mail,
             "outbox": _mail, "receive": _mail}


def _gui(module: str):
    """The GUI is loaded by name: the core never imports it (import-linter keeps that true)."""
    import importlib

    return importlib.import_module(f"nq57desk.gui.{module}")


def _run_gui(data_dir) -> int:
    import gc

    # Start-up allocates hundreds of thousands of long-lived objects (Qt's enums, modules, the report): the cyclic
    # collector would scan them again and again for nothing (a quarter of start-up on this machine). It is switched
    # back on, with those objects frozen out of its way, once the data folder is open (gui.app.collector_on).
    gc.disable()
    try:
        run = _gui("shell.app").run
    except ImportError as e:
        sys.stderr.write(f"Lỗi: không mở được giao diện ({e}).\n")
        return 2
    return run(data_dir)


if __name__ == "__main__":
    sys.exit(main())
