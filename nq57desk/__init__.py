"""nq57desk: offline reporting on Resolution 57-NQ/TW for commune People's Committees."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("nq57desk")
except PackageNotFoundError:  # running from a source tree or a frozen bundle
    __version__ = "0.1.0"
