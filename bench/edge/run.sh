#!/usr/bin/env bash
# Edge benchmark: the same backend reached four ways, same machine, same run, wrk at fixed concurrency with keep-alive.
#   direct     wrk -> backend
#   nginx      wrk -> nginx (Debian package, plain reverse proxy, upstream keep-alive) -> backend
#   edge       wrk -> local edge, no plugins -> backend
#   edge+jwt+rl  wrk -> local edge with jwt (RS256) + rate-limiting (policy redis, 127.0.0.1:6379) -> backend
#   edge+jwt+rl+sync  the same with rate-limiting's sync_rate (SYNC_RATE seconds, default 0.1): counters kept in the
#                edge and synced to Redis that often (Kong's option), instead of a Redis call per request
# Then each proxy at half of its own peak rate, fixed-rate (bench/edge/PacedLoad.java), and the backend alone at the
# same rate, to read the p99 the proxy adds there.
# The backend is an nginx server block answering a fixed 2-byte JSON body (cheapest possible, so the proxy dominates).
# Needs: nginx, wrk, openssl, redis on 127.0.0.1:6379, JDK >= 21. Everything listens on 127.0.0.1 only; every run is
# bounded by DURATION. Usage: bench/edge/run.sh  (env: DURATION=5s ROUNDS=5 WARMUP=15s CONNS=32 THREADS=2 EDGE_JVM_OPTS= EDGE_GC= COMPARE_G1=1
#   HALF_ROUNDS=5 HALF_SECS=5 PACED_CONNS=16 RELAY_PEERS=0 LOW_RATE= COMPARE_HELIDON=1)
# RELAY_PEERS=1 adds bench/edge/RelayPeer.java, the smallest Java relay, on platform threads, on virtual threads and as
# event loops (one selector thread per core, nginx's model), to the fixed-rate part at the edge's rate (what the
# threading model alone costs); LOW_RATE=10000 runs
# nginx, the edge (and the relays) at that rate as well.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
JDK=$(./uat java-home)
JAVA="$JDK/bin/java"
DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-5}
WARMUP=${WARMUP:-15s}
CONNS=${CONNS:-32}
THREADS=${THREADS:-2}
BACKEND=18090; NGINX=18091; EDGE=18092; EDGE_ADMIN=18093; EDGE_P=18094; EDGE_P_ADMIN=18095; EDGE_G1=18096
EDGE_S=18098; EDGE_S_ADMIN=18099
# COMPARE_HELIDON=1 adds the plain edge with the proxy port served by Helidon's listener alone (-Dedge.listener=helidon,
# virtual threads; the edge's listener before stop 19) as a row, and at the edge's rate in the fixed-rate part
COMPARE_HELIDON=${COMPARE_HELIDON:-1}
EDGE_H=18102; EDGE_H_ADMIN=18103
SYNC_RATE=${SYNC_RATE:-0.1}
# The edge runs with the serial collector (a proxy's garbage is short-lived and its heap small; G1's barriers and
# concurrent threads cost throughput on 2 cores); COMPARE_G1=1 adds the plain edge on the JVM's default G1 as a row.
EDGE_GC=${EDGE_GC:--XX:+UseSerialGC}
COMPARE_G1=${COMPARE_G1:-1}
WORK=$(mktemp -d /tmp/edge-bench.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
}
trap cleanup EXIT

JAR="$ROOT/edge-kong/target/edge-kong.jar"
if [ ! -f "$JAR" ]; then
  JAVA_HOME=$JDK mvn -B -q -f edge-kong/pom.xml package -DskipTests
fi

# --- backend + nginx proxy (one nginx, two server blocks; backend 1 worker would starve, so both share `auto`) ---
mkdir -p "$WORK/nginx/logs"
cat > "$WORK/nginx.conf" <<NGINX
worker_processes auto;
pid $WORK/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  upstream backend { server 127.0.0.1:$BACKEND; keepalive 128; }
  server {
    listen 127.0.0.1:$BACKEND;
    location / { default_type application/json; return 200 '{}'; }
  }
  server {
    listen 127.0.0.1:$NGINX;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    }
  }
}
NGINX
nginx -p "$WORK/nginx" -c "$WORK/nginx.conf"

# --- keys and a token as svc-auth issues them (RS256, kid) ---
openssl genrsa -out "$WORK/key.pem" 2048 2>/dev/null
openssl rsa -in "$WORK/key.pem" -pubout -out "$WORK/pub.pem" 2>/dev/null
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
HEADER=$(printf '{"alg":"RS256","typ":"JWT","kid":"bench-key"}' | b64url)
PAYLOAD=$(printf '{"sub":"bench","exp":%d}' $(( $(date +%s) + 3600 )) | b64url)
SIG=$(printf '%s.%s' "$HEADER" "$PAYLOAD" | openssl dgst -sha256 -sign "$WORK/key.pem" -binary | b64url)
TOKEN="$HEADER.$PAYLOAD.$SIG"

ROUTE="bench-$$-$(date +%s)"
cat > "$WORK/plain.yml" <<YML
_format_version: "3.0"
services:
  - name: backend
    url: http://127.0.0.1:$BACKEND
    routes:
      - name: plain
        paths: [/]
YML
{
cat <<YML
_format_version: "3.0"
services:
  - name: backend
    url: http://127.0.0.1:$BACKEND
    routes:
      - name: $ROUTE
        paths: [/]
        plugins:
          - name: jwt
            config: {key_claim_name: kid, claims_to_verify: [exp]}
          - name: rate-limiting
            config: {hour: 1000000000, limit_by: consumer, policy: redis, fault_tolerant: true,
                     redis: {host: 127.0.0.1, port: 6379}}
consumers:
  - username: svc-auth
    jwt_secrets:
      - key: bench-key
        algorithm: RS256
        rsa_public_key: |
YML
sed 's/^/          /' "$WORK/pub.pem"
} > "$WORK/plugins.yml"
sed "s/policy: redis,/policy: redis, sync_rate: $SYNC_RATE,/" "$WORK/plugins.yml" > "$WORK/plugins-sync.yml"
grep -q "sync_rate: $SYNC_RATE" "$WORK/plugins-sync.yml" || { echo "sync_rate not set in plugins-sync.yml"; exit 1; }

start_edge() { # file port admin [gc flags]
  # shellcheck disable=SC2086  # EDGE_JVM_OPTS is a list of JVM flags (e.g. a JFR recording)
  "$JAVA" -Xms512m -Xmx512m ${4-$EDGE_GC} ${EDGE_JVM_OPTS:-} -jar "$JAR" serve "$1" --host 127.0.0.1 --port "$2" --admin-port "$3" --no-watch \
    > "$WORK/edge-$2.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$3/status" >/dev/null && return 0
    sleep 0.2
  done
  echo "edge on $2 did not start:"; cat "$WORK/edge-$2.log"; exit 1
}
start_edge "$WORK/plain.yml" $EDGE $EDGE_ADMIN
start_edge "$WORK/plugins.yml" $EDGE_P $EDGE_P_ADMIN
start_edge "$WORK/plugins-sync.yml" $EDGE_S $EDGE_S_ADMIN
[ "$COMPARE_G1" = 1 ] && start_edge "$WORK/plain.yml" $EDGE_G1 $((EDGE_G1 + 1)) ""
[ "$COMPARE_HELIDON" = 1 ] && start_edge "$WORK/plain.yml" $EDGE_H $EDGE_H_ADMIN "$EDGE_GC -Dedge.listener=helidon"

check() { # url expected-status [header]
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' ${3:+-H "$3"} "$1")
  [ "$code" = "$2" ] || { echo "sanity check failed: $1 answered $code, expected $2"; exit 1; }
}
check "http://127.0.0.1:$EDGE_P/" 401
check "http://127.0.0.1:$EDGE_P/" 200 "Authorization: Bearer $TOKEN"
check "http://127.0.0.1:$EDGE_S/" 401
check "http://127.0.0.1:$EDGE_S/" 200 "Authorization: Bearer $TOKEN"
check "http://127.0.0.1:$EDGE/" 200
check "http://127.0.0.1:$NGINX/" 200

# ms value of a wrk latency figure (us/ms/s)
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; printf "%.3f", v}'; }

# wrk against one target; appends "name rps p50 p99" to $WORK/rounds (or to the file given as 4th argument)
run_wrk() { # name url secs [header]
  local name=$1 url=$2 secs=$3 header=${4:-} out
  if [ -n "$header" ]; then
    out=$(wrk -t"$THREADS" -c"$CONNS" -d"$secs" --latency -H "$header" "$url")
  else
    out=$(wrk -t"$THREADS" -c"$CONNS" -d"$secs" --latency "$url")
  fi
  local errors
  errors=$(echo "$out" | awk '/Non-2xx|Socket errors/ {print}')
  [ -n "$errors" ] && echo "  ($name: $errors)" >&2
  printf '%s %s %s %s\n' "$name" "$(echo "$out" | awk '/Requests\/sec/ {print $2}')" \
    "$(echo "$out" | awk '$1=="50%" {print $2}' | to_ms)" "$(echo "$out" | awk '$1=="99%" {print $2}' | to_ms)" >> "$WORK/rounds"
}

# Throughput: every target warmed for WARMUP, then ROUNDS rounds in which each target gets DURATION in turn; the
# table gives each target's median over the rounds (so drift on a shared machine hits every target alike, and one
# disturbed round does not decide a ratio) and every round's req/s.
measure_all() { # "name url [header]" lines on stdin
  local targets=() line
  while IFS= read -r line; do targets+=("$line"); done
  for line in "${targets[@]}"; do
    read -r name url header <<< "$line"
    if [ -n "$header" ]; then wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" -H "$header" "$url" >/dev/null
    else wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" "$url" >/dev/null; fi
  done
  for _ in $(seq 1 "$ROUNDS"); do
    for line in "${targets[@]}"; do
      read -r name url header <<< "$line"
      run_wrk "$name" "$url" "$DURATION" "$header"
    done
  done
  for line in "${targets[@]}"; do
    read -r name _ <<< "$line"
    echo "$name $(column_median "$name" 2) $(column_median "$name" 3) $(column_median "$name" 4)" >> "$WORK/results"
  done
}
column_median() { # name column -> median of that column over the target's rounds
  awk -v n="$1" -v c="$2" '$1==n {print $c}' "$WORK/rounds" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'
}

# p99 at half of a proxy's peak: PacedLoad (fixed-rate, open-loop, latency from each request's scheduled time, as
# wrk2 measures it) sends peak/2 req/s through the proxy and, at the same rate just before, straight to the backend;
# the difference of the two p99s is what the proxy adds at that load. HALF_ROUNDS interleaved rounds (every target once
# per round, each right after its own direct run), and the medians — one 10 s run moved a p99 by 2-50x here. nginx
# also runs at the edge's rate ("nginx@edge rate"): the peer at the same load as the edge, not only at half its own.
HALF_SECS=${HALF_SECS:-5}
HALF_ROUNDS=${HALF_ROUNDS:-5}
PACED_CONNS=${PACED_CONNS:-16}
mkdir -p "$WORK/pl"
"$JDK/bin/javac" -d "$WORK/pl" bench/edge/PacedLoad.java bench/edge/RelayPeer.java
RELAY_PEERS=${RELAY_PEERS:-0}
LOW_RATE=${LOW_RATE:-}
RELAY_P=18100; RELAY_V=18101; RELAY_L=18108
if [ "$RELAY_PEERS" = 1 ]; then
  for mode in platform:$RELAY_P virtual:$RELAY_V loop:$RELAY_L; do
    "$JAVA" -Xmx256m -XX:+UseSerialGC -cp "$WORK/pl" RelayPeer "${mode#*:}" "$BACKEND" "${mode%%:*}" \
      > "$WORK/relay-${mode%%:*}.log" 2>&1 &
    PIDS+=($!)
  done
  for port in $RELAY_P $RELAY_V $RELAY_L; do
    for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.2; done
    check "http://127.0.0.1:$port/" 200
  done
fi
paced() { # round name url rate [header] -> "round name rate achieved p50 p90 p99 p999 svc_p50 svc_p99 errors" in $WORK/half
  local round=$1 name=$2 url=$3 rate=$4 out
  out=$("$JAVA" -Xmx256m -XX:+UseSerialGC -cp "$WORK/pl" PacedLoad "$url" "$rate" "$HALF_SECS" "$PACED_CONNS" 2 "${@:5}")
  echo "$round $name $rate $out" >> "$WORK/half"
}

: > "$WORK/results"; : > "$WORK/rounds"; : > "$WORK/half"
LOAD_BEFORE=$(cut -d" " -f1-3 /proc/loadavg)
echo "warming up and measuring (each target: $WARMUP warm-up, then $ROUNDS interleaved rounds of $DURATION at $CONNS connections, $THREADS wrk threads)" >&2
{
  echo "direct http://127.0.0.1:$BACKEND/"
  echo "nginx http://127.0.0.1:$NGINX/"
  echo "edge http://127.0.0.1:$EDGE/"
  [ "$COMPARE_G1" = 1 ] && echo "edge(G1) http://127.0.0.1:$EDGE_G1/"
  [ "$COMPARE_HELIDON" = 1 ] && echo "edge(helidon-listener) http://127.0.0.1:$EDGE_H/"
  echo "edge+jwt+rl http://127.0.0.1:$EDGE_P/ Authorization: Bearer $TOKEN"
  echo "edge+jwt+rl+sync http://127.0.0.1:$EDGE_S/ Authorization: Bearer $TOKEN"
} | measure_all

peak() { awk -v n="$1" '$1==n {print $2}' "$WORK/results"; }
half() { # half of a target's peak, or the number given
  if [[ "$1" =~ ^[0-9]+$ ]]; then echo "$1"; else awk -v r="$(peak "$1")" 'BEGIN { printf "%d", r / 2 }'; fi
}
FIXED_TARGETS=(nginx:$NGINX:nginx nginx@edge-rate:$NGINX:edge edge:$EDGE:edge edge+jwt+rl:$EDGE_P:edge+jwt+rl
               edge+jwt+rl+sync:$EDGE_S:edge+jwt+rl+sync)
[ "$COMPARE_HELIDON" = 1 ] && FIXED_TARGETS+=(edge-helidon-listener@edge-rate:$EDGE_H:edge)
[ "$RELAY_PEERS" = 1 ] && FIXED_TARGETS+=(relay-platform@edge-rate:$RELAY_P:edge relay-virtual@edge-rate:$RELAY_V:edge
                                          relay-loop@edge-rate:$RELAY_L:edge)
if [ -n "$LOW_RATE" ]; then
  FIXED_TARGETS+=(nginx@$LOW_RATE:$NGINX:$LOW_RATE edge@$LOW_RATE:$EDGE:$LOW_RATE)
  [ "$RELAY_PEERS" = 1 ] && FIXED_TARGETS+=(relay-platform@$LOW_RATE:$RELAY_P:$LOW_RATE relay-virtual@$LOW_RATE:$RELAY_V:$LOW_RATE
                                            relay-loop@$LOW_RATE:$RELAY_L:$LOW_RATE)
fi
echo "half-peak latency: $HALF_ROUNDS rounds" >&2
for round in $(seq 1 "$HALF_ROUNDS"); do
  for target in "${FIXED_TARGETS[@]}"; do
    IFS=: read -r name port peer <<< "$target"
    rate=$(half "$peer")
    paced "$round" "direct@$name" "http://127.0.0.1:$BACKEND/" "$rate"
    if [[ "$name" = edge+jwt+rl* ]]; then auth=("Authorization: Bearer $TOKEN"); else auth=(); fi
    paced "$round" "$name" "http://127.0.0.1:$port/" "$rate" "${auth[@]}"
  done
done
# per round: added = target p99 - its direct p99 just before; then per target the medians over the rounds
awk '$2 ~ /^direct@/ {d[substr($2, 8)] = $7; next}
     {print $2, $3, $5, $7, $8, d[$2], $7 - d[$2], $11}' "$WORK/half" > "$WORK/half-added"
half_median() { # name column
  awk -v n="$1" -v c="$2" '$1==n {print $c}' "$WORK/half-added" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'
}

NGINX_RPS=$(peak nginx)
echo
echo "load average (1/5/15 min) before: $LOAD_BEFORE, after: $(cut -d" " -f1-3 /proc/loadavg) on $(nproc) cores"
echo
echo "Median of $ROUNDS interleaved rounds of $DURATION each (after $WARMUP warm-up per target):"
echo
echo "| target | req/s | p50 ms | p99 ms | req/s vs nginx | req/s in each round |"
echo "|---|---:|---:|---:|---:|---|"
while read -r name rps p50 p99; do
  printf '| %s | %.0f | %s | %s | %s | %s |\n' "$name" "$rps" "$p50" "$p99" \
    "$(awk -v a="$rps" -v b="$NGINX_RPS" 'BEGIN { printf "%.2f", a / b }')" \
    "$(awk -v n="$name" '$1==n {printf "%s%.0f", (k++ ? ", " : ""), $2}' "$WORK/rounds")"
done < "$WORK/results"
echo
echo "At half of each proxy's peak (PacedLoad: fixed rate, $PACED_CONNS connections, $HALF_ROUNDS interleaved rounds of"
echo "${HALF_SECS}s after 2 s warm-up; latency from each request's scheduled send time; direct = the backend alone at the same"
echo "rate just before; medians over the rounds, added p99 = median of each round's difference):"
echo
echo "| target | rate req/s | p50 ms | p99 ms | p99.9 ms | direct p99 ms | added p99 ms | added p99 in each round | non-2xx |"
echo "|---|---:|---:|---:|---:|---:|---:|---|---:|"
for target in "${FIXED_TARGETS[@]}"; do
  name=${target%%:*}
  printf '| %s | %s | %s | %s | %s | %s | %.3f | %s | %s |\n' "$name" "$(half_median "$name" 2)" "$(half_median "$name" 3)" \
    "$(half_median "$name" 4)" "$(half_median "$name" 5)" "$(half_median "$name" 6)" "$(half_median "$name" 7)" \
    "$(awk -v n="$name" '$1==n {printf "%s%.2f", (k++ ? ", " : ""), $7}' "$WORK/half-added")" \
    "$(awk -v n="$name" '$1==n {s += $8} END {print s + 0}' "$WORK/half-added")"
done
