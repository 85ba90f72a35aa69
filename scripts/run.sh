#!/usr/bin/env bash
# Set everything up, then build a bulletin from examples/ and publish it into public/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/bulletin build examples/*.txt --config examples/bulletin.toml --site public "$@"
echo "Feed: public/feed.xml   Listen: .venv/bin/bulletin serve"
