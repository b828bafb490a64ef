#!/usr/bin/env bash
# A job writes 64 MiB of scratch data in its TMPDIR; after the job the directory is gone.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SPOOL=${SPOOL:-$HERE/../../bin/spool}
MEGABYTES=${1:-64}

fid=$("$SPOOL" function create "$HERE/scratch.py:fill" --memory 256Mi)
"$SPOOL" job submit "$fid" "$MEGABYTES" --wait --progress never
result=$("$SPOOL" job result "$fid-1")
echo "$result"
path=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["path"])' "$result")
if [[ -e "$path" ]]; then echo "still there: $path"; exit 1; fi
echo "gone after the job: $path"
