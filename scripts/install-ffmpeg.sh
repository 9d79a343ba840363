#!/usr/bin/env bash
# Debian's ffmpeg, which converts voice notes to OGG/Opus (and whose
# conversion the tests exercise). Idempotent: does nothing when `ffmpeg`
# is already on PATH. It only ever comes from Debian's package.
set -euo pipefail

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v ffmpeg >/dev/null 2>&1; then
  echo "ffmpeg: installing Debian's ffmpeg package" >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ffmpeg </dev/null >/dev/null
  command -v ffmpeg >/dev/null 2>&1 || { echo "ffmpeg: still not on PATH after apt-get install ffmpeg" >&2; exit 1; }
fi
echo "ffmpeg: $(ffmpeg -version 2>/dev/null | head -n1) at $(command -v ffmpeg)"
