#!/usr/bin/env bash
# Container health check: GET /health (svc-kit's readiness: 200, or 503 naming what fails) on HEALTH_PORT.
# bash's /dev/tcp keeps curl out of the image. HTTP/1.1: Helidon answers 505 to HTTP/1.0.
set -uo pipefail
port="${HEALTH_PORT:?HEALTH_PORT is not set}"
exec 3<>"/dev/tcp/127.0.0.1/${port}" || exit 1
printf 'GET /health HTTP/1.1\r\nHost: localhost\r\nUser-Agent: container-healthcheck\r\nConnection: close\r\n\r\n' >&3
IFS= read -r -t "${HEALTH_TIMEOUT:-2}" status <&3 || exit 1
exec 3<&-
[[ "$status" =~ ^HTTP/1\.[01]\ 200 ]]
