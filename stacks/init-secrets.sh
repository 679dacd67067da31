#!/usr/bin/env bash
# Writes the secret files the compose stacks read (stacks/secrets/, never committed), once: existing files are kept.
#   stacks/init-secrets.sh
#   OPENAI_API_KEY=sk-… ANTHROPIC_API_KEY=… stacks/init-secrets.sh     (LLM keys are taken from the environment; an
#                                                                      empty file leaves that provider out)
# The directory is 0700 (nobody else on the host gets in); the files are 0644 because the services run as uid 10001
# inside their containers and read them through a bind mount.
set -euo pipefail
dir="$(cd "$(dirname "$0")" && pwd)/secrets"
mkdir -p "$dir"
chmod 0700 "$dir"

random() { head -c 32 /dev/urandom | base64 | tr -d '/+=\n' | head -c 40; }
write() {  # name value
    local file="$dir/$1"
    if [[ -e "$file" ]]; then
        echo "kept    $file"
        return
    fi
    printf '%s' "$2" > "$file"
    chmod 0644 "$file"
    echo "written $file"
}

write postgres_password "$(random)"
write database_url "postgres://uat:$(cat "$dir/postgres_password")@postgres:5432/uat"
write encryption_key "$(random)"
write grafana_admin_password "$(random)"
write openai_api_key "${OPENAI_API_KEY:-}"
write anthropic_api_key "${ANTHROPIC_API_KEY:-}"
write openai_compatible_api_key "${OPENAI_COMPATIBLE_API_KEY:-}"
# svc-memory's key for svc-ml and svc-vector: made in svc-auth once it runs (see stacks/README.md), empty until then.
write memory_service_api_key "${MEMORY_SERVICE_API_KEY:-}"
