"""«Hộp thư đi», «Gửi cấp trên qua thư điện tử», «Thiết lập thư điện tử» and the upper level's «Nhận từ hộp thư».

Sending and receiving run on one worker thread of their own (nq57desk.gui.workers), never on the GUI thread; the
package and its PDF are made on the GUI thread when the officer asks (as «Xuất gói» does: Qt's printing wants
it). A timer looks for due items every 30 s, and Qt's QNetworkInformation saying the network is back tries at once
(watched from the first tick on). When the commune reads its own mailbox (IMAP set), the worker looks for the upper
level's «Đã nhận» after each send and every 15 min while the app runs.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from nq57desk.errors import NQError
from nq57desk.gui.qtutil import error, icon, info, when
from nq57desk.gui.workers import run_async, serial_pool

TICK_MS = 30_000
RECEIPTS_MS = 15 * 60_000


def _pdf_maker(desk, rid, path):
    from nq57desk.gui.printout.printing import export_pdf

    export_pdf(desk.template_of(rid), desk.document(rid), path)


class MailController(QObject):
    """The outbox of the open data folder: sends what is due on a worker, one thing at a time."""

    changed = Signal()  # an item changed state (the dialog refreshes)
    message = Signal(str)  # a sentence for the status bar
    report_sent = Signal(int)  # the worker made this report «Đã gửi» (an open editor refreshes its status line)

    def __init__(self, desk_of, parent=None):
        super().__init__(parent)
        self._desk_of = desk_of  # () -> the open Desk or None
        self.busy = False
        self._pool = serial_pool()
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.tick)
        self.timer.start()
        self.receipts_timer = QTimer(self)
        self.receipts_timer.setInterval(RECEIPTS_MS)
        self.receipts_timer.timeout.connect(self.poll_receipts)
        self.receipts_timer.start()
        self.network = None
        self._watching = False

    def _watch_network(self):
        """Qt's view of the OS network state: back online → try at once. None when no backend is available.
        Started at the first tick, not with the window: QtNetwork and its OS backend cost start-up ~15 ms."""
        self._watching = True
        try:
            from PySide6.QtNetwork import QNetworkInformation

            if QNetworkInformation.instance() is None and not QNetworkInformation.loadDefaultBackend():
                return None
            ni = QNetworkInformation.instance()
            if ni is not None:
                ni.reachabilityChanged.connect(self.on_reachability)
            return ni
        except (ImportError, RuntimeError):
            return None

    def on_reachability(self, reach) -> None:
        from PySide6.QtNetwork import QNetworkInformation

        if reach in (QNetworkInformation.Reachability.Online, QNetworkInformation.Reachability.Site):
            self.tick(force=True)

    def outbox(self):
        from nq57desk.mail.outbox import Outbox

        desk = self._desk_of()
        return Outbox(desk, _pdf_maker) if desk is not None else None

    def tick(self, force: bool = False) -> bool:
        """Send what is due (force: every queued item); False when nothing was started."""
        if not self._watching:
            self.network = self._watch_network()
        box = self.outbox()
        if box is None or self.busy:
            return False
        if force:
            for x in box.items():
                if x.state == "queued":
                    box.retry_now(x.id)
        if not box.due():
            return False
        self._start(box.send_due)
        return True

    def poll_receipts(self) -> bool:
        """Look for the upper level's «Đã nhận» on the worker; False when busy (the running send looks after)."""
        box = self.outbox()
        if box is None or self.busy or not box.awaits_receipts():  # no IMAP set, or nothing awaits a receipt
            return False
        self._start(list)
        return True

    def send_report(self, rid: int):
        """«Gửi cấp trên»: make the package (and PDF) here, queue it, try at once on the worker."""
        box = self.outbox()
        item = box.queue(rid)
        if item.again and item.state == "sent":
            return item
        box.retry_now(item.id)
        self.changed.emit()
        if not self.busy:
            self._start(lambda: [box.attempt(item.id)])
        return item

    def retry_now(self, item_id: int) -> None:
        self.outbox().retry_now(item_id)
        self.changed.emit()
        self.tick()

    def cancel(self, item_id: int) -> None:
        self.outbox().cancel(item_id)
        self.changed.emit()

    def _start(self, fn) -> None:
        box = self.outbox()
        self.busy = True
        self.changed.emit()
        run_async(lambda: _work(box, fn), self._done, self._failed, pool=self._pool)

    def _done(self, out) -> None:
        items, receipts, problem = out
        self.busy = False
        for x in items or []:
            self.message.emit(f"Hộp thư đi: báo cáo {x.report_id} lần gửi {x.revision} — {x.state_vi}")
            if x.report_sent:
                self.report_sent.emit(x.report_id)
        if receipts:
            self.message.emit(f"Hộp thư đi: cấp trên đã báo nhận {receipts} thư.")
        elif problem and not items:
            self.message.emit(problem)
        self.changed.emit()

    def _failed(self, exc) -> None:
        self.busy = False
        self.message.emit(str(exc) if isinstance(exc, NQError) else f"Hộp thư đi: lỗi không mong muốn ({type(exc).__name__}).")
        self.changed.emit()


def _work(box, fn) -> tuple[list, int, str]:
    """On the worker: the sends `fn` makes, then a look for receipts when one is awaited; (items as they ended,
    receipts found, what kept it from reading them)."""
    from nq57desk.mail.errors import MailError

    items = fn()
    try:
        return items, (box.check_receipts() if box.awaits_receipts() else 0), ""
    except (MailError, NQError) as e:
        return items, 0, f"Hộp thư đi: chưa đọc được thư báo nhận ({e})"


class OutboxDialog(QDialog):
    """«Hộp thư đi»: every item with its state; «Gửi lại ngay», «Hủy thư»."""

    COLUMNS = ["Số", "Báo cáo", "Lần gửi", "Trạng thái", "Ghi chú"]

    def __init__(self, parent, controller: MailController):
        super().__init__(parent)
        self.setWindowTitle("Hộp thư đi")
        self.resize(820, 360)
        self.ctl = controller
        lay = QVBoxLayout(self)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.Stretch)
        lay.addWidget(self.table)
        self.state = QLabel()
        lay.addWidget(self.state)
        row = QHBoxLayout()
        self.b_retry = QPushButton(icon("redo"), "Gửi lại ngay")
        self.b_cancel = QPushButton("Hủy thư")
        close = QPushButton("Đóng")
        self.b_retry.clicked.connect(lambda: self._on_selected(self.ctl.retry_now))
        self.b_cancel.clicked.connect(lambda: self._on_selected(self.ctl.cancel))
        close.clicked.connect(self.accept)
        for b in (self.b_retry, self.b_cancel):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(close)
        lay.addLayout(row)
        controller.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        box = self.ctl.outbox()
        items = box.items() if box is not None else []
        self.items = items
        self.table.setRowCount(len(items))
        for i, x in enumerate(items):
            for j, text in enumerate([str(x.id), str(x.report_id), str(x.revision), x.state_vi,
                                      x.note or (x.message if x.state != "sent" else "") or ""]):
                it = QTableWidgetItem(text)
                it.setToolTip(text)
                self.table.setItem(i, j, it)
        self.state.setText("Đang gửi…" if self.ctl.busy else
                           ("Hộp thư đi trống." if not items else "Thư chưa gửi được sẽ tự gửi lại khi có mạng."))

    def _on_selected(self, fn) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.items):
            try:
                fn(self.items[row].id)
            except NQError as e:
                error(self, "Hộp thư đi", str(e))


class MailSetupDialog(QDialog):
    """«Thiết lập thư điện tử»: the office's account; the password goes to the OS keyring only."""

    def __init__(self, parent, desk):
        from nq57desk.mail.account import Account

        super().__init__(parent)
        self.setWindowTitle("Thiết lập thư điện tử công vụ")
        self.desk = desk
        acc = Account.from_profile(desk.profile())
        form = QFormLayout(self)
        self.smtp = QLineEdit(f"{acc.smtp_host}:{acc.smtp_port}" if acc.smtp_host else "")
        self.smtp.setPlaceholderText("mail.tinh.gov.vn:465")
        self.security = self._sec(acc.smtp_security)
        self.user = QLineEdit(acc.user)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.Password)
        self.password.setPlaceholderText("để trống: giữ mật khẩu đã cất")
        self.sender = QLineEdit(acc.sender)
        self.to = QLineEdit(", ".join(acc.to))
        self.imap = QLineEdit(f"{acc.imap_host}:{acc.imap_port}" if acc.imap_host else "")
        self.imap.setPlaceholderText("cấp trên: mail.tinh.gov.vn:993")
        self.imap_security = self._sec(acc.imap_security)
        self.ca = QLineEdit(acc.ca_file)
        for label, w in (("Máy chủ gửi thư (SMTP):", self.smtp), ("Bảo mật:", self.security),
                         ("Tên đăng nhập:", self.user), ("Mật khẩu:", self.password), ("Địa chỉ gửi:", self.sender),
                         ("Địa chỉ cấp trên:", self.to), ("Hộp thư nhận (IMAP):", self.imap),
                         ("Bảo mật hộp thư:", self.imap_security), ("Chứng chỉ gốc riêng (nếu có):", self.ca)):
            form.addRow(label, w)
        form.addRow(QLabel("Mật khẩu được cất trong kho mật khẩu của Windows, không ghi vào tệp dữ liệu."))
        bb = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        bb.button(QDialogButtonBox.Save).setText("Lưu")
        bb.button(QDialogButtonBox.Cancel).setText("Hủy")
        bb.accepted.connect(self.save)
        bb.rejected.connect(self.reject)
        form.addRow(bb)

    @staticmethod
    def _sec(value: str) -> QComboBox:
        c = QComboBox()
        for text, key in (("SSL (cổng 465 / 993)", "ssl"), ("STARTTLS (cổng 587 / 143)", "starttls"),
                          ("Không mã hóa (chỉ máy này)", "plain")):
            c.addItem(text, key)
        c.setCurrentIndex(max(0, c.findData(value)))
        return c

    def save(self) -> bool:
        from nq57desk.mail.account import Account, parse_host_port, save_account
        from nq57desk.mail.outbox import Outbox

        try:
            acc = Account(user=self.user.text().strip(), sender=self.sender.text().strip() or self.user.text().strip(),
                          to=[a.strip() for a in self.to.text().split(",") if a.strip()],
                          smtp_security=self.security.currentData(), imap_security=self.imap_security.currentData(),
                          ca_file=self.ca.text().strip())
            if self.smtp.text().strip():
                acc.smtp_host, acc.smtp_port = parse_host_port(self.smtp.text(), "Máy chủ gửi thư")
            if self.imap.text().strip():
                acc.imap_host, acc.imap_port = parse_host_port(self.imap.text(), "Hộp thư nhận")
            save_account(self.desk, acc, self.password.text() or None)
            Outbox(self.desk).requeue_failed()
        except NQError as e:
            error(self, "Thiết lập thư điện tử", str(e))
            return False
        self.accept()
        return True


def install(win) -> MailController:
    """The entries in the main window's menus, and the controller that sends in the background."""
    ctl = MailController(lambda: win.desk, win)
    ctl.message.connect(lambda text: win.statusBar().showMessage(text, 10_000))
    menu: QMenu | None = win.menuBar().findChild(QMenu, "menuExport")
    file_menu: QMenu | None = win.menuBar().findChild(QMenu, "menuFile")
    acts = {}
    for name, text, fn, where in (
        ("actSendMail", "Gửi cấp trên qua thư điện tử", lambda: send_current(win), menu),
        ("actOutbox", "Hộp thư đi…", lambda: OutboxDialog(win, ctl).exec(), menu),
        ("actMailSetup", "Thiết lập thư điện tử…", lambda: setup_mail(win), file_menu),
    ):
        a = QAction(text, win)
        a.setObjectName(name)
        a.triggered.connect(fn)
        if where is not None:
            where.addAction(a)
        acts[name] = a
    win.act.update(acts)
    win.mail = ctl
    ctl.report_sent.connect(lambda rid: _report_sent(win, rid))
    return ctl


def _report_sent(win, rid: int) -> None:
    """The open editor's status line, and the home list, follow a report the outbox just marked «Đã gửi»."""
    s = getattr(win, "session", None)
    if s is not None and s.rid == rid:
        s.reload_status()
    home = getattr(win, "home", None)
    if home is not None and home.isVisible():
        home.refresh()


def setup_mail(win) -> None:
    if win.desk is not None:
        MailSetupDialog(win, win.desk).exec()


def send_current(win) -> None:
    """«Gửi cấp trên qua thư điện tử» for the open report (saved first)."""
    s = getattr(win, "session", None)
    if s is None or win.desk is None:
        return
    try:
        s.flush()
        item = win.mail.send_report(s.rid)
    except NQError as e:
        error(win, "Gửi cấp trên", str(e))
        return
    if item.again and item.state == "sent":
        info(win, "Gửi cấp trên", f"Bản này đã gửi lúc {item.sent_vi}; không gửi lại.")
    else:
        win.statusBar().showMessage("Đã xếp báo cáo vào hộp thư đi; đang gửi…", 10_000)


# -- the upper level ---------------------------------------------------------------------------------------------------

def install_receive(page) -> QAction:
    """«Nhận từ hộp thư» and «Thư bị từ chối» in the upper level window's import menu."""
    a = page.b_import.menu().addAction("Nhận từ hộp thư (thư điện tử)…")
    a.triggered.connect(lambda: start_receive(page))
    page.act_receive = a
    r = page.b_import.menu().addAction("Thư bị từ chối (hộp thư)…")
    r.triggered.connect(lambda: RejectedDialog(page, page.desk).exec() if page.desk is not None else None)
    page.act_rejected = r
    return a


class RejectedDialog(QDialog):
    """«Thư bị từ chối»: each attachment the import refused, with the reason and the message it came in; the
    messages wait in the server folder «NQ57 Bị từ chối» (moved back to the inbox, they are read again)."""

    COLUMNS = ["Nhận lúc", "Thư của (chưa xác thực)", "Tệp", "Lý do"]

    def __init__(self, parent, desk):
        from nq57desk.mail.receive import REJECTED_FOLDER, rejected

        super().__init__(parent)
        self.setWindowTitle("Thư bị từ chối")
        self.resize(900, 380)
        lay = QVBoxLayout(self)
        rows = rejected(desk)
        lay.addWidget(QLabel(
            f"Các thư dưới đây có gói báo cáo bị từ chối; trên máy chủ thư chúng nằm trong thư mục «{REJECTED_FOLDER}» "
            "và không được nhận lại tự động. Khi đã khắc phục nguyên nhân (ví dụ cài thêm mẫu báo cáo), chuyển thư về "
            "Hộp thư đến rồi «Nhận từ hộp thư» lần nữa; nếu không, đề nghị xã gửi lại." if rows else
            "Chưa có thư nào bị từ chối."))
        self.table = QTableWidget(len(rows), len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.Stretch)
        for i, r in enumerate(rows):
            for j, text in enumerate([when(r["taken_at"] or ""), f"{r['sender']}\n{r['sent_date']}",
                                      r["attachment"], r["detail"] or ""]):
                it = QTableWidgetItem(text.replace("\n", " — "))
                it.setToolTip(f"{text}\nMessage-ID: {r['message_id']}")
                self.table.setItem(i, j, it)
        lay.addWidget(self.table)
        bb = QDialogButtonBox(QDialogButtonBox.Close)
        bb.button(QDialogButtonBox.Close).setText("Đóng")
        bb.rejected.connect(self.reject)
        lay.addWidget(bb)


def start_receive(page) -> bool:
    if page.desk is None or page.busy:
        return False
    from nq57desk.mail.receive import receive

    desk = page.desk
    page._set_busy(True)
    page.message.emit("Đang nhận từ hộp thư…")
    run_async(lambda: receive(desk), lambda res: _received(page, res), lambda exc: _receive_failed(page, exc))
    return True


def _received(page, res) -> None:
    page._set_busy(False)
    t = page.lines
    t.setRowCount(len(res.lines))
    for i, ln in enumerate(res.lines):
        for j, text in enumerate([ln.status_vi, ln.attachment, ln.commune, "", "",
                                  f"{ln.message} — thư của {ln.sender} (chưa xác thực), {ln.date}"]):
            it = QTableWidgetItem(text)
            it.setToolTip(text)
            t.setItem(i, j, it)
    page.summary.setText(res.summary())
    page.tabs.setCurrentIndex(1)
    page.refresh(res.groups[0] if res.groups else None)
    page.message.emit(res.summary())
    page.last_receive = res


def _receive_failed(page, exc) -> None:
    page._set_busy(False)
    error(page, "Nhận từ hộp thư", str(exc) if isinstance(exc, NQError) else
          f"Lỗi không mong muốn khi nhận thư ({type(exc).__name__}).", "Các thư đã nhận xong trước lỗi này vẫn được giữ.")
