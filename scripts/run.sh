#!/usr/bin/env bash
# Runs the whole shop on this machine without Docker: starts RabbitMQ and PostgreSQL (scripts/services.sh),
# builds once, then runs Orders.Api, Payments.Worker, Notifications.Worker, Images.Worker and Search.Worker as five
# processes against them. Ctrl-C stops all five. Logs go to artifacts/run/<service>.log.
#
#   scripts/run.sh            # API on http://127.0.0.1:5080 (Scalar UI at /scalar)
#   SHOP_API_PORT=8080 scripts/run.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

eval "$(scripts/services.sh --env)"

api_port=${SHOP_API_PORT:-5080}
mkdir -p artifacts/run data/blobs
dotnet build Shop.sln -c Release -v quiet -nologo >artifacts/run/build.log 2>&1 || { tail -30 artifacts/run/build.log; exit 1; }

# Each service gets its own database on the local server, created on first start by its migrations.
common=(
  "--Messaging:Transport=RabbitMq"
  "--Messaging:RabbitMq:Url=amqp://shop:shop@127.0.0.1:5672/"
  "--BlobStorage:Disk:Root=$PWD/data/blobs"
)
pg="Host=127.0.0.1;Port=5432;Username=shop;Password=shop"

pids=()
start() {
  local name=$1 port=$2; shift 2
  dotnet "src/$name/bin/Release/net10.0/Shop.$name.dll" --urls "http://127.0.0.1:$port" "${common[@]}" "$@" \
    >"artifacts/run/$name.log" 2>&1 &
  pids+=($!)
}
stop() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop EXIT INT TERM

# The API trusts the local issuer with the public development key and hands out tokens at /dev/token, as the
# standalone shop does: this script is for one machine (docs/security.md).
start Orders.Api "$api_port" "--ConnectionStrings:Orders=$pg;Database=shop_orders" \
  "--Auth:LocalIssuer:SigningKey=shop-local-development-signing-key-NOT-A-SECRET" "--Auth:LocalIssuer:AllowDevelopmentKey=true" \
  "--Auth:LocalIssuer:TokenEndpoint=true" "--OpenApi:Enabled=true"
start Payments.Worker 5081 "--ConnectionStrings:Payments=$pg;Database=shop_payments"
start Notifications.Worker 5082 "--ConnectionStrings:Notifications=$pg;Database=shop_notifications"
start Images.Worker 5083 "--ConnectionStrings:Images=$pg;Database=shop_images"
start Search.Worker 5084 "--ConnectionStrings:ReadModel=$pg;Database=shop_search"

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
  RabbitMQ UI:    http://127.0.0.1:15672             (shop / shop)
  Logs:           artifacts/run/*.log
Press Ctrl-C to stop.
TXT
wait
