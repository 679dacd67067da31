#!/usr/bin/env bash
# 12 MP JPEG photo → 512 px wide JPEG thumbnail at quality 80, same file, same run:
#   svc-vision in-process (2 threads), svc-vision over HTTP (2 concurrent clients), libvips vipsthumbnail and
#   ImageMagick convert -thumbnail (2 processes at a time each); then svc-vision with 8 concurrent 12 MP jobs for peak RSS.
# Needs: JDK ≥ 21 (JAVA_HOME), Maven, apt packages libvips-tools imagemagick. Usage: bench/vision/run.sh [N]
set -euo pipefail
cd "$(dirname "$0")/../.."
# a JDK >= 21 found by the project (./uat java-home), also for Maven, whatever java the shell has
JDK=$(./uat java-home)
export JAVA_HOME=$JDK PATH=$JDK/bin:$PATH
JAVA="$JDK/bin/java"
N=${1:-40}
# The service's images live in native memory; the Java heap only holds request and response bodies.
SERVER_OPTS=${SERVER_OPTS:--Xmx256m}
IM=/usr/bin/convert-im6.q16; [ -x "$IM" ] || IM=convert
WORK=$(mktemp -d); trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
SERVER=

mvn -B -q -f svc-vision/pom.xml package -DskipTests
PHOTO=$WORK/photo.jpg
# A photo-like 4000×3000 (12 MP) JPEG: a plasma fractal, seeded so every run uses the same bytes.
"$IM" -seed 7 -size 4000x3000 plasma:fractal -blur 0x1 -quality 90 "$PHOTO"
echo "photo: $(du -k "$PHOTO" | cut -f1) KiB, $(identify -format '%wx%h' "$PHOTO" 2>/dev/null || echo 4000x3000)"
CP="svc-vision/target/classes:svc-vision/target/libs/*"

echo "== svc-vision in-process, 2 threads"
"$JAVA" $SERVER_OPTS --enable-native-access=ALL-UNNAMED -cp "$CP" bench/vision/VisionBench.java inproc "$PHOTO" "$N" 2

start_server() {
    PORT=$(( 20000 + RANDOM % 20000 ))
    VISION_PORT=$PORT VISION_REQUIRE_AUTH=false VISION_WORKERS=$1 VISION_BACKEND=cpu \
        "$JAVA" $SERVER_OPTS --enable-native-access=ALL-UNNAMED -jar svc-vision/target/svc-vision.jar >"$WORK/server.log" 2>&1 &
    SERVER=$!
    for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null && return; sleep 0.1; done
    cat "$WORK/server.log"; exit 1
}
server_peak() { grep VmHWM "/proc/$SERVER/status" | awk '{printf "%d", $2/1024}'; }

echo "== svc-vision over HTTP, 2 concurrent"
start_server 2
"$JAVA" -cp "$CP" bench/vision/VisionBench.java http "$PHOTO" "$N" 2 "http://127.0.0.1:$PORT"
echo "server peak_rss_mib=$(server_peak)"
kill $SERVER; wait $SERVER 2>/dev/null || true

run_tool() { # name, command template using IN/OUT
    local name=$1; shift
    local t0 t1 peak
    t0=$(date +%s.%N)
    seq 1 "$N" | xargs -P 2 -I{} /usr/bin/time -f "%M" -a -o "$WORK/$name.rss" sh -c "$*" _ {}
    t1=$(date +%s.%N)
    peak=$(sort -n "$WORK/$name.rss" | tail -1)
    echo "$name images/s=$(echo "$N / ($t1 - $t0)" | bc -l | xargs printf '%.2f') peak_rss_mib=$((peak / 1024)) (per process)"
}
echo "== libvips vipsthumbnail, 2 at a time"
run_tool vipsthumbnail "vipsthumbnail '$PHOTO' -s 512x -o '$WORK/vips_\$1.jpg[Q=80]'"
echo "== ImageMagick convert -thumbnail, 2 at a time"
run_tool imagemagick "'$IM' '$PHOTO' -thumbnail 512x -quality 80 '$WORK/im_\$1.jpg'"

echo "== svc-vision over HTTP, 8 concurrent 12 MP jobs (peak RSS)"
start_server 8
"$JAVA" -cp "$CP" bench/vision/VisionBench.java http "$PHOTO" "$N" 8 "http://127.0.0.1:$PORT"
echo "server peak_rss_mib=$(server_peak)"
