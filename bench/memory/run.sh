#!/usr/bin/env bash
# svc-memory benchmark: svc-ml, svc-vector and svc-memory started in one JVM (real PostgreSQL and Redis, a test auth
# server), driven over HTTP: single-memory add latency (embedding + dedupe lookup + commit), batch add throughput,
# time until everything is searchable (outbox relay → svc-vector), hybrid search p50/p99 — at each size given.
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust) and Redis on 127.0.0.1:6379 (or DATABASE_URL / REDIS_URL).
# Usage: bench/memory/run.sh [sizes, default 10000] (e.g. 10000,100000)   env: SINGLE_ADDS=300 QUERIES=500 CONCURRENCY=4
set -euo pipefail
cd "$(dirname "$0")/../.."
JDK=$(./uat java-home)
export JAVA_HOME=$JDK PATH=$JDK/bin:$PATH
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
for m in svc-ml svc-vector svc-memory; do mvn -B -q -f $m/pom.xml install -DskipTests; done
mvn -B -q -f bench/memory/pom.xml package -DskipTests
exec java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx6g \
     -Dsizes="${1:-10000}" -Dsingle="${SINGLE_ADDS:-300}" -Dqueries="${QUERIES:-500}" -Dconcurrency="${CONCURRENCY:-4}" \
     -jar bench/memory/target/bench-memory.jar
