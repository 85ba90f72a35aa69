#!/usr/bin/env bash
# Set up everything bulletin needs on a Debian machine with Python 3.11, idempotently:
# system tools (ffmpeg, espeak-ng; with the test tools also redis-server...) through apt-get only
# when missing, then .venv with the package and its queue extra (Celery over Redis).
# A second run with nothing changed returns in about a second.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v ffmpeg >/dev/null 2>&1 || need_apt+=(ffmpeg)
command -v espeak-ng >/dev/null 2>&1 || need_apt+=(espeak-ng)
if [ "${BULLETIN_TEST_TOOLS:-0}" = 1 ]; then
  command -v gpo >/dev/null 2>&1 || need_apt+=(gpodder)
  command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
  command -v zbarimg >/dev/null 2>&1 || need_apt+=(zbar-tools)  # reads the QR codes back
  command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)  # the queue's broker
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${need_apt[*]} with apt-get" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
    "${need_apt[@]}" >/dev/null
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi

extras="[proof,queue]"  # bulletin proof's speech recognition; the Celery queue
[ "${BULLETIN_TEST_TOOLS:-0}" = 1 ] && extras="[proof,queue,test]"
stamp=".venv/.setup-stamp"
want="$(cat pyproject.toml | sha256sum | cut -c1-16)$extras"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".$extras"
  echo "$want" > "$stamp"
fi
