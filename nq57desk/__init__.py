"""nq57desk: offline reporting on Resolution 57-NQ/TW for commune People's Committees."""

# A literal, not importlib.metadata: reading the installed metadata costs startup time on a slow disk.
# tests/test_packaging.py keeps it equal to pyproject.toml's version.
__version__ = "0.1.0"
