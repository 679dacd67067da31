#!/usr/bin/env bash
# Static checks of the compose stacks (no Docker engine needed):
#  1. every compose file against the compose-spec schema and dclint's rules (npm's dclint, installed into
#     stacks/.tools when missing; settings in stacks/.dclintrc);
#  2. every documented combination of files with Debian's docker-compose 1.29 (`config -q`; apt-get installs it when
#     missing). compose.full.yml uses `include` (Compose ≥ 2.20), which 1.29 does not know: for it docker-compose checks
#     the same files as a -f chain instead;
#  3. edge-kong/kong.yml with `edge-kong validate`, and rendered the way edge-sync renders it in the stack (its
#     environment taken from the merged compose config), then validated again.
# Exit status: 0 when everything passes, 1 when anything fails (every failure is printed before that).
set -uo pipefail
cd "$(dirname "$0")"
STACKS="$(pwd)"
ROOT="$(cd .. && pwd)"
DCLINT_VERSION=3.1.0
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# The combinations stacks/README.md documents (stacks-checks verifies the README uses exactly these).
COMBINATIONS=(
  "compose.yml"
  "compose.yml compose.dev.yml"
  "compose.yml compose.prod.yml"
  "compose.yml compose.telemetry.yml"
  "compose.full.yml"
  "compose.yml compose.ollama.yml"
  "compose.yml compose.gpu.yml"
  "compose.yml compose.ollama.yml compose.gpu.yml"
  "compose.yml compose.redis.yml"
  "compose.yml compose.ml.yml"
  "compose.yml compose.dev.yml compose.telemetry.yml"
  "compose.yml compose.prod.yml compose.telemetry.yml"
  "compose.yml compose.prod.yml compose.redis.yml compose.ml.yml"
)
# What compose.full.yml includes, for docker-compose 1.29.
FULL_AS_CHAIN="compose.yml compose.telemetry.yml compose.ollama.yml"

# --- tools ---------------------------------------------------------------------------------------------------------
if ! command -v docker-compose >/dev/null 2>&1; then
  echo "validate: installing docker-compose (Debian)…"
  if command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose) >/dev/null 2>&1 \
      || fail "apt-get install docker-compose failed"
  else
    fail "docker-compose is missing and there is no apt-get to install it"
  fi
fi
DCLINT="$STACKS/.tools/node_modules/.bin/dclint"
if [[ ! -x "$DCLINT" ]]; then
  echo "validate: installing dclint $DCLINT_VERSION into stacks/.tools…"
  if command -v npm >/dev/null 2>&1; then
    npm install --prefix "$STACKS/.tools" --no-audit --no-fund --silent "dclint@$DCLINT_VERSION" >/dev/null 2>&1 \
      || fail "npm install dclint@$DCLINT_VERSION failed"
  else
    fail "dclint is missing and there is no npm to install it"
  fi
fi

# --- 1. dclint on every file ---------------------------------------------------------------------------------------
files=(compose*.yml)
if [[ -x "$DCLINT" ]]; then
  if "$DCLINT" -c "$STACKS/.dclintrc" --no-color "${files[@]}"; then
    echo "ok   dclint: ${files[*]}"
  else
    fail "dclint: ${files[*]}"
  fi
fi

# --- 2. docker-compose config on every combination -----------------------------------------------------------------
compose_config() {  # files… ; prints docker-compose's error on failure
  local args=()
  for f in "$@"; do args+=(-f "$f"); done
  docker-compose "${args[@]}" config -q
}
if command -v docker-compose >/dev/null 2>&1; then
  for combination in "${COMBINATIONS[@]}"; do
    # shellcheck disable=SC2086
    set -- $combination
    label="$*"
    if [[ "$combination" == "compose.full.yml" ]]; then
      # shellcheck disable=SC2086
      set -- $FULL_AS_CHAIN
      label="compose.full.yml (as: $*; docker-compose 1.29 does not know 'include')"
    fi
    if compose_config "$@"; then
      echo "ok   docker-compose config: $label"
    else
      fail "docker-compose config: $label"
    fi
  done
fi

# --- 3. edge-kong validate + render as the stack does ---------------------------------------------------------------
JAR="$ROOT/edge-kong/target/edge-kong.jar"
JAVA_HOME_FOUND="$("$ROOT/uat" java-home 2>/dev/null)" || JAVA_HOME_FOUND=""
JAVA="${JAVA_HOME_FOUND:+$JAVA_HOME_FOUND/bin/}java"
if [[ ! -f "$JAR" ]]; then
  echo "validate: building edge-kong…"
  (cd "$ROOT" && JAVA_HOME="$JAVA_HOME_FOUND" mvn -B -q -ntp -f edge-kong/pom.xml package -DskipTests) \
    || fail "could not build edge-kong"
fi
if [[ -f "$JAR" ]]; then
  if "$JAVA" -jar "$JAR" validate "$ROOT/edge-kong/kong.yml"; then
    echo "ok   edge-kong validate edge-kong/kong.yml"
  else
    fail "edge-kong validate edge-kong/kong.yml"
  fi
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  for combination in "compose.yml" "compose.yml compose.telemetry.yml"; do
    # shellcheck disable=SC2086
    set -- $combination
    args=()
    for f in "$@"; do args+=(-f "$f"); done
    # edge-sync's environment in the merged config, one NAME=value per line
    if ! docker-compose "${args[@]}" config > "$tmp/merged.yml" \
        || ! python3 -c 'import sys, yaml
env = yaml.safe_load(open(sys.argv[1]))["services"]["edge-sync"]["environment"]
print("\n".join(f"{k}={v}" for k, v in env.items()))' "$tmp/merged.yml" > "$tmp/edge.env"; then
      fail "could not read edge-sync's environment from: $combination"
      continue
    fi
    mapfile -t edge_env < "$tmp/edge.env"
    if env -i PATH="$PATH" "${edge_env[@]}" "$JAVA" -jar "$JAR" render "$ROOT/edge-kong/kong.yml" -o "$tmp/kong.yml" \
        && "$JAVA" -jar "$JAR" validate "$tmp/kong.yml" \
        && ! grep -q '\${' "$tmp/kong.yml"; then
      echo "ok   kong.yml rendered with edge-sync's environment ($combination) and validated"
    else
      fail "kong.yml rendered with edge-sync's environment ($combination)"
    fi
  done
fi

if (( failures > 0 )); then
  echo "stacks/validate.sh: $failures check(s) failed" >&2
  exit 1
fi
echo "stacks/validate.sh: all checks passed"
