#!/usr/bin/env bash
# svc-auth benchmarks.
#  1. JMH: verifying one RS256 access token — svc-kit's JwtVerifier (JWKS cached) vs nimbus's raw RSASSAVerifier vs the
#     JDK signature alone; one thread (throughput per core) and sampled latency (p50/p99).
#  2. Login under load at the bulkhead limit: svc-auth as its own process (java -jar, OWASP Argon2id m=19456 KiB t=2 p=1,
#     HASH_CONCURRENCY = cores, HASH_QUEUE = 4 x cores), a loopback driver with CLIENTS = concurrency (at the limit),
#     8x that (saturated: the bounded queue fills) and 32x (overload: beyond the queue, 503 + Retry-After at once).
#     Prints logins/s, p50/p99 and the service's resident memory (start, sampled peak, VmHWM).
# Usage: bench/auth/run.sh [LOAD_SECONDS per phase, default 20]   (BENCH_AUTH_PARTS="jmh load" by default; pick one)
# Needs JDK 21+, Maven, and PostgreSQL + Redis (DATABASE_URL's server, default postgres://postgres@127.0.0.1:5432;
# REDIS_URL, default redis://127.0.0.1:6379). Uses a throw-away database uat_auth_bench and Redis prefix uat:authbench:.
set -euo pipefail
cd "$(dirname "$0")/../.."
# a JDK >= 21 found by the project (./uat java-home), also for Maven, whatever java the shell has
JDK=$(./uat java-home)
export JAVA_HOME=$JDK PATH=$JDK/bin:$PATH
JAVA="$JDK/bin/java"
LOAD_SECONDS="${1:-20}"
PORT="${BENCH_AUTH_PORT:-18015}"
PG_ADMIN_URL="${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}"
SERVICE_HEAP="${BENCH_AUTH_HEAP:-256m}"
CORES="$(nproc)"
PARTS="${BENCH_AUTH_PARTS:-jmh load}"

mvn -B -q -f pom.xml -pl svc-kit-infra,svc-kit install -DskipTests
rm -f svc-auth/target/svc-auth.jar   # the jar plugin keeps a stale manifest Class-Path when only dependencies changed
mvn -B -q -f svc-auth/pom.xml package -DskipTests
mvn -B -q -f bench/auth/pom.xml package -DskipTests
CP="bench/auth/target/classes:bench/auth/target/libs/*"
OUT="$(mktemp -d)"

if [[ " $PARTS " == *" jmh "* ]]; then
echo "== 1. token verification (JMH, 1 thread)"
"$JAVA" -cp "$CP" org.openjdk.jmh.Main 'ai.universal.bench.auth.TokenVerifyBench' \
    -bm thrpt,sample -tu us -f 1 -wi 3 -w 2s -i 5 -r 2s -t 1 -rf json -rff "$OUT/jmh.json" 2>/dev/null \
    | sed -n '/^Benchmark/,$p' | grep -vE 'p0\.(0000|9990|9999)|p1\.00' | tee "$OUT/jmh.txt"
fi
[[ " $PARTS " == *" load "* ]] || exit 0

echo "== 2. login under load (svc-auth -Xmx$SERVICE_HEAP, HASH_CONCURRENCY=$CORES)"
psql "$PG_ADMIN_URL/postgres" -q -c "DROP DATABASE IF EXISTS uat_auth_bench WITH (FORCE)" -c "CREATE DATABASE uat_auth_bench"
AUTH_PORT="$PORT" DATABASE_URL="$PG_ADMIN_URL/uat_auth_bench" REDIS_KEY_PREFIX="uat:authbench:" \
    LOGIN_ACCOUNT_FREE_FAILURES=1000 "$JAVA" "-Xmx$SERVICE_HEAP" -jar svc-auth/target/svc-auth.jar >"$OUT/service.log" 2>&1 &
SERVICE_PID=$!
trap 'kill $SERVICE_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && break
    sleep 0.5
done
curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null || { echo "svc-auth did not start:"; cat "$OUT/service.log"; exit 1; }
load() { "$JAVA" -cp "$CP" ai.universal.bench.auth.LoginLoad "http://127.0.0.1:$PORT" "$SERVICE_PID" "$@" | tee -a "$OUT/load.txt"; }
load "$CORES" "$LOAD_SECONDS" 20000 at-limit
load $((CORES * 8)) "$LOAD_SECONDS" 20000 saturated
load $((CORES * 32)) "$LOAD_SECONDS" 20000 overload
kill "$SERVICE_PID"; wait "$SERVICE_PID" 2>/dev/null || true
psql "$PG_ADMIN_URL/postgres" -q -c "DROP DATABASE IF EXISTS uat_auth_bench WITH (FORCE)"
echo "(results in $OUT)"
