#!/usr/bin/env bash
# The Shop test command: starts RabbitMQ and PostgreSQL (scripts/services.sh) and
# fauxqs (scripts/fauxqs.sh), runs every test in the solution with RabbitMQ as the
# transport, then the behaviour suites of the order flow and the image pipeline
# again on the SQS/SNS transport (SHOP_TEST_TRANSPORT=AmazonSqs: the same tests,
# the same expectations), prints the count per transport and ends with one line
#
#   tests: N passed, N failed, N skipped
#
# counted from the .trx files in artifacts/test-results.
# SHOP_TEST_MATRIX=RabbitMq runs the first pass only.
# Extra arguments go to `dotnet test`, e.g.  scripts/test.sh --filter Category=Outbox
# Exit status: non-zero if the services did not come up, dotnet test failed,
# any test failed, or no test result was written at all.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
ROOT=$PWD
RESULTS_DIR=artifacts/test-results

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

summary_none() {
  echo "note: $1"
  echo "tests: 0 passed, 0 failed"
  exit 1
}

# 1. services, and the SHOP_TEST_* settings for the tests
if ! env_lines=$("$ROOT/scripts/services.sh" --env); then
  summary_none "scripts/services.sh failed: RabbitMQ/PostgreSQL not available, no test was run"
fi
eval "$env_lines"
export SHOP_TEST_POSTGRES SHOP_TEST_RABBITMQ SHOP_TEST_RABBITMQ_MANAGEMENT

# the SQS/SNS/S3 protocol peer (fauxqs, Node 22) for the Amazon transport's tests
if ! aws_lines=$("$ROOT/scripts/fauxqs.sh" --env); then
  summary_none "scripts/fauxqs.sh failed: the SQS/SNS/S3 emulator is not available, no test was run"
fi
eval "$aws_lines"
export SHOP_TEST_AWS_ENDPOINT AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION

# 2. the tests
solution=${SHOP_SOLUTION:-}
if [ -z "$solution" ]; then
  for candidate in Shop.sln Shop.slnx; do
    if [ -f "$candidate" ]; then solution=$candidate; break; fi
  done
fi
[ -n "$solution" ] || summary_none "no Shop.sln (or Shop.slnx) in $ROOT"

rm -rf "$RESULTS_DIR"
mkdir -p "$RESULTS_DIR/rabbitmq" "$RESULTS_DIR/amazonsqs"

# Sums the <Counters> of the .trx files under $1 into "passed failed skipped".
# failed = failed + error + timeout + aborted. skipped = notExecuted, or total - executed where that is
# larger: VSTest's trx logger counts a skipped xunit test in total but in neither executed nor notExecuted.
count_trx() {
  local files
  mapfile -t files < <(find "$1" -type f -name '*.trx' | sort)
  if [ "${#files[@]}" -eq 0 ]; then echo "0 0 0 0"; return; fi
  cat "${files[@]}" | tr '\n' ' ' | grep -o '<Counters [^>]*>' | awk -v n="${#files[@]}" '
    {
      delete c
      rest = $0
      while (match(rest, /[A-Za-z]+="[0-9]+"/)) {
        kv = substr(rest, RSTART, RLENGTH)
        rest = substr(rest, RSTART + RLENGTH)
        eq = index(kv, "=")
        c[substr(kv, 1, eq - 1)] = substr(kv, eq + 2, length(kv) - eq - 2) + 0
      }
      p += c["passed"]
      f += c["failed"] + c["error"] + c["timeout"] + c["aborted"]
      s1 = c["notExecuted"]; s2 = c["total"] - c["executed"]
      s += (s2 > s1 ? s2 : s1)
    }
    END { print p + 0, f + 0, s + 0, n }'
}

# Pass 1, RabbitMQ: every project. -m:1 runs the test projects one after another: outage tests stop the shared
# broker, which must not happen under another project's feet. Tests inside a project still run in parallel.
# A hung test is dumped and failed after 10 minutes rather than eating CI's time limit.
SHOP_TEST_TRANSPORT=RabbitMq dotnet test "$solution" -c Release -m:1 \
  --blame-hang-timeout 10m \
  --logger "trx;LogFilePrefix=results" \
  --results-directory "$RESULTS_DIR/rabbitmq" \
  "$@"
test_rc=$?

# Pass 2, SQS/SNS on fauxqs: the order flow's and the image pipeline's behaviour and end-to-end suites.
# (The transport's own tests are in tests/AmazonSqs.Tests, run in pass 1; the durable core's broker-outage
# tests stop RabbitMQ itself and stay there.) Only tests that cross the transport count here: specs on
# MassTransit's in-process harness, pure unit tests and store-only suites are marked [Trait("Category", "NoTransport")]
# and left out, as are tests of RabbitMQ itself (its users' permissions), marked [Trait("Category", "RabbitMqOnly")].
if [ "${SHOP_TEST_MATRIX:-both}" != "RabbitMq" ]; then
  for project in tests/Orders.Tests tests/Payments.Tests tests/Notifications.Tests tests/Images.Tests tests/EndToEnd.Tests tests/Search.Tests tests/Observability.Tests; do
    SHOP_TEST_TRANSPORT=AmazonSqs dotnet test "$project" -c Release --no-build \
      --filter "Category!=NoTransport&Category!=RabbitMqOnly" \
      --blame-hang-timeout 10m \
      --logger "trx;LogFilePrefix=results" \
      --results-directory "$RESULTS_DIR/amazonsqs" \
      "$@" || test_rc=$?
  done
fi

# 3. the summary: per transport, then in total
read -r rp rf rs rn < <(count_trx "$RESULTS_DIR/rabbitmq")
read -r ap af as an < <(count_trx "$RESULTS_DIR/amazonsqs")
if [ "$((rn + an))" -eq 0 ]; then
  summary_none "no .trx file in $RESULTS_DIR (build failure?); dotnet test exit code $test_rc"
fi
echo "tests on RabbitMQ (all projects): $rp passed, $rf failed, $rs skipped"
echo "tests on SQS/SNS (order flow and image pipeline suites, only tests that cross the transport): $ap passed, $af failed, $as skipped"
passed=$((rp + ap)) failed=$((rf + af)) skipped=$((rs + as))
trx_files=("$RESULTS_DIR"/*/*.trx)
# The read-model contract suite runs once per store adapter (a test class each); name those that took part.
stores=()
for store in PostgreSQL SQLite Elasticsearch; do
  if grep -qs "When_the_read_model_is_in_$store" "${trx_files[@]}"; then
    if [ "$store" != Elasticsearch ]; then
      stores+=("$store")
    elif [ -n "${SHOP_TEST_ELASTICSEARCH:-}" ]; then
      stores+=("Elasticsearch(real server from SHOP_TEST_ELASTICSEARCH)")
    else
      stores+=("Elasticsearch(peer written from Elastic's REST docs; SHOP_TEST_ELASTICSEARCH not set, see docs/read-side.md)")
    fi
  fi
done
echo "read-model contract suite ran against: ${stores[*]:-none}"

rc=$test_rc
if [ "$rc" -eq 0 ] && [ "$failed" -gt 0 ]; then rc=1; fi
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "note: dotnet test exited with code $rc (${#trx_files[@]} .trx file(s) in $RESULTS_DIR)"
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$rc"
