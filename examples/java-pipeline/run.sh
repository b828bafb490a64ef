#!/usr/bin/env bash
# Runs Pipeline.java as a single-file program on the client library's classpath (the one bin/spool uses).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$HERE/../..
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
if [[ ! -f "$ROOT/local/target/classpath.txt" ]]; then "$ROOT/bin/spool" --help >/dev/null; fi   # builds it
CLASSPATH="$(ls "$ROOT"/local/target/spool-local-*.jar | grep -v -e '-tests.jar' | head -n 1):$(cat "$ROOT/local/target/classpath.txt")"
exec "$JAVA_HOME/bin/java" -cp "$CLASSPATH" "$HERE/Pipeline.java" "$HERE/words.py"
