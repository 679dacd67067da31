#!/usr/bin/env bash
# svc-chat benchmark: a fixed-latency OpenAI-compatible upstream (50 ms, 20 tokens) reached directly, through svc-chat
# (java -jar, real PostgreSQL and Redis) and through the local edge (jwt + redis rate-limiting) + svc-chat, interleaved
# in one run; then 1,000 slow streams held open through svc-chat with its heap and RSS sampled.
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust) and Redis on 127.0.0.1:6379 (or DATABASE_URL / REDIS_URL).
# Usage: bench/chat/run.sh   (env: REQUESTS=1000 CONCURRENCY=8 WARMUP=6000 STREAMS=1000)
# CHAT_JVM_OPTS adds JVM options to svc-chat (e.g. CHAT_JVM_OPTS=-XX:StartFlightRecording=filename=/tmp/chat.jfr);
# CHAT_B_JVM_OPTS, CHAT_B_ENV ("NAME=value …") and CHAT_B_JAR start a second svc-chat with other JVM options,
# settings or build, measured in the same interleaved rounds (an A/B);
# CHAT_BENCH_EDGE=off leaves the edge target out; CHAT_JAR measures another build of svc-chat (a copy of svc-chat.jar with its libs/ beside it).
set -euo pipefail
cd "$(dirname "$0")/../.."
JDK=$(./uat java-home)
export JAVA_HOME=$JDK PATH=$JDK/bin:$PATH
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
[ -f svc-chat/target/svc-chat.jar ] || mvn -B -q -f svc-chat/pom.xml package -DskipTests
[ -f edge-kong/target/edge-kong.jar ] || mvn -B -q -f edge-kong/pom.xml package -DskipTests
mvn -B -q -f bench/chat/pom.xml package -DskipTests
exec java -Dsun.net.httpserver.nodelay=true -Drequests="${REQUESTS:-1000}" -Dconcurrency="${CONCURRENCY:-8}" -Dwarmup="${WARMUP:-6000}" -Dstreams="${STREAMS:-1000}" \
     -Dchat.jar="${CHAT_JAR:-svc-chat/target/svc-chat.jar}" -Dedge.jar=edge-kong/target/edge-kong.jar \
     -jar bench/chat/target/bench-chat.jar
