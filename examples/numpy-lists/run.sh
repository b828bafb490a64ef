#!/usr/bin/env bash
# Maps squares_and_roots over a generated JSON Lines stream, waits, and prints every result.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SPOOL=${SPOOL:-$HERE/../../bin/spool}
COUNT=${1:-50}

fid=$("$SPOOL" function create "$HERE/arrays.py:squares_and_roots" --memory 256Mi --maximum-concurrency 4)
mapfile -t ids < <(python3 "$HERE/make_jobs.py" "$COUNT" 5 | "$SPOOL" job submit "$fid" --file -)
"$SPOOL" job wait "${ids[@]}" --progress never
for id in "${ids[@]}"; do
  echo "$id $("$SPOOL" job result "$id")"
done
