#!/usr/bin/env bash
# svc-memory benchmark: svc-ml, svc-vector and svc-memory started in one JVM (real PostgreSQL and Redis, a test auth
# server), driven over HTTP: load (batch adds with embedding and dedupe; SQL COPY above BULK_ABOVE memories), time until
# everything is searchable (outbox relay → svc-vector), single-memory add latency at that size, hybrid search p50/p99
# against the floor (svc-ml embed + svc-vector search beside one PostgreSQL full-text query, same queries, interleaved).
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust) and Redis on 127.0.0.1:6379 (or DATABASE_URL / REDIS_URL).
# svc-ml and svc-vector come from the local Maven repository (mvn install of the project); svc-memory is rebuilt.
# Usage: bench/memory/run.sh [sizes, default 10000] (e.g. 10000,100000)
#   env: SINGLE_ADDS=300 QUERIES=500 CONCURRENCY=4 BULK_ABOVE=20000
#        OPTIMIZE_SEGMENTS=N: after a bulk load, svc-vector's optimize (merge to at most N segments) before measuring
set -euo pipefail
cd "$(dirname "$0")/../.."
JDK=$(./uat java-home)
export JAVA_HOME=$JDK PATH=$JDK/bin:$PATH
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
mvn -B -q -f svc-memory/pom.xml install -DskipTests
mvn -B -q -f bench/memory/pom.xml package -DskipTests
echo "before: $(uptime)"
java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx6g \
     -Dsizes="${1:-10000}" -Dsingle="${SINGLE_ADDS:-300}" -Dqueries="${QUERIES:-500}" -Dconcurrency="${CONCURRENCY:-4}" \
     -DbulkAbove="${BULK_ABOVE:-20000}" -DoptimizeSegments="${OPTIMIZE_SEGMENTS:-0}" ${BENCH_JVM_OPTS:-} -jar bench/memory/target/bench-memory.jar
echo "after: $(uptime)"
