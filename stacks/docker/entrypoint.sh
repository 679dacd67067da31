#!/usr/bin/env bash
# Container entry point of every service image.
#  - NAME_FILE=/run/secrets/x sets NAME to the file's content (trailing newlines cut), so secrets come from files
#    and never appear in `docker inspect`; the _FILE variable wins over a plain NAME.
#  - Starts the service jar (APP_JAR, default /app/app.jar) with the flags every service needs; JVM options for
#    containers come from JDK_JAVA_OPTIONS (set in the image, extended by the compose files).
set -euo pipefail

while IFS= read -r var; do
    name="${var%_FILE}"
    file="${!var}"
    [[ "$name" =~ ^[A-Z][A-Z0-9_]*$ ]] || continue
    if [[ ! -r "$file" ]]; then
        echo "entrypoint: $var names $file, which is not a readable file" >&2
        exit 64
    fi
    export "$name=$(cat -- "$file")"
    unset "$var"
done < <(compgen -e | grep -E '^[A-Z][A-Z0-9_]*_FILE$' || true)

exec java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -jar "${APP_JAR:-/app/app.jar}" "$@"
