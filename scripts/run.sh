#!/usr/bin/env bash
# Runs the whole shop on this machine without Docker: starts RabbitMQ and PostgreSQL (scripts/services.sh),
# builds once, then runs Orders.Api, Payments.Worker, Notifications.Worker, Images.Worker and Search.Worker as five
# processes against them. Ctrl-C stops all five. Logs go to artifacts/run/<service>.log.
# The Aspire dashboard (scripts/dashboard.sh) starts with them on http://127.0.0.1:18888 and every service exports its
# traces, metrics and logs to it; it keeps running after Ctrl-C (scripts/dashboard.sh --stop).
#
#   scripts/run.sh            # API on http://127.0.0.1:5080 (Scalar UI at /scalar)
#   SHOP_API_PORT=8080 scripts/run.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

eval "$(scripts/services.sh --env)"
eval "$(scripts/dashboard.sh --env)"

api_port=${SHOP_API_PORT:-5080}
mkdir -p artifacts/run data/blobs
dotnet build Shop.sln -c Release -v quiet -nologo >artifacts/run/build.log 2>&1 || { tail -30 artifacts/run/build.log; exit 1; }

# Each service connects as its own database login (owner of its database only) and its own broker user (only its
# exchanges and queues), set up by services.sh with the passwords in $SHOP_SERVICE_CREDENTIALS. Passwords go to each
# process through its environment (PGPASSWORD, read by Npgsql; Messaging__RabbitMq__Password), never its command line.
# shellcheck disable=SC1090
set -a; . "$SHOP_SERVICE_CREDENTIALS"; set +a
common=(
  "--Messaging:Transport=RabbitMq"
  "--Messaging:RabbitMq:Url=amqp://127.0.0.1:5672/"
  "--BlobStorage:Disk:Root=$PWD/data/blobs"
)
pg="Host=127.0.0.1;Port=5432"

pids=()
start() {
  local name=$1 port=$2 service=$3; shift 3
  local upper=${service^^} db_password broker_password
  db_password=SHOP_${upper}_DB_PASSWORD broker_password=SHOP_${upper}_BROKER_PASSWORD
  (
    export PGPASSWORD=${!db_password} Messaging__RabbitMq__Username=$service Messaging__RabbitMq__Password=${!broker_password}
    exec dotnet "src/$name/bin/Release/net10.0/Shop.$name.dll" --urls "http://127.0.0.1:$port" "${common[@]}" "$@"
  ) >"artifacts/run/$name.log" 2>&1 &
  pids+=($!)
}
stop() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop EXIT INT TERM

# The API trusts the local issuer with the public development key and hands out tokens at /dev/token, as the
# standalone shop does: this script is for one machine (docs/security.md).
start Orders.Api "$api_port" orders "--ConnectionStrings:Orders=$pg;Username=shop_orders;Database=shop_orders" \
  "--ConnectionStrings:ReadModel=$pg;Username=shop_orders;Database=shop_search" \
  "--Auth:LocalIssuer:SigningKey=shop-local-development-signing-key-NOT-A-SECRET" "--Auth:LocalIssuer:AllowDevelopmentKey=true" \
  "--Auth:LocalIssuer:TokenEndpoint=true" "--OpenApi:Enabled=true"
start Payments.Worker 5081 payments "--ConnectionStrings:Payments=$pg;Username=shop_payments;Database=shop_payments"
start Notifications.Worker 5082 notifications "--ConnectionStrings:Notifications=$pg;Username=shop_notifications;Database=shop_notifications"
start Images.Worker 5083 images "--ConnectionStrings:Images=$pg;Username=shop_images;Database=shop_images"
start Search.Worker 5084 search "--ConnectionStrings:ReadModel=$pg;Username=shop_search;Database=shop_search"

for port in "$api_port" 5081 5082 5083 5084; do
  for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break
    sleep 0.5
  done
  curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 || { echo "a service on port $port did not become ready; see artifacts/run/*.log"; exit 1; }
done

cat <<TXT
Shop is running.
  API:            http://127.0.0.1:$api_port        (try: curl http://127.0.0.1:$api_port/products)
  OpenAPI UI:     http://127.0.0.1:$api_port/scalar
  Tokens:         curl -s -X POST 'http://127.0.0.1:$api_port/dev/token?role=customer'   (or: shop token --role operator)
  RabbitMQ UI:    http://127.0.0.1:15672             (shop / shop: the administrator, not a service)
  Dashboard:      http://127.0.0.1:${SHOP_DASHBOARD_PORT:-18888}             (every order's trace across the services; metrics)
  Logs:           artifacts/run/*.log
Press Ctrl-C to stop.
TXT
wait
