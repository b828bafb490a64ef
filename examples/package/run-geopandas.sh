#!/usr/bin/env bash
# The same package with geopandas as its requirement: the first build installs geopandas (and shapely, pyproj,
# pandas, pyogrio) once; the next function with the same image and requirement reuses that environment.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SPOOL=${SPOOL:-$HERE/../../bin/spool}

start=$(date +%s)
fid=$("$SPOOL" function create geo_tools.shapes.areas --python-path "$HERE/src" \
  --include-module geo_tools --include-data 'geo_tools/data/*.geojson' --requirement 'geopandas>=1.0' --memory 2Gi)
"$SPOOL" job submit "$fid" '[]' --wait --progress never
"$SPOOL" job result "$fid-1"
echo "save to result: $(( $(date +%s) - start )) s"
"$SPOOL" function build-log "$fid" --no-timestamps | grep -E "Successfully installed|reus|stored the environment" || true
