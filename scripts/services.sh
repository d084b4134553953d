#!/usr/bin/env bash
# Installs (if missing), configures and starts the services the Shop
# integration tests need, bound to 127.0.0.1 only:
#
#   RabbitMQ   AMQP 127.0.0.1:5672, management API 127.0.0.1:15672,
#              epmd 127.0.0.1:4369, Erlang distribution 127.0.0.1:25672
#              user shop/shop, tag administrator, full permissions on vhost /
#   PostgreSQL 15, cluster 15/main, 127.0.0.1:5432, max_connections 400
#              role shop/shop (LOGIN CREATEDB), database shop owned by shop (the tests' login)
#   Per service (scripts/run.sh): a PostgreSQL login shop_<service> owning only database shop_<service>
#              (deploy/postgres/service-databases.sh) and a RabbitMQ user <service> limited to its exchanges
#              and queues on vhost / (deploy/rabbitmq/service-users.sh); random passwords, generated once into
#              /etc/shop/service-credentials.env (root only)
#
# Idempotent: a service that already runs with this configuration is left
# alone, so a second run takes a second or two.
# No systemd needed: PostgreSQL is started with pg_ctlcluster, RabbitMQ with
# `rabbitmq-server -detached` (as the rabbitmq user, through Debian's wrapper).
# Must run as root (it installs packages and writes /etc).
#
# Usage:
#   scripts/services.sh            start everything, then print the export lines
#   scripts/services.sh --env      the same, but stdout carries ONLY the export
#                                  lines:  eval "$(scripts/services.sh --env)"
# Progress and errors always go to stderr.
# SHOP_SERVICES_TIMEOUT (seconds, default 60) bounds each wait.
set -Eeuo pipefail

ENV_ONLY=0
case "${1:-}" in
  --env) ENV_ONLY=1 ;;
  "") ;;
  -h|--help) sed -n '2,/^set -/{/^#/s/^# \{0,1\}//p}' "$0" >&2; exit 0 ;;
  *) echo "services.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
esac

# Nothing fails silently: name the failing command.
# shellcheck disable=SC2154  # rc is assigned inside the trap
trap 'rc=$?; echo "[services] ERROR: line $LINENO: \"$BASH_COMMAND\" failed (exit $rc)" >&2' ERR

# fd 3 = the caller's stdout (export lines only); everything else -> stderr.
exec 3>&1 1>&2

TIMEOUT="${SHOP_SERVICES_TIMEOUT:-60}"
PG_VERSION=15
PG_CLUSTER=main
PG_PORT=5432
RMQ_NODE=rabbit@localhost
RMQ_USER=shop
RMQ_PASS=shop
MGMT_URL=http://127.0.0.1:15672
STARTED_AT=$SECONDS

log() { printf '[services %3ds] %s\n' "$((SECONDS - STARTED_AT))" "$*" >&2; }
die() {
  printf '\n[services] ERROR: %s\n' "$*" >&2
  exit 1
}
# Runs a command without handing it our stdout/stderr (daemons it starts must
# not keep the caller's pipes open, e.g. test.sh's "$(services.sh --env)").
quiet_to() { local logfile=$1; shift; "$@" </dev/null >>"$logfile" 2>&1 3>&-; }

port_open() { (exec 9<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

[ "$(id -u)" = 0 ] || die "must run as root (it installs packages, writes /etc/rabbitmq and starts services)"

# --------------------------------------------------------------------------
# 1. packages
# --------------------------------------------------------------------------
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep 'install ok installed' >/dev/null; }
missing=()
# docker-compose (1.29, Debian) only parses and validates docker-compose.yml for the deployment tests; no engine is needed.
for pkg in rabbitmq-server "postgresql-$PG_VERSION" "postgresql-client-$PG_VERSION" curl docker-compose; do
  installed "$pkg" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing missing packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt_log=$(mktemp /tmp/shop-services-apt.XXXXXX)
  if ! { apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"; } \
        </dev/null >"$apt_log" 2>&1 3>&-; then
    tail -n 40 "$apt_log" >&2
    die "apt-get install ${missing[*]} failed (full log: $apt_log)"
  fi
  rm -f "$apt_log"
  log "packages installed"
fi

# --------------------------------------------------------------------------
# 2. RabbitMQ
# --------------------------------------------------------------------------
# Writes stdin to $1 if the content differs; returns 0 if the file changed.
write_if_changed() {
  local file=$1 tmp
  tmp=$(mktemp)
  cat >"$tmp"
  if [ -f "$file" ] && cmp -s "$tmp" "$file"; then rm -f "$tmp"; return 1; fi
  install -m 0644 "$tmp" "$file"
  rm -f "$tmp"
  return 0
}

rmq_changed=0
install -d -m 0755 /etc/rabbitmq
write_if_changed /etc/rabbitmq/rabbitmq.conf <<'EOF' && rmq_changed=1
# Written by scripts/services.sh (Shop tests): everything on loopback only.
listeners.tcp.default = 127.0.0.1:5672
management.tcp.ip = 127.0.0.1
management.tcp.port = 15672
distribution.listener.interface = 127.0.0.1
distribution.listener.port_range.min = 25672
distribution.listener.port_range.max = 25672
EOF
write_if_changed /etc/rabbitmq/enabled_plugins <<'EOF' && rmq_changed=1
[rabbitmq_management].
EOF
# Sourced by every RabbitMQ script (server and CLI tools alike), so a plain
# `rabbitmqctl stop_app` finds the same node name and loopback-only settings.
write_if_changed /etc/rabbitmq/rabbitmq-env.conf <<'EOF' && rmq_changed=1
# Written by scripts/services.sh (Shop tests): everything on loopback only.
NODENAME=rabbit@localhost
NODE_IP_ADDRESS=127.0.0.1
NODE_PORT=5672
ERL_EPMD_ADDRESS=127.0.0.1
SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
EOF
export ERL_EPMD_ADDRESS=127.0.0.1
install -d -o rabbitmq -g rabbitmq -m 0755 /var/lib/rabbitmq /var/log/rabbitmq
RMQ_LOG=/var/log/rabbitmq/$RMQ_NODE.log
RMQ_START_LOG=/var/log/rabbitmq/shop-services-start.log

rmq_node_registered() { epmd -names 2>/dev/null | grep '^name rabbit at port' >/dev/null; }
epmd_on_loopback_only() {
  # epmd sockets that are not on 127.0.0.1 / ::1
  ! ss -Hltn 'sport = :4369' 2>/dev/null | awk '{print $4}' | grep -vE '^(127\.0\.0\.1|\[::1\]):4369$' >/dev/null
}
mgmt_user_ok() {
  # shop can log in to the management API as administrator, with full rights on /
  curl -fsS -m 5 -u "$RMQ_USER:$RMQ_PASS" "$MGMT_URL/api/whoami" 2>/dev/null | grep '"administrator"' >/dev/null &&
    curl -fsS -m 5 -u "$RMQ_USER:$RMQ_PASS" "$MGMT_URL/api/permissions/%2F/$RMQ_USER" 2>/dev/null |
      grep '"configure":"\.\*","write":"\.\*","read":"\.\*"' >/dev/null
}
rmq_log_from=1   # first line of $RMQ_LOG written by the current boot
rmq_fail() {
  echo "---- last lines of $RMQ_START_LOG ----" >&2; tail -n 15 "$RMQ_START_LOG" >&2 2>/dev/null || true
  if [ -f "$RMQ_LOG" ]; then
    if tail -n "+$rmq_log_from" "$RMQ_LOG" | grep -E '\[(error|critical)\]' >/dev/null; then
      echo "---- first errors in $RMQ_LOG ----" >&2
      tail -n "+$rmq_log_from" "$RMQ_LOG" | grep -E '\[(error|critical)\]' | head -n 25 >&2 || true
    else
      echo "---- last lines of $RMQ_LOG ----" >&2; tail -n 30 "$RMQ_LOG" >&2 || true
    fi
  fi
  die "$*"
}

if rmq_node_registered && [ "$rmq_changed" = 1 ]; then
  log "RabbitMQ is running with an older configuration: stopping it"
  quiet_to "$RMQ_START_LOG" rabbitmqctl stop || true
  deadline=$((SECONDS + TIMEOUT))
  while rmq_node_registered; do
    [ "$SECONDS" -lt "$deadline" ] || rmq_fail "RabbitMQ did not stop within ${TIMEOUT}s"
    sleep 1
  done
fi

if ! epmd_on_loopback_only; then
  if rmq_node_registered; then
    die "epmd listens on more than 127.0.0.1 and a RabbitMQ node uses it; stop it first (rabbitmqctl stop; epmd -kill)"
  fi
  log "epmd listens on more than loopback: restarting it on 127.0.0.1"
  epmd -kill >/dev/null 2>&1 || true
  sleep 1
fi
if ! epmd -names >/dev/null 2>&1; then
  log "starting epmd on 127.0.0.1:4369"
  quiet_to "$RMQ_START_LOG" su rabbitmq -s /bin/sh -c 'ERL_EPMD_ADDRESS=127.0.0.1 exec epmd -address 127.0.0.1 -daemon' ||
    die "could not start epmd"
fi

rmq_started=0
if rmq_node_registered; then
  log "RabbitMQ node already running: leaving it"
  # A test that ran `rabbitmqctl stop_app` and died before `start_app` leaves
  # the node up with the broker stopped: start the broker again.
  if ! port_open 5672 && ! quiet_to "$RMQ_START_LOG" rabbitmq-diagnostics -q check_running; then
    log "the rabbit application is stopped: rabbitmqctl start_app"
    quiet_to "$RMQ_START_LOG" rabbitmqctl start_app || rmq_fail "rabbitmqctl start_app failed"
    rmq_started=1
  fi
else
  log "starting RabbitMQ ($RMQ_NODE)"
  rmq_started=1
  [ ! -f "$RMQ_LOG" ] || rmq_log_from=$(( $(wc -l <"$RMQ_LOG") + 1 ))
  : >"$RMQ_START_LOG"; chown rabbitmq:rabbitmq "$RMQ_START_LOG"
  # Debian's /usr/sbin/rabbitmq-server switches to the rabbitmq user (su) when
  # run as root; -detached daemonizes the Erlang VM.
  quiet_to "$RMQ_START_LOG" rabbitmq-server -detached ||
    rmq_fail "rabbitmq-server -detached failed"
fi

# Wait for the broker to finish booting (the AMQP listener opens last; a node
# we just (re)started is also asked, to be sure the boot has completed).
deadline=$((SECONDS + TIMEOUT))
boot_started=$SECONDS
until port_open 5672 && { [ "$rmq_started" = 0 ] || quiet_to "$RMQ_START_LOG" rabbitmqctl -q await_startup --timeout 10; }; do
  [ "$SECONDS" -lt "$deadline" ] || rmq_fail "RabbitMQ did not come up on 127.0.0.1:5672 within ${TIMEOUT}s"
  if [ $((SECONDS - boot_started)) -ge 10 ] && ! rmq_node_registered; then
    rmq_fail "the RabbitMQ node exited during boot (is port 5672, 15672 or 25672 taken?)"
  fi
  sleep 1
done
log "RabbitMQ is up (AMQP 127.0.0.1:5672)"

# Wait for the management listener (it starts after AMQP).
deadline=$((SECONDS + TIMEOUT))
until port_open 15672; do
  [ "$SECONDS" -lt "$deadline" ] || rmq_fail "RabbitMQ management did not listen on 127.0.0.1:15672 within ${TIMEOUT}s"
  sleep 1
done

if mgmt_user_ok; then
  log "RabbitMQ user '$RMQ_USER' already set up"
else
  log "setting up RabbitMQ user '$RMQ_USER' (administrator, full permissions on /)"
  rmqctl() { quiet_to "$RMQ_START_LOG" rabbitmqctl -q "$@" || rmq_fail "rabbitmqctl $* failed"; }
  if rabbitmqctl -q list_users </dev/null 2>>"$RMQ_START_LOG" 3>&- | awk '{print $1}' | grep -x "$RMQ_USER" >/dev/null; then
    rmqctl change_password "$RMQ_USER" "$RMQ_PASS"
  else
    rmqctl add_user "$RMQ_USER" "$RMQ_PASS"
  fi
  rmqctl set_user_tags "$RMQ_USER" administrator
  rmqctl set_permissions -p / "$RMQ_USER" '.*' '.*' '.*'
fi

deadline=$((SECONDS + TIMEOUT))
until curl -fsS -m 5 -o /dev/null -u "$RMQ_USER:$RMQ_PASS" "$MGMT_URL/api/overview" 2>/dev/null && mgmt_user_ok; do
  [ "$SECONDS" -lt "$deadline" ] ||
    rmq_fail "RabbitMQ management API $MGMT_URL/api/overview did not answer for $RMQ_USER within ${TIMEOUT}s"
  sleep 1
done
log "RabbitMQ management API is up ($MGMT_URL, user $RMQ_USER)"

# --------------------------------------------------------------------------
# 3. PostgreSQL 15
# --------------------------------------------------------------------------
PG_CONF_DIR=/etc/postgresql/$PG_VERSION/$PG_CLUSTER
PG_LOG=/var/log/postgresql/postgresql-$PG_VERSION-$PG_CLUSTER.log
PG_DATA=/var/lib/postgresql/$PG_VERSION/$PG_CLUSTER
PG_START_LOG=/var/log/postgresql/shop-services-start.log
install -d -m 0755 /var/log/postgresql
: >"$PG_START_LOG"
pg_fail() {
  echo "---- last lines of $PG_START_LOG ----" >&2; tail -n 20 "$PG_START_LOG" >&2 2>/dev/null || true
  echo "---- last lines of $PG_LOG ----" >&2; tail -n 40 "$PG_LOG" >&2 2>/dev/null || true
  die "$*"
}
pg_status() { pg_lsclusters -h 2>/dev/null | awk -v v="$PG_VERSION" -v c="$PG_CLUSTER" '$1==v && $2==c {print $4}'; }

if [ -z "$(pg_status)" ]; then
  log "creating PostgreSQL cluster $PG_VERSION/$PG_CLUSTER"
  quiet_to "$PG_START_LOG" pg_createcluster --port "$PG_PORT" "$PG_VERSION" "$PG_CLUSTER" ||
    pg_fail "pg_createcluster $PG_VERSION $PG_CLUSTER failed"
fi

pg_conf_files() { cat "$PG_CONF_DIR/postgresql.conf" "$PG_CONF_DIR/pg_hba.conf" "$PG_CONF_DIR/conf.d/shop-tests.conf" 2>/dev/null || true; }
pg_conf_before=$(pg_conf_files | md5sum)
# The port goes into postgresql.conf itself (pg_lsclusters/pg_ctlcluster read
# it from there); the rest into conf.d, which Debian's postgresql.conf
# includes last. (pg_conftool does not quote 127.0.0.1, hence the file.)
pg_conftool "$PG_VERSION" "$PG_CLUSTER" set port "$PG_PORT"
for p in listen_addresses max_connections; do
  if grep -Eq "^[[:space:]]*${p}[[:space:]]*=" "$PG_CONF_DIR/postgresql.conf"; then
    pg_conftool "$PG_VERSION" "$PG_CLUSTER" postgresql.conf remove "$p"
  fi
done
install -d -o postgres -g postgres -m 0755 "$PG_CONF_DIR/conf.d"
grep -Eq "^[[:space:]]*include_dir[[:space:]]*=[[:space:]]*'conf\.d'" "$PG_CONF_DIR/postgresql.conf" ||
  echo "include_dir = 'conf.d'" >>"$PG_CONF_DIR/postgresql.conf"
write_if_changed "$PG_CONF_DIR/conf.d/shop-tests.conf" <<EOF || true
# Written by scripts/services.sh (Shop tests): loopback only.
listen_addresses = '127.0.0.1'
port = $PG_PORT
max_connections = 400
EOF
# Password auth over TCP from 127.0.0.1 (Debian's default pg_hba has it; make sure).
if ! grep -Eq '^[[:space:]]*host[[:space:]]+all[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+(scram-sha-256|md5)' "$PG_CONF_DIR/pg_hba.conf"; then
  log "adding a scram-sha-256 rule for 127.0.0.1 to pg_hba.conf"
  hba_rule='host    all             all             127.0.0.1/32            scram-sha-256'
  awk -v rule="$hba_rule" '!done && /^[[:space:]]*(local|host)/ {print rule; done=1} {print} END {if (!done) print rule}' \
    "$PG_CONF_DIR/pg_hba.conf" >"$PG_CONF_DIR/pg_hba.conf.new"
  cat "$PG_CONF_DIR/pg_hba.conf.new" >"$PG_CONF_DIR/pg_hba.conf"
  rm -f "$PG_CONF_DIR/pg_hba.conf.new"
fi
pg_conf_after=$(pg_conf_files | md5sum)

install -d -o postgres -g postgres -m 2775 /var/run/postgresql
case "$(pg_status)" in
  online)
    if [ "$pg_conf_before" != "$pg_conf_after" ]; then
      log "PostgreSQL was running with an older configuration: restarting it"
      quiet_to "$PG_START_LOG" pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" restart || pg_fail "pg_ctlcluster restart failed"
    else
      log "PostgreSQL $PG_VERSION/$PG_CLUSTER already running: leaving it"
    fi
    ;;
  *)
    # A postmaster.pid left behind by a killed server confuses the start when
    # its PID has been reused; drop it if no postgres process owns it.
    if [ -f "$PG_DATA/postmaster.pid" ]; then
      old_pid=$(head -n 1 "$PG_DATA/postmaster.pid")
      if ! { [ -n "$old_pid" ] && [ "$(ps -o comm= -p "$old_pid" 2>/dev/null)" = postgres ]; }; then
        log "removing stale $PG_DATA/postmaster.pid"
        rm -f "$PG_DATA/postmaster.pid"
      fi
    fi
    log "starting PostgreSQL $PG_VERSION/$PG_CLUSTER"
    quiet_to "$PG_START_LOG" pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start || pg_fail "pg_ctlcluster $PG_VERSION $PG_CLUSTER start failed"
    ;;
esac

deadline=$((SECONDS + TIMEOUT))
until pg_isready -q -h 127.0.0.1 -p "$PG_PORT" -t 2; do
  [ "$SECONDS" -lt "$deadline" ] || pg_fail "PostgreSQL did not accept connections on 127.0.0.1:$PG_PORT within ${TIMEOUT}s"
  sleep 1
done

# Role and database (as the postgres superuser, over the Unix socket).
su postgres -s /bin/sh -c "psql -X -q -p $PG_PORT -d postgres -v ON_ERROR_STOP=1" >/dev/null 3>&- <<'SQL' ||
SET client_min_messages = warning;
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'shop') THEN
    CREATE ROLE shop LOGIN CREATEDB PASSWORD 'shop';
  ELSE
    ALTER ROLE shop LOGIN CREATEDB PASSWORD 'shop';
  END IF;
END
$$;
SELECT 'CREATE DATABASE shop OWNER shop'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'shop') \gexec
ALTER DATABASE shop OWNER TO shop;
SQL
  pg_fail "could not create the PostgreSQL role/database 'shop'"

got=$(PGPASSWORD=shop PGCONNECT_TIMEOUT=10 psql -X -At -h 127.0.0.1 -p "$PG_PORT" -U shop -d shop -c 'select 1' 2>&1 3>&-) ||
  pg_fail "password login as shop over 127.0.0.1:$PG_PORT failed: $got"
[ "$got" = 1 ] || pg_fail "unexpected answer from 'select 1' as shop: $got"
log "PostgreSQL is up (127.0.0.1:$PG_PORT, user shop, database shop)"

# --------------------------------------------------------------------------
# 4. one database login and one broker user per service (scripts/run.sh runs the services as them)
# --------------------------------------------------------------------------
REPO_DIR=$(cd "$(dirname "$0")/.." && pwd)
CREDENTIALS=/etc/shop/service-credentials.env
if [ ! -s "$CREDENTIALS" ]; then
  log "generating service passwords into $CREDENTIALS"
  install -d -m 0700 /etc/shop
  umask_before=$(umask); umask 077
  {
    echo "# Written by scripts/services.sh: one database and one broker password per Shop service (local use)."
    for s in ORDERS PAYMENTS NOTIFICATIONS IMAGES SEARCH; do
      echo "SHOP_${s}_DB_PASSWORD=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
      echo "SHOP_${s}_BROKER_PASSWORD=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
    done
  } >"$CREDENTIALS"
  umask "$umask_before"
fi
set -a
# shellcheck disable=SC1090
. "$CREDENTIALS"
set +a
sh "$REPO_DIR/deploy/postgres/service-databases.sh" |
  su postgres -s /bin/sh -c "psql -X -q -p $PG_PORT -d postgres -v ON_ERROR_STOP=1" >/dev/null 3>&- ||
  pg_fail "could not set up the service logins (deploy/postgres/service-databases.sh)"
SHOP_BROKER_ADMIN_PASSWORD=$RMQ_PASS sh "$REPO_DIR/deploy/rabbitmq/service-users.sh" apply "$MGMT_URL" "$RMQ_USER" / 3>&- ||
  rmq_fail "could not set up the service users (deploy/rabbitmq/service-users.sh)"
log "service logins and broker users set up (passwords in $CREDENTIALS)"

# --------------------------------------------------------------------------
# 5. settings for the tests
# --------------------------------------------------------------------------
log "all services up in $((SECONDS - STARTED_AT))s"
# shellcheck disable=SC2016  # literal text
[ "$ENV_ONLY" = 1 ] || log 'export these (or: eval "$(scripts/services.sh --env)"):'
cat >&3 <<'EOF'
export SHOP_TEST_POSTGRES='Host=127.0.0.1;Port=5432;Username=shop;Password=shop;Database=shop'
export SHOP_TEST_RABBITMQ='amqp://shop:shop@127.0.0.1:5672/'
export SHOP_TEST_RABBITMQ_MANAGEMENT='http://shop:shop@127.0.0.1:15672/'
export SHOP_SERVICE_CREDENTIALS='/etc/shop/service-credentials.env'
EOF
