#!/usr/bin/env bash
# Build the onedir app on Linux and run its self-test: the CI check of the spec and of the frozen app.
# (Windows builds need Windows: build_scripts/build_windows.ps1; PyInstaller does not cross-compile.)
#
#   build_scripts/build_linux.sh                         # own build venv in build/venv-build
#   BUILD_PY=.venv/bin/python build_scripts/build_linux.sh   # use an existing environment instead
#
# Output: dist/nq57desk/ (run dist/nq57desk/nq57desk). Exit code non-zero if the build or the self-test fails.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
start=$(date +%s)

PY="${BUILD_PY:-}"
case "$PY" in */*) PY="$(cd "$(dirname "$PY")" && pwd)/$(basename "$PY")" ;; esac  # relative to where you are
cd "$ROOT"
if [ -z "$PY" ]; then
  VENV="$ROOT/build/venv-build"
  if [ ! -x "$VENV/bin/python" ]; then
    echo "== creating the build environment $VENV"
    python3 -m venv "$VENV"
  fi
  PY="$VENV/bin/python"
fi
"$PY" -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ needed"'

echo "== installing nq57desk[build] into $("$PY" -c 'import sys; print(sys.prefix)')"
"$PY" -m pip install -q --disable-pip-version-check -e ".[build]"

echo "== PyInstaller"
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$ROOT/dist" --workpath "$ROOT/build/pyinstaller" build_scripts/nq57desk.spec
built=$(date +%s)

APP="$ROOT/dist/nq57desk/nq57desk"
echo "== frozen app: --version and selftest (from an unrelated folder, no display)"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
rc=0
(
  cd "$scratch"
  "$APP" --version
  QT_QPA_PLATFORM=offscreen "$APP" selftest
) || rc=$?

echo "== size"
du -sm "$ROOT/dist/nq57desk"
echo "build $((built - start)) s, self-test $(( $(date +%s) - built )) s"
if [ "$rc" != 0 ]; then
  echo "FAILED: the frozen app's self-test (exit code $rc)" >&2
fi
exit "$rc"
