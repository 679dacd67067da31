#!/usr/bin/env bash
# svc-ml embedding benchmark: raw in-process ONNX vs the service over HTTP, dynamic batching on and off.
# Usage: bench/ml/run.sh [SECONDS per phase, default 15]     (run from anywhere; needs JDK 21+ and Maven)
# Prints RESULT lines and the ratios the issue asks for. The service runs with ML_REQUIRE_AUTH=false on port 18010.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER_PHASE="${1:-15}"
PORT="${BENCH_ML_PORT:-18010}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
mvn -B -q -f svc-ml/pom.xml package -DskipTests
CP="svc-ml/target/svc-ml.jar:svc-ml/target/libs/*"
OUT="$(mktemp -d)"
bench() { "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$CP" bench/ml/EmbeddingBench.java "$@" 2>/dev/null \
            | grep RESULT | tee -a "$OUT/results"; }

start_service() {   # $1 = max batch size
    ML_PORT="$PORT" ML_REQUIRE_AUTH=false ML_MODELS=all-minilm-l6-v2 ML_BATCH_MAX_SIZE="$1" \
        "$JAVA" --enable-native-access=ALL-UNNAMED -jar svc-ml/target/svc-ml.jar >"$OUT/service-$1.log" 2>&1 &
    SERVICE_PID=$!
    for _ in $(seq 1 120); do
        curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && return 0
        sleep 0.5
    done
    echo "svc-ml did not become ready; log:" >&2; cat "$OUT/service-$1.log" >&2; kill "$SERVICE_PID"; exit 1
}
stop_service() { kill "$SERVICE_PID"; wait "$SERVICE_PID" 2>/dev/null || true; }

echo "== raw in-process ONNX (the floor)"
bench raw "$SECONDS_PER_PHASE" all-minilm-l6-v2 32
bench raw "$SECONDS_PER_PHASE" all-minilm-l6-v2 1

echo "== service, dynamic batching on (max batch 32, max wait 2 ms)"
start_service 32
bench http "http://127.0.0.1:$PORT" 32 1 "$SECONDS_PER_PHASE"
bench http "http://127.0.0.1:$PORT" 1 32 "$SECONDS_PER_PHASE"
bench http "http://127.0.0.1:$PORT" 4 32 "$SECONDS_PER_PHASE"
curl -s "http://127.0.0.1:$PORT/metrics" | grep -E '^ml_embedding_(batches|texts)_total\{model="all-minilm-l6-v2"' \
    | tee "$OUT/batches"
stop_service

echo "== service, batching off (max batch 1)"
start_service 1
bench http "http://127.0.0.1:$PORT" 32 1 "$SECONDS_PER_PHASE"
stop_service

rate() { grep -F "$1" "$OUT/results" | sed -E 's/.*sentences\/s= *([0-9.]+).*/\1/' | head -1; }
RAW=$(rate "raw-onnx batch=32 ")
SINGLE_ON=$(grep -F "clients=32 per-request=1 " "$OUT/results" | head -1 | sed -E 's/.*sentences\/s= *([0-9.]+).*/\1/')
SINGLE_OFF=$(grep -F "clients=32 per-request=1 " "$OUT/results" | tail -1 | sed -E 's/.*sentences\/s= *([0-9.]+).*/\1/')
BATCH1=$(rate "clients=1 per-request=32 ")
BATCH4=$(rate "clients=4 per-request=32 ")
BATCHES=$(grep batches "$OUT/batches" | awk '{print $2}')
TEXTS=$(grep texts "$OUT/batches" | awk '{print $2}')
awk -v raw="$RAW" -v on="$SINGLE_ON" -v off="$SINGLE_OFF" -v b1="$BATCH1" -v b4="$BATCH4" -v nb="$BATCHES" -v nt="$TEXTS" 'BEGIN {
    printf "RATIO http batch requests (1 client x 32) / raw batch 32     = %.2f  (target >= 0.8)\n", b1 / raw
    printf "RATIO http batch requests (4 clients x 32) / raw batch 32    = %.2f\n", b4 / raw
    printf "RATIO 32 single clients, batching on / batching off          = %.2f  (target >= 3)\n", on / off
    printf "RATIO 32 single clients, batching on / raw batch 32          = %.2f\n", on / raw
    if (nb > 0) printf "mean texts per model call while batching was on            = %.1f\n", nt / nb
}'
rm -rf "$OUT"
