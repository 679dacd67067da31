#!/usr/bin/env bash
# Keeps Kong's declarative config in step with edge-kong/kong.yml and svc-auth's signing keys.
#  1. render KONG_SOURCE (edge-kong/kong.yml) with this container's environment and svc-auth's JWKS into
#     KONG_RENDERED (the file Kong's KONG_DECLARATIVE_CONFIG names); Kong starts only once this file exists.
#  2. every EDGE_SYNC_INTERVAL seconds: render again and push it to Kong's admin API (check_hash: Kong answers
#     304 when nothing changed), so a key svc-auth adds reaches Kong without a restart.
set -uo pipefail
source="${KONG_SOURCE:-/config/kong.yml}"
rendered="${KONG_RENDERED:-/kong/kong.yml}"
jwks="${JWKS_URL:-${AUTH_SERVICE_URL:-http://svc-auth:8015}/v1/auth/.well-known/jwks.json}"
admin="${KONG_ADMIN_URL:-http://kong:8001}"
interval="${EDGE_SYNC_INTERVAL:-30}"
edge() { java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar /app/app.jar "$@"; }

until edge render "$source" --jwks "$jwks" -o "$rendered"; do
    echo "edge-sync: render failed (svc-auth not answering yet?); again in 5 s" >&2
    sleep 5
done
echo "edge-sync: rendered $rendered"
while sleep "$interval"; do
    # render writes atomically: Kong (re)starting meanwhile reads the old file or the new one, never half of one
    if edge render "$source" --jwks "$jwks" -o "$rendered"; then
        edge push "$rendered" --admin-url "$admin" || echo "edge-sync: push to $admin failed; Kong keeps its config" >&2
    fi
done
