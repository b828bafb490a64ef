#!/usr/bin/env bash
# Ships kernels/fast.pyx; the function's build compiles it with Cython before any job runs.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SPOOL=${SPOOL:-$HERE/../../bin/spool}

fid=$("$SPOOL" function create kernels.run.sum_of_squares --python-path "$HERE/src" --include-module kernels \
  --memory 256Mi)
"$SPOOL" job submit "$fid" 1000 1000000 --wait --progress never
"$SPOOL" job result "$fid-1"
"$SPOOL" job result "$fid-2"
"$SPOOL" function build-log "$fid" | grep -i -e cython -e compiled
