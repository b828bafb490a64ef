#!/usr/bin/env bash
# Ships the geo_tools package (two modules and a data file) with a pinned requirement and calls it by qualified name.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SPOOL=${SPOOL:-$HERE/../../bin/spool}

fid=$("$SPOOL" function create geo_tools.regions.describe --python-path "$HERE/src" \
  --include-module geo_tools --include-data 'geo_tools/data/*.json' --requirement 'idna==3.20' --memory 256Mi)
"$SPOOL" job submit "$fid" '"bayern"' '"zürich"' --wait --progress never
"$SPOOL" job result "$fid-1"
"$SPOOL" job result "$fid-2"
"$SPOOL" function build-log "$fid" | tail -n 5
