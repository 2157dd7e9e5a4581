"""Run a service call off the GUI thread and get its result (or its error) back on the GUI thread."""

from __future__ import annotations

import os
from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot


class _Relay(QObject):
    """Lives on the GUI thread; the worker emits, Qt queues the call back to the GUI thread."""

    done = Signal(object)
    failed = Signal(object)

    def __init__(self, on_done: Callable | None, on_fail: Callable | None):
        super().__init__()
        self._on_done, self._on_fail = on_done, on_fail
        self.done.connect(self._done)
        self.failed.connect(self._failed)

    @Slot(object)
    def _done(self, result):
        _LIVE.discard(self)
        if self._on_done:
            self._on_done(result)

    @Slot(object)
    def _failed(self, exc):
        _LIVE.discard(self)
        if self._on_fail:
            self._on_fail(exc)


_LIVE: set[_Relay] = set()  # keep relays alive until their job reports


class Job(QRunnable):
    def __init__(self, fn: Callable, relay: _Relay):
        super().__init__()
        self.fn, self.relay = fn, relay
        self.setAutoDelete(True)

    def run(self):
        try:
            result = self.fn()
        except BaseException as e:  # noqa: BLE001 - reported to the GUI thread, never lost
            log_worker_error(self.fn, e)
            self.relay.failed.emit(e)
        else:
            self.relay.done.emit(result)


def log_worker_error(fn: Callable, exc: BaseException) -> None:
    """An unexpected error on a worker goes to the rotating log with its traceback, once, here: the callers only
    show a sentence. NQError is the officer's business (a Vietnamese message), not a fault to log."""
    from nq57desk.errors import NQError
    from nq57desk.safety.logs import log_unexpected

    if isinstance(exc, NQError):
        return
    code = getattr(fn, "__code__", None)
    where = getattr(fn, "__qualname__", type(fn).__name__)
    if code is not None:
        where += f" ({os.path.basename(code.co_filename)}:{code.co_firstlineno})"
    log_unexpected(None, f"trong luồng nền {where}", (type(exc), exc, exc.__traceback__))


def run_async(fn: Callable, on_done: Callable | None = None, on_fail: Callable | None = None,
              pool: QThreadPool | None = None) -> None:
    """fn() runs on a pool thread; on_done(result) / on_fail(exception) run on the GUI thread."""
    relay = _Relay(on_done, on_fail)
    _LIVE.add(relay)
    (pool or QThreadPool.globalInstance()).start(Job(fn, relay))


def serial_pool() -> QThreadPool:
    """One thread: saves of one report never overtake each other."""
    p = QThreadPool()
    p.setMaxThreadCount(1)
    return p
