#!/bin/sh
# One PostgreSQL login per Shop service, owning only its own database; PUBLIC may not even connect to it.
#   shop_orders, shop_payments, shop_notifications, shop_images, shop_search
# shop_orders may also read shop_search (Orders.Api serves the order search from Search.Worker's read model):
# CONNECT, USAGE and SELECT, nothing else. Tables an older set-up created under another owner change hands.
#
# Prints the SQL for psql (run it as a superuser, connected to the postgres database):
#   deploy/postgres/service-databases.sh | psql -X -v ON_ERROR_STOP=1 -d postgres
# Each password comes from $SHOP_<SERVICE>_DB_PASSWORD (ORDERS, PAYMENTS, NOTIFICATIONS, IMAGES, SEARCH).
# docker-compose.yml mounts it into /docker-entrypoint-initdb.d (through 10-service-databases.sh), scripts/services.sh
# runs it on every start. Idempotent.
set -eu

SERVICES='orders payments notifications images search'

sql_literal() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/''/g")"; }

for s in $SERVICES; do
  var="SHOP_$(printf '%s' "$s" | tr '[:lower:]' '[:upper:]')_DB_PASSWORD"
  eval "password=\${$var:-}"
  [ -n "$password" ] || { echo "service-databases.sh: $var is not set" >&2; exit 1; }
  role="shop_$s"
  cat <<SQL
\\connect postgres
SET client_min_messages = warning;
SELECT 'CREATE ROLE $role' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$role') \\gexec
ALTER ROLE $role LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD $(sql_literal "$password");
SELECT 'CREATE DATABASE $role OWNER $role' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$role') \\gexec
ALTER DATABASE $role OWNER TO $role;
REVOKE ALL ON DATABASE $role FROM PUBLIC;
\\connect $role
SET client_min_messages = warning;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
DO \$\$
DECLARE r record;
BEGIN
  FOR r IN SELECT c.oid::regclass AS name, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm') AND c.relowner <> '$role'::regrole
  LOOP
    EXECUTE format('ALTER %s %s OWNER TO $role',
      CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END, r.name);
  END LOOP;
END
\$\$;
SQL
done

cat <<'SQL'
\connect shop_search
SET client_min_messages = warning;
GRANT CONNECT ON DATABASE shop_search TO shop_orders;
GRANT USAGE ON SCHEMA public TO shop_orders;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO shop_orders;
ALTER DEFAULT PRIVILEGES FOR ROLE shop_search IN SCHEMA public GRANT SELECT ON TABLES TO shop_orders;
SQL
