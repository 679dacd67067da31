#!/usr/bin/env bash
# svc-hub benchmark: idle connections within 1 GiB heap, broadcast latency to N subscribers, per-channel publish
# throughput — svc-hub (java -jar, -Xmx1g, real Redis) and, in the same run, a minimal Node.js ws broadcast server.
# Usage: bench/hub/run.sh [N=10000] [ROUNDS=20] [SECONDS=10]. Needs JDK 21+, Maven, node + npm, Redis (REDIS_URL).
# HUB_JVM_OPTS adds JVM options to svc-hub (e.g. HUB_JVM_OPTS=-XX:StartFlightRecording=filename=/tmp/hub.jfr);
# HUB_BENCH_THREADS sets the driver's selector threads (default 2). Prints the load average before and after: the
# machine is shared, so only same-run ratios against the peer mean much.
set -euo pipefail
cd "$(dirname "$0")/../.."
# a JDK >= 21 found by the project (./uat java-home), also for Maven, whatever java the shell has
JDK=$(./uat java-home)
export JAVA_HOME=$JDK PATH=$JDK/bin:$PATH
JAVA="$JDK/bin/java"
N="${1:-10000}"; ROUNDS="${2:-20}"; SECONDS_TP="${3:-10}"
mvn -B -q -f pom.xml -pl svc-kit-infra,svc-kit install -DskipTests
rm -f svc-hub/target/svc-hub.jar
mvn -B -q -f svc-hub/pom.xml package -DskipTests
mvn -B -q -f bench/hub/pom.xml package -DskipTests
(cd bench/hub && [ -d node_modules/ws ] || npm install --no-audit --no-fund --silent)
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
echo "load before: $(uptime)"
"$JAVA" -Xmx2g -cp "bench/hub/target/classes:bench/hub/target/libs/*" ai.universal.bench.hub.HubLoad \
  svc-hub/target/svc-hub.jar bench/hub/ws-peer.js "$N" "$ROUNDS" "$SECONDS_TP"
echo "load after: $(uptime)"
