"""Child for the crash test: `receive`, killed (SIGKILL) right after the import committed and what was taken was
recorded — or, with "before-record", right after the import alone — before the message is marked done."""

import os
import signal
import sys

from nq57desk.mail import receive as rc
from nq57desk.services import Desk

data_dir, where = sys.argv[1], sys.argv[2]
desk = Desk(data_dir, start_backup=False)


def die(*_a, **_k):
    sys.stdout.write("killed\n")
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


if where == "before-mark":
    rc._mark_done = die
else:  # before-record: the import committed, nothing recorded yet
    real = rc._import_batch

    def then_die(*a, **k):
        real(*a, **k)
        die()

    rc._import_batch = then_die
rc.receive(desk)
