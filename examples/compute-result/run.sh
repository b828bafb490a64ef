#!/usr/bin/env bash
# Four cells with tagged, described results; then searches of the results by tag.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SPOOL=${SPOOL:-$HERE/../../bin/spool}

fid=$("$SPOOL" function create "$HERE/survey.py:survey" --memory 256Mi --maximum-concurrency 2)
"$SPOOL" job submit "$fid" '[0, 0]' '[0, 1]' '[1, 0]' '[1, 1]' --wait --progress never
"$SPOOL" blob list --function "$fid" --tag survey
"$SPOOL" blob list --function "$fid" --tag row-1 --json
"$SPOOL" blob get "$fid/$fid-4" --metadata
"$SPOOL" blob get "$fid/$fid-4"
