#!/usr/bin/env bash
# Installs (if missing) and starts the Aspire dashboard, the OpenTelemetry viewer the services export to: every
# order's trace across the services, their logs and their metrics (docs/observability.md).
#
#   dashboard     http://127.0.0.1:${SHOP_DASHBOARD_PORT:-18888}
#   OTLP/gRPC     http://127.0.0.1:${SHOP_DASHBOARD_OTLP_PORT:-4317}   (services: OTEL_EXPORTER_OTLP_ENDPOINT)
#   OTLP/HTTP     http://127.0.0.1:${SHOP_DASHBOARD_OTLP_HTTP_PORT:-4318}
#
# The binary comes from the NuGet package Aspire.Dashboard.Sdk.linux-x64 13.6.5 (restored through
# scripts/dashboard/AspireDashboard.csproj into the NuGet cache). On 127.0.0.1 it runs without authentication; bound
# anywhere else (SHOP_DASHBOARD_BIND=0.0.0.0) it requires a browser token for the UI and the telemetry API and an API
# key for OTLP, both generated here unless SHOP_DASHBOARD_TOKEN / SHOP_DASHBOARD_OTLP_KEY are set, and printed.
#
# Idempotent: a dashboard that already answers on the port is left alone. It runs detached, logging to
# artifacts/dashboard/dashboard.log.
#
# Usage:
#   scripts/dashboard.sh           install + start, then print the export lines for the services
#   scripts/dashboard.sh --env     the same, but stdout carries ONLY the export lines: eval "$(scripts/dashboard.sh --env)"
#   scripts/dashboard.sh --path    install only; print the binary's path
#   scripts/dashboard.sh --stop    stop the dashboard this script started
set -Eeuo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

MODE=start
ENV_ONLY=0
case "${1:-}" in
  --env) ENV_ONLY=1 ;;
  --path) MODE=path ;;
  --stop) MODE=stop ;;
  "") ;;
  -h|--help) sed -n '2,/^set -/{/^#/s/^# \{0,1\}//p}' "$0" >&2; exit 0 ;;
  *) echo "dashboard.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
esac

# fd 3 = the caller's stdout (export lines or the path only); everything else -> stderr.
exec 3>&1 1>&2

BIND="${SHOP_DASHBOARD_BIND:-127.0.0.1}"
PORT="${SHOP_DASHBOARD_PORT:-18888}"
OTLP_PORT="${SHOP_DASHBOARD_OTLP_PORT:-4317}"
OTLP_HTTP_PORT="${SHOP_DASHBOARD_OTLP_HTTP_PORT:-4318}"
# Where this script itself reaches it: the bound address, or loopback when bound to every interface.
case "$BIND" in 0.0.0.0|::|'[::]') PROBE=127.0.0.1 ;; *) PROBE=$BIND ;; esac
RUN_DIR=artifacts/dashboard
PID_FILE="$RUN_DIR/dashboard.pid"
VERSION=13.6.5

if [ "$MODE" = stop ]; then
  if [ -f "$PID_FILE" ] && kill "$(cat "$PID_FILE")" 2>/dev/null; then echo "[dashboard] stopped"; fi
  rm -f "$PID_FILE"
  exit 0
fi

# 1. the binary, from NuGet
packages=$(dotnet nuget locals global-packages --list | sed -E 's/^global-packages: *//')
BINARY="${packages%/}/aspire.dashboard.sdk.linux-x64/$VERSION/tools/Aspire.Dashboard"
if [ ! -x "$BINARY" ]; then
  echo "[dashboard] downloading Aspire.Dashboard.Sdk.linux-x64 $VERSION from NuGet"
  dotnet restore scripts/dashboard/AspireDashboard.csproj -v quiet -nologo >&2
  [ -f "$BINARY" ] || { echo "[dashboard] ERROR: $BINARY missing after the restore"; exit 1; }
  chmod +x "$BINARY"
fi
if [ "$MODE" = path ]; then echo "$BINARY" >&3; exit 0; fi

# 2. secured unless on loopback
export ASPNETCORE_URLS="http://$BIND:$PORT"
export ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL="http://$BIND:$OTLP_PORT"
export ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL="http://$BIND:$OTLP_HTTP_PORT"
headers=""
if [ "$BIND" = 127.0.0.1 ] || [ "$BIND" = localhost ]; then
  export ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true
  login="http://$BIND:$PORT"
else
  token="${SHOP_DASHBOARD_TOKEN:-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')}"
  key="${SHOP_DASHBOARD_OTLP_KEY:-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')}"
  export Dashboard__Frontend__AuthMode=BrowserToken Dashboard__Frontend__BrowserToken="$token"
  export Dashboard__Otlp__AuthMode=ApiKey Dashboard__Otlp__PrimaryApiKey="$key"
  headers="x-otlp-api-key=$key"
  login="http://$(hostname -f 2>/dev/null || hostname):$PORT/login?t=$token"
fi

# 3. start, unless one answers already
if curl -fsS -o /dev/null "http://$PROBE:$PORT/" 2>/dev/null; then
  echo "[dashboard] already answering on port $PORT: leaving it"
else
  mkdir -p "$RUN_DIR"
  root=$PWD
  pushd "$(dirname "$BINARY")" >/dev/null
  nohup "$BINARY" >"$root/$RUN_DIR/dashboard.log" 2>&1 </dev/null &
  echo $! >"$root/$PID_FILE"
  popd >/dev/null
  for _ in $(seq 1 120); do
    curl -fsS -o /dev/null "http://$PROBE:$PORT/" 2>/dev/null && break
    sleep 0.5
  done
  curl -fsS -o /dev/null "http://$PROBE:$PORT/" 2>/dev/null \
    || { echo "[dashboard] ERROR: no answer on port $PORT; see $RUN_DIR/dashboard.log"; tail -20 "$RUN_DIR/dashboard.log"; exit 1; }
  echo "[dashboard] up: $login"
fi

lines="export OTEL_EXPORTER_OTLP_ENDPOINT='http://$PROBE:$OTLP_PORT'"
[ -n "$headers" ] && lines="$lines"$'\n'"export OTEL_EXPORTER_OTLP_HEADERS='$headers'"
if [ "$ENV_ONLY" = 1 ]; then echo "$lines" >&3; else echo "$lines"; echo "dashboard: $login"; fi
