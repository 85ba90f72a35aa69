#!/usr/bin/env bash
# Set everything up (test tools included), then run the linter and the whole test suite. The tests
# start and stop the services they need themselves (redis-server, the newsroom, rclone's servers).
set -euo pipefail
cd "$(dirname "$0")/.."
BULLETIN_TEST_TOOLS=1 scripts/setup.sh
.venv/bin/ruff check src tests scripts
.venv/bin/python -m pytest "$@"
