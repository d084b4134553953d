#!/usr/bin/env bash
# The fault suite's own servers, separate from the shared ones scripts/services.sh and scripts/fauxqs.sh start, so
# the suite can kill and restart them without disturbing anybody else's tests. All bound to 127.0.0.1:
#
#   RabbitMQ   node faults@localhost, AMQP 127.0.0.1:5682, management 127.0.0.1:15682, distribution 127.0.0.1:25682,
#              data and logs under $SHOP_FAULTS_HOME/rabbitmq, user shop/shop (administrator); epmd is shared
#   PostgreSQL 15, cluster 15/faults, 127.0.0.1:5433, role shop/shop (LOGIN CREATEDB)
#   fauxqs     http://127.0.0.1:4576 (scripts/fauxqs.sh with its own port, pid file, log and state on disk in
#              $SHOP_FAULTS_HOME/fauxqs/data, so that a restart keeps queues and messages as SQS would)
#
# Usage (as root; every command is idempotent and waits until the server answers or fails with its log):
#   scripts/fault-services.sh start [rabbitmq|sqs]   start PostgreSQL and the broker (default rabbitmq)
#   scripts/fault-services.sh restart-rabbitmq       stop the node (rabbitmqctl stop) and start it again
#   scripts/fault-services.sh restart-postgres       crash-stop PostgreSQL (-m immediate, recovery on start) and start it
#   scripts/fault-services.sh restart-fauxqs         stop fauxqs and start it again (its state survives, on disk)
#   scripts/fault-services.sh stop                   stop all three and delete their data
# `start` prints the settings on stdout (export lines); progress and errors go to stderr.
# SHOP_FAULTS_HOME (default /var/tmp/shop-faults), SHOP_SERVICES_TIMEOUT (seconds, default 120) bound each wait.
set -Eeuo pipefail
trap 'rc=$?; echo "[fault-services] ERROR: line $LINENO: \"$BASH_COMMAND\" failed (exit $rc)" >&2' ERR
exec 3>&1 1>&2

cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD
HOME_DIR=${SHOP_FAULTS_HOME:-/var/tmp/shop-faults}
TIMEOUT=${SHOP_SERVICES_TIMEOUT:-120}
RMQ_NODE=faults@localhost
RMQ_PORT=5682
RMQ_MGMT_PORT=15682
RMQ_DIST_PORT=25682
RMQ_DIR=$HOME_DIR/rabbitmq
PG_VERSION=15
PG_CLUSTER=faults
PG_PORT=5433
FAUXQS_PORT=4576
FAUXQS_DIR=$HOME_DIR/fauxqs

log() { printf '[fault-services] %s\n' "$*" >&2; }
die() { printf '[fault-services] ERROR: %s\n' "$*" >&2; exit 1; }
port_open() { (exec 9<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_for() { # description, command...
  local what=$1 deadline=$((SECONDS + TIMEOUT)); shift
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 1
  done
  log "$what"
}
[ "$(id -u)" = 0 ] || die "must run as root (it starts servers as the rabbitmq and postgres users)"

# --------------------------------------------------------------------------- RabbitMQ
# The shared node's /etc/rabbitmq/rabbitmq-env.conf names it rabbit@localhost on 5672; the RABBITMQ_* variables
# below take precedence over that file, and this node reads its own config and plugins files.
rmq_env() {
  printf 'RABBITMQ_NODENAME=%s RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=%s RABBITMQ_DIST_PORT=%s ' \
    "$RMQ_NODE" "$RMQ_PORT" "$RMQ_DIST_PORT"
  printf 'RABBITMQ_CONFIG_FILE=%s/rabbitmq.conf RABBITMQ_ENABLED_PLUGINS_FILE=%s/enabled_plugins ' "$RMQ_DIR" "$RMQ_DIR"
  printf 'RABBITMQ_MNESIA_BASE=%s/mnesia RABBITMQ_LOG_BASE=%s/log RABBITMQ_PID_FILE=%s/node.pid ERL_EPMD_ADDRESS=127.0.0.1' \
    "$RMQ_DIR" "$RMQ_DIR" "$RMQ_DIR"
}
rmqctl() { su rabbitmq -s /bin/sh -c "cd /var/lib/rabbitmq && $(rmq_env) /usr/lib/rabbitmq/bin/rabbitmqctl -n $RMQ_NODE $*" </dev/null 3>&-; }
rmq_registered() { epmd -names 2>/dev/null | grep -q "^name ${RMQ_NODE%@*} at port"; }
rmq_ready() {
  port_open "$RMQ_PORT" && port_open "$RMQ_MGMT_PORT" &&
    curl -fsS -m 5 -o /dev/null -u shop:shop "http://127.0.0.1:$RMQ_MGMT_PORT/api/overview" 2>/dev/null
}
rmq_fail() { tail -n 30 "$RMQ_DIR/start.log" "$RMQ_DIR"/log/*.log 2>/dev/null | tail -n 60 >&2 || true; die "$*"; }

rmq_start() {
  if rmq_registered && rmq_ready; then log "RabbitMQ $RMQ_NODE already up"; return; fi
  install -d -o rabbitmq -g rabbitmq -m 0755 "$HOME_DIR" "$RMQ_DIR" "$RMQ_DIR/mnesia" "$RMQ_DIR/log"
  cat >"$RMQ_DIR/rabbitmq.conf" <<EOF
# Written by scripts/fault-services.sh: the fault suite's own node, loopback only.
listeners.tcp.default = 127.0.0.1:$RMQ_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $RMQ_MGMT_PORT
distribution.listener.interface = 127.0.0.1
distribution.listener.port_range.min = $RMQ_DIST_PORT
distribution.listener.port_range.max = $RMQ_DIST_PORT
default_user = shop
default_pass = shop
default_user_tags.administrator = true
default_permissions.configure = .*
default_permissions.read = .*
default_permissions.write = .*
loopback_users = none
EOF
  echo '[rabbitmq_management].' >"$RMQ_DIR/enabled_plugins"
  chown rabbitmq:rabbitmq "$RMQ_DIR/rabbitmq.conf" "$RMQ_DIR/enabled_plugins"
  if ! rmq_registered; then
    for port in "$RMQ_PORT" "$RMQ_MGMT_PORT" "$RMQ_DIST_PORT"; do
      port_open "$port" && die "127.0.0.1:$port is taken by something else; the fault suite's RabbitMQ needs it"
    done
    log "starting RabbitMQ $RMQ_NODE on 127.0.0.1:$RMQ_PORT"
    su rabbitmq -s /bin/sh -c "cd /var/lib/rabbitmq && $(rmq_env) /usr/lib/rabbitmq/bin/rabbitmq-server -detached" \
      </dev/null >>"$RMQ_DIR/start.log" 2>&1 3>&- || rmq_fail "rabbitmq-server -detached failed"
  fi
  wait_for "RabbitMQ $RMQ_NODE up (AMQP 127.0.0.1:$RMQ_PORT, management 127.0.0.1:$RMQ_MGMT_PORT)" rmq_ready ||
    rmq_fail "RabbitMQ $RMQ_NODE did not answer within ${TIMEOUT}s"
}
rmq_stop() {
  rmq_registered || return 0
  log "stopping RabbitMQ $RMQ_NODE"
  rmqctl stop >>"$RMQ_DIR/start.log" 2>&1 || true
  wait_for "RabbitMQ $RMQ_NODE stopped" bash -c "! epmd -names 2>/dev/null | grep -q '^name ${RMQ_NODE%@*} at port'" ||
    die "RabbitMQ $RMQ_NODE did not stop within ${TIMEOUT}s"
}

# --------------------------------------------------------------------------- PostgreSQL
pg_status() { pg_lsclusters -h 2>/dev/null | awk -v v="$PG_VERSION" -v c="$PG_CLUSTER" '$1==v && $2==c {print $4}'; }
pg_fail() { tail -n 30 "/var/log/postgresql/postgresql-$PG_VERSION-$PG_CLUSTER.log" >&2 2>/dev/null || true; die "$*"; }
pg_start() {
  if [ -z "$(pg_status)" ]; then
    port_open "$PG_PORT" && die "127.0.0.1:$PG_PORT is taken by something else; the fault suite's PostgreSQL needs it"
    log "creating PostgreSQL cluster $PG_VERSION/$PG_CLUSTER on 127.0.0.1:$PG_PORT"
    pg_createcluster --port "$PG_PORT" "$PG_VERSION" "$PG_CLUSTER" </dev/null >/dev/null 2>&1 3>&- ||
      pg_fail "pg_createcluster $PG_VERSION $PG_CLUSTER failed"
    cat >"/etc/postgresql/$PG_VERSION/$PG_CLUSTER/conf.d/shop-faults.conf" <<EOF
# Written by scripts/fault-services.sh: loopback only.
listen_addresses = '127.0.0.1'
port = $PG_PORT
max_connections = 300
EOF
  fi
  if [ "$(pg_status)" != online ]; then
    log "starting PostgreSQL $PG_VERSION/$PG_CLUSTER"
    pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start </dev/null >/dev/null 2>&1 3>&- || pg_fail "pg_ctlcluster start failed"
  fi
  wait_for "PostgreSQL $PG_VERSION/$PG_CLUSTER up (127.0.0.1:$PG_PORT)" pg_isready -q -h 127.0.0.1 -p "$PG_PORT" -t 2 ||
    pg_fail "PostgreSQL did not accept connections on 127.0.0.1:$PG_PORT within ${TIMEOUT}s"
  su postgres -s /bin/sh -c "psql -X -q -p $PG_PORT -d postgres -v ON_ERROR_STOP=1" >/dev/null 3>&- <<'SQL' || pg_fail "could not create role shop"
SET client_min_messages = warning;
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'shop') THEN CREATE ROLE shop LOGIN CREATEDB PASSWORD 'shop';
  ELSE ALTER ROLE shop LOGIN CREATEDB PASSWORD 'shop'; END IF;
END $$;
SQL
}

# --------------------------------------------------------------------------- fauxqs
# With its state on disk, like SQS itself: a restart loses no queue and no message.
fauxqs() { SHOP_FAUXQS_PORT=$FAUXQS_PORT SHOP_FAUXQS_RUN_DIR=$FAUXQS_DIR SHOP_FAUXQS_DATA_DIR=$FAUXQS_DIR/data SHOP_SERVICES_TIMEOUT=$TIMEOUT "$REPO/scripts/fauxqs.sh" "$@" 3>&- >/dev/null; }

print_env() {
  cat >&3 <<EOF
export SHOP_FAULTS_POSTGRES='Host=127.0.0.1;Port=$PG_PORT;Username=shop;Password=shop'
export SHOP_FAULTS_RABBITMQ='amqp://shop:shop@127.0.0.1:$RMQ_PORT/'
export SHOP_FAULTS_RABBITMQ_MANAGEMENT='http://127.0.0.1:$RMQ_MGMT_PORT/'
export SHOP_FAULTS_AWS_ENDPOINT='http://127.0.0.1:$FAUXQS_PORT'
EOF
}

case "${1:-}" in
  start)
    pg_start
    case "${2:-rabbitmq}" in
      rabbitmq) rmq_start ;;
      sqs) mkdir -p "$FAUXQS_DIR/data"; fauxqs --env ;;
      *) die "unknown transport '${2}' (rabbitmq or sqs)" ;;
    esac
    print_env ;;
  restart-rabbitmq) rmq_stop; rmq_start ;;
  restart-postgres)
    log "crash-stopping PostgreSQL $PG_VERSION/$PG_CLUSTER (-m immediate)"
    pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" stop -m immediate </dev/null >/dev/null 2>&1 3>&- || true
    pg_start ;;
  restart-fauxqs)
    mkdir -p "$FAUXQS_DIR/data"; fauxqs --stop
    # --stop only signals it; the port must be free before the new one binds it.
    wait_for "fauxqs stopped" bash -c "! (exec 9<>/dev/tcp/127.0.0.1/$FAUXQS_PORT) 2>/dev/null" || die "fauxqs did not stop within ${TIMEOUT}s"
    fauxqs --env ;;
  stop)
    rmq_stop
    if [ -n "$(pg_status)" ]; then
      log "dropping PostgreSQL cluster $PG_VERSION/$PG_CLUSTER"
      pg_dropcluster --stop "$PG_VERSION" "$PG_CLUSTER" </dev/null >/dev/null 2>&1 3>&- || pg_fail "pg_dropcluster failed"
    fi
    [ ! -d "$FAUXQS_DIR" ] || fauxqs --stop
    rm -rf "$HOME_DIR" ;;
  *) sed -n '2,/^set -/{/^#/s/^# \{0,1\}//p}' "$0" >&2; exit 2 ;;
esac
