#!/usr/bin/env bash
# Builds svc-vector and this benchmark, then runs it: bench/vector/run.sh [vectors] [dimension] [queries]
set -euo pipefail
cd "$(dirname "$0")"
export JAVA_HOME=$(../../uat java-home)
export PATH="$JAVA_HOME/bin:$PATH"
mvn -B -q -f ../../svc-vector/pom.xml install -DskipTests
mvn -B -q package -DskipTests
java --add-modules jdk.incubator.vector -Xmx6g -jar target/bench-vector.jar "${1:-20000}" "${2:-384}" "${3:-300}"
