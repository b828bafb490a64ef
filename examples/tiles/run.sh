#!/usr/bin/env bash
# Histograms of tiles 1..30 with one retry each, a rerun of what still failed, and the sum of all histograms.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SPOOL=${SPOOL:-$HERE/../../bin/spool}
MARKERS=${MARKERS:-$(mktemp -d /tmp/spool-tiles.XXXXXX)}
LAST=30

fid=$("$SPOOL" function create "$HERE/tiles.py:histogram" --memory 256Mi --maximum-concurrency 4 --retry-count 1) \
  || exit
for tile in $(seq 1 "$LAST"); do echo "[$tile, \"$MARKERS\"]"; done \
  | "$SPOOL" job submit "$fid" --file - --tag tiles --wait --progress never
status=$?
if [[ $status -eq 1 ]]; then          # some tiles failed both attempts: run them once more
  "$SPOOL" job list "$fid" --status FAILURE
  "$SPOOL" job rerun --function "$fid" --status FAILURE
  "$SPOOL" function wait "$fid" --progress never || exit
elif [[ $status -ne 0 ]]; then
  exit "$status"
fi
"$SPOOL" job list "$fid" --sort id
for tile in $(seq 1 "$LAST"); do "$SPOOL" job result "$fid-$tile"; done \
  | (cd "$HERE" && python3 aggregate.py --expect 1 "$LAST")
