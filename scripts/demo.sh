#!/usr/bin/env bash
# Run by `task demo` (which sets the ZAPGATE_* variables and migrates a fresh
# database): starts bin/zapgate in the background, runs the seeder in the
# foreground, and stops zapgate when the seeder ends (Ctrl-C included).
# Arguments go to zapdemo.
set -euo pipefail

mkdir -p data bin
go build -o bin/zapdemo ./cmd/zapdemo
./bin/zapgate serve > data/demo-zapgate.log 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
echo "zapgate: serving on $ZAPGATE_PUBLIC_URL (log: data/demo-zapgate.log)"
./bin/zapdemo -url "$ZAPGATE_PUBLIC_URL" "$@"
