#!/usr/bin/env bash
# The fault suite (tests/Faults, docs/reliability.md): builds it (and with it the four services), then runs it on its
# own RabbitMQ/PostgreSQL/fauxqs (scripts/fault-services.sh), never the shared ones. Arguments go to the program:
#
#   scripts/faults.sh                       1,000 orders + 200 images on RabbitMQ, every fault
#   scripts/faults.sh --transport sqs       the same on SQS/SNS (fauxqs)
#   scripts/faults.sh --quick               100 orders + 20 images, one fault of each kind (CI)
#
# Exit code 0 only if every count (lost, stuck, double charges, duplicate notifications, poison outside an error
# queue, ...) is zero. Must run as root (the servers run as the rabbitmq and postgres users).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mkdir -p artifacts
dotnet build tests/Faults/Faults.csproj -c Release -v quiet -nologo >artifacts/faults-build.log 2>&1 ||
  { tail -30 artifacts/faults-build.log; echo "faults: the build failed (artifacts/faults-build.log)"; exit 1; }
exec dotnet tests/Faults/bin/Release/net10.0/Shop.Faults.dll "$@"
