#!/usr/bin/env bash
# svc-ml embedding benchmark: raw in-process ONNX vs the service over HTTP, dynamic batching on and off.
# Usage: bench/ml/run.sh [ROUNDS, default 3] [SECONDS per phase, default 10]     (needs JDK 21+ and Maven)
#        bench/ml/run.sh sweep [SECONDS per point, default 3]   raw model calls only: batch 1..128 x thread layouts
# Two services run side by side (port 18010 batching on, 18011 max batch 1, both ML_REQUIRE_AUTH=false); the client
# runs every phase in turn, ROUNDS times, so a neighbour's load on a shared machine hits all phases alike, and
# prints per-phase RESULT lines, MEDIAN lines and RATIO lines (ratios taken within a round, then the median).
# The batching service runs with svc-ml's defaults (ML_WORKERS, ML_ONNX_THREADS from the environment override them);
# the batching-off service runs one model call at a time on all cores (ML_WORKERS=1, ML_ONNX_THREADS=0), its best
# layout for one request at a time. The raw phases use all cores in one call, and one core in each of two calls at a
# time. BENCH_ML_ONE_WORKER=1 adds a third service with one worker on all cores (the layout before two workers).
set -euo pipefail
cd "$(dirname "$0")/../.."
# a JDK >= 21 found by the project (./uat java-home), also for Maven, whatever java the shell has
JDK=$(./uat java-home)
export JAVA_HOME=$JDK PATH=$JDK/bin:$PATH
JAVA="$JDK/bin/java"
ROUNDS="${1:-3}"
SECONDS_PER_PHASE="${2:-10}"
ON_PORT="${BENCH_ML_PORT:-18010}"
OFF_PORT=$((ON_PORT + 1))
# The jar plugin keeps a stale manifest Class-Path when only dependencies changed: rebuild the jar every time.
rm -f svc-ml/target/svc-ml.jar
mvn -B -q -f svc-ml/pom.xml package -DskipTests
CP="svc-ml/target/svc-ml.jar:svc-ml/target/libs/*"
if [ "$ROUNDS" = sweep ]; then
    echo "machine: $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
    "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$CP" bench/ml/EmbeddingBench.java sweep "${2:-3}" 2>/dev/null \
        | grep -E "^SWEEP"
    echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
    exit 0
fi
LOGS="$(mktemp -d)"
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$LOGS"; }
trap cleanup EXIT

start_service() {   # $1 = port, $2 = max batch size, $3 = workers, $4 = ONNX threads per call (0 = cores / workers)
    ML_PORT="$1" ML_REQUIRE_AUTH=false ML_MODELS=all-minilm-l6-v2 ML_BATCH_MAX_SIZE="$2" \
        ML_WORKERS="$3" ML_ONNX_THREADS="$4" \
        "$JAVA" --enable-native-access=ALL-UNNAMED -jar svc-ml/target/svc-ml.jar >"$LOGS/service-$1.log" 2>&1 &
    PIDS+=($!)
}
await_ready() {
    for _ in $(seq 1 120); do
        curl -sf "http://127.0.0.1:$1/health/ready" >/dev/null && return 0
        sleep 0.5
    done
    echo "svc-ml on port $1 did not become ready; log:" >&2; cat "$LOGS/service-$1.log" >&2; exit 1
}

start_service "$ON_PORT" 32 "${ML_WORKERS:-2}" "${ML_ONNX_THREADS:-0}"
start_service "$OFF_PORT" 1 1 0
ONE_WORKER_URL=()
if [ "${BENCH_ML_ONE_WORKER:-0}" = 1 ]; then   # also the layout before two workers: one worker on all cores
    start_service $((ON_PORT + 2)) 32 1 0
    await_ready $((ON_PORT + 2))
    ONE_WORKER_URL=("http://127.0.0.1:$((ON_PORT + 2))")
fi
await_ready "$ON_PORT"
await_ready "$OFF_PORT"
echo "machine: $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$JAVA" --enable-native-access=ALL-UNNAMED -cp "$CP" bench/ml/EmbeddingBench.java suite "$ROUNDS" "$SECONDS_PER_PHASE" \
    "http://127.0.0.1:$ON_PORT" "http://127.0.0.1:$OFF_PORT" "${ONE_WORKER_URL[@]}" 2>/dev/null | grep -E "^(RESULT|MEDIAN|RATIO|--)"
curl -s "http://127.0.0.1:$ON_PORT/metrics" \
    | grep -E '^ml_embedding_(batches|texts)_total\{model="all-minilm-l6-v2"' | awk '{v[$1 ~ /batches/ ? "b" : "t"] = $2}
        END { if (v["b"] > 0) printf "batching on: %d texts in %d model calls = %.1f texts per call\n", v["t"], v["b"], v["t"] / v["b"] }'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
