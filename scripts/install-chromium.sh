#!/usr/bin/env bash
# Debian's Chromium for the dashboard's headless browser tests. Idempotent:
# does nothing when `chromium` is already on PATH. The browser only ever
# comes from Debian's package, never from a download.
set -euo pipefail

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v chromium >/dev/null 2>&1; then
  echo "chromium: installing Debian's chromium package" >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium </dev/null >/dev/null
  command -v chromium >/dev/null 2>&1 || { echo "chromium: still not on PATH after apt-get install chromium" >&2; exit 1; }
fi
echo "chromium: $(chromium --version 2>/dev/null | head -n1) at $(command -v chromium)"
