#!/usr/bin/env bash
# On a machine with an NVIDIA GPU (driver + CUDA 12.9 runtime): build svc-vision with -Pgpu and compare CPU vs CUDA
# (resize, blur, cvtColor, Canny) on a 12 MP image: differences against the README's tolerances and ms per call.
# Then the thumbnail benchmark with VISION_BACKEND=cuda is `bench/vision/run.sh` after this build.
set -euo pipefail
cd "$(dirname "$0")/../.."
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
mvn -B -q -f svc-vision/pom.xml -Pgpu package -DskipTests
"$JAVA" --enable-native-access=ALL-UNNAMED -cp "svc-vision/target/classes:svc-vision/target/libs/*" bench/vision/CudaCheck.java
