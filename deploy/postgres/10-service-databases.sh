#!/bin/sh
# Run by the postgres image on first start (from /docker-entrypoint-initdb.d), as the superuser, over its socket.
set -eu
sh /shop/service-databases.sh | psql -X -q -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres
