"""Entry point of the frozen app: nq57desk(.exe) opens the window, nq57desk-cli(.exe) runs commands in a console.

Both executables share one onedir folder and run the same code (nq57desk.cli.main): no command opens the GUI.
"""

import os
import sys


def _streams() -> None:
    # The windowed nq57desk.exe has no console: sys.stdout/sys.stderr are None there, and a command typed after
    # it (nq57desk.exe list) would fail on its first print. Send that output nowhere; nq57desk-cli.exe shows it.
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 - lives as long as the app


if __name__ == "__main__":
    _streams()
    from nq57desk.cli import main

    sys.exit(main())
