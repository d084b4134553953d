#!/usr/bin/env bash
# Writes deploy/elasticsearch.secrets.env with a random password for the compose Elasticsearch's `elastic` user, once:
# an existing file is left as it is (the data volume keeps the password it was first started with).
set -euo pipefail
file="$(cd "$(dirname "$0")/.." && pwd)/deploy/elasticsearch.secrets.env"
if [ -s "$file" ]; then
  echo "$file exists: keeping its password"
  exit 0
fi
umask 077
printf 'ELASTIC_PASSWORD=%s\n' "$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)" > "$file"
echo "wrote $file"
