#!/usr/bin/env bash
# A job returns a numpy array as .npy bytes; the CLI saves them to a file and Java reads them back.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$HERE/../..
SPOOL=${SPOOL:-$ROOT/bin/spool}
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}

fid=$("$SPOOL" function create "$HERE/grid.py:grid" --memory 256Mi)
"$SPOOL" job submit "$fid" '[3, 4]' --wait --progress never
"$SPOOL" blob get "$fid/$fid-1" --metadata
"$SPOOL" blob get "$fid/$fid-1" -o /tmp/spool-grid.npy
python3 -c 'import numpy, sys; print(numpy.load(sys.argv[1]))' /tmp/spool-grid.npy
# the client library's classpath, as bin/spool builds it
CLASSPATH="$(ls "$ROOT"/local/target/spool-local-*.jar | grep -v -e '-tests.jar' | head -n 1):$(cat "$ROOT/local/target/classpath.txt")"
"$JAVA_HOME/bin/java" -cp "$CLASSPATH" "$HERE/NpyMatrix.java" --file /tmp/spool-grid.npy
"$JAVA_HOME/bin/java" -cp "$CLASSPATH" "$HERE/NpyMatrix.java" "$fid-1"
