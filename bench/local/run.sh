#!/usr/bin/env bash
# Standing target of the one-process stack: every /health ready within 15 s of start on 2 cores, and ≤ 1.5 GiB
# resident (the JVM plus its embedded PostgreSQL and Redis) when idle. Peer in the same run: svc-auth alone
# (one service, the same JVM flags, the same embedded database) — the ratio says what the whole platform costs over
# its smallest useful part.
#   usage: bench/local/run.sh [runs]     (after ./uat build; ./uat bench local does both)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${1:-3}"
JAVA="$(./uat java-home)/bin/java"
JAVA_OPTS=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -XX:MaxRAMPercentage=50)
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

ms() { date +%s%3N; }

tree_rss_kib() {  # RSS of a process and all its descendants
  local pids=("$1") i=0
  while [ $i -lt ${#pids[@]} ]; do
    for c in $(pgrep -P "${pids[$i]}" || true); do pids+=("$c"); done
    i=$((i + 1))
  done
  local total=0 p r
  for p in "${pids[@]}"; do
    r=$(awk '/VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)
    total=$((total + ${r:-0}))
  done
  echo "$total"
}

# start "$label" "$data_dir" java args… ; prints "<ms to all ready> <services> <idle RSS MiB>"
measure() {
  local label="$1" data="$2"; shift 2
  local log="$work/$label.log" start pid ports ready
  : >"$log"
  start=$(ms)
  UAT_DATA_DIR="$data" DATABASE_URL= REDIS_URL= AUTH_PORT=0 CHAT_PORT=0 MEMORY_PORT=0 HUB_PORT=0 ML_PORT=0 \
    VISION_PORT=0 VECTOR_PORT=0 EDGE_PORT=0 EDGE_ADMIN_PORT=0 \
    "$JAVA" "${JAVA_OPTS[@]}" "$@" >"$log" 2>&1 &
  pid=$!
  # wait for the stack's "is up" line (or, for a single service, its "listening on" line)
  for _ in $(seq 1 1200); do
    if grep -q "is up in" "$log"; then break; fi
    kill -0 $pid 2>/dev/null || { echo "$label died:" >&2; tail -20 "$log" >&2; exit 1; }
    sleep 0.05
  done
  ports=$(grep -oE "listening on http://[0-9.]+:[0-9]+" "$log" | grep -oE "[0-9]+$" | sort -u)
  for p in $ports; do
    until curl -fs -o /dev/null "http://127.0.0.1:$p/health"; do sleep 0.05; done
  done
  ready=$(( $(ms) - start ))
  sleep 10
  local rss; rss=$(( $(tree_rss_kib $pid) / 1024 ))
  kill -TERM $pid; wait $pid 2>/dev/null || true
  echo "$ready $(echo "$ports" | wc -w) $rss"
}

auth_jar=svc-auth/target/svc-auth.jar
stack_jar=stacks/local/target/uat-local.jar
[ -f "$stack_jar" ] && [ -f "$auth_jar" ] || { echo "build first: ./uat build" >&2; exit 2; }

printf '%-22s %8s %9s %9s\n' "run" "ready_ms" "services" "idle_MiB"
for r in $(seq 1 "$runs"); do
  for kind in cold warm; do
    sdir="$work/stack-data"; adir="$work/auth-data"
    if [ "$kind" = cold ]; then rm -rf "$sdir" "$adir"; fi
    read -r s_ms s_n s_rss < <(measure "stack-$kind" "$sdir" -jar "$stack_jar")
    # svc-auth alone, with the same embedded PostgreSQL and Redis: the same launcher told to start only it
    read -r a_ms a_n a_rss < <(UAT_SERVICES=auth measure "auth-$kind" "$adir" -jar "$stack_jar")
    printf '%-22s %8s %9s %9s\n' "stack $kind #$r" "$s_ms" "$s_n" "$s_rss" "svc-auth alone $kind #$r" "$a_ms" "$a_n" "$a_rss"
    awk -v a="$s_ms" -v b="$a_ms" -v c="$s_rss" -v d="$a_rss" \
      'BEGIN { printf "%-22s %8.2f %9s %9.2f\n", "ratio stack/auth", a / b, "", c / d }'
  done
done
