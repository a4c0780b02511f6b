#!/usr/bin/env bash
# Render the example report of the sample data and take its screenshot in headless Chromium.
#
#   scripts/screenshot.sh [REPORT.html [SCREENSHOT.png [WIDTHxHEIGHT]]]
#
# Defaults: docs/example-report.html and docs/example-report.png at 1280x3900. Installs
# Debian's chromium when it is missing (needs root). Not part of `make test`: CI does not
# need a browser.
set -euo pipefail
cd "$(dirname "$0")/.."

html=${1:-docs/example-report.html}
png=${2:-docs/example-report.png}
size=${3:-1280x3900}
bin=.venv/bin

if [[ $html == docs/example-report.html ]]; then
  # A fixed period and as-of date so the example only changes when the code does.
  mkdir -p docs
  "$bin/funnelctl" audit configs/demo.yaml --period 2026-10-01..2026-10-31 \
    --as-of 2026-11-01 --compare previous --format html --output "$html" --quiet \
    --fail-on never
fi

browser=$(command -v chromium || command -v chromium-browser || true)
if [[ -z $browser ]]; then
  apt-get update && apt-get install -y chromium
  browser=$(command -v chromium)
fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$profile" --hide-scrollbars --screenshot="$(realpath -m "$png")" \
  --window-size="${size/x/,}" "file://$(realpath "$html")" 2>/dev/null
echo "wrote $png"
