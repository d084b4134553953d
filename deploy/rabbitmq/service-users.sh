#!/bin/sh
# One RabbitMQ user per Shop service, allowed only the exchanges and queues that service uses (MassTransit topology):
#   - its receive endpoints: queue and exchange of the same name, with their _error and _skipped queues/exchanges;
#   - its bus's temporary endpoint (<machine>_<process>_bus_<id>);
#   - the exchange of each message type it consumes (declared and bound to its endpoint exchanges: configure + read);
#   - the exchange of each message type it publishes, and of the faults of what it consumes (configure + write);
#   - the queues it sends commands to (queue:process-payment declares and binds that queue: configure, write, read).
# RabbitMQ cannot tell a queue from an exchange of the same name, and "configure" also allows deleting: see
# docs/security.md for what that leaves open.
#
# Usage (POSIX sh, curl; the compose one-shot runs it in curlimages/curl):
#   service-users.sh print                       one line per service: user<TAB>configure<TAB>write<TAB>read
#   service-users.sh apply URL ADMIN VHOST       creates/updates the users through the management API at URL
#                                                (admin user ADMIN, password in $SHOP_BROKER_ADMIN_PASSWORD) with
#                                                permissions on VHOST; each user's password comes from
#                                                $SHOP_<SERVICE>_BROKER_PASSWORD (ORDERS, PAYMENTS, ...).
set -eu

FAULT='MassTransit:Fault--'
BUS='[A-Za-z0-9]*_[A-Za-z0-9]*_bus_[A-Za-z0-9]+'

# name | endpoints | consumed message types | published message types | queues it sends to
SERVICES='orders|reserve-stock|release-stock|order-state|thumbnails-generated|image-metadata-extracted|image-processing-faulted|direct-upload-stored
orders~Shop\.Contracts\.Stock:(ReserveStock|ReleaseStock|StockReserved|StockUnavailable)|Shop\.Contracts\.Orders:OrderSubmitted|Shop\.Contracts\.Payments:(PaymentCompleted|PaymentFailed)|Shop\.Orders\.Api\.StateMachines:(PaymentTimedOut|StockReservationTimedOut)|Shop\.Contracts\.Images:(ThumbnailsGenerated|ImageMetadataExtracted|DirectUploadStored)
orders~Shop\.Contracts\.Orders:(OrderSubmitted|OrderConfirmed|OrderCancelled)|Shop\.Contracts\.Stock:(StockReserved|StockUnavailable|StockReleased)|Shop\.Contracts\.Images:ImageUploaded|Shop\.Orders\.Api\.StateMachines:(PaymentTimedOut|StockReservationTimedOut)
orders~process-payment|refund-payment
payments|process-payment|refund-payment
payments~Shop\.Contracts\.Payments:(ProcessPayment|RefundPayment)
payments~Shop\.Contracts\.Payments:(PaymentCompleted|PaymentFailed|PaymentRefunded)
payments~
notifications|order-confirmed-notification|order-cancelled-notification
notifications~Shop\.Contracts\.Orders:(OrderConfirmed|OrderCancelled)
notifications~
notifications~
images|generate-thumbnails|extract-image-metadata|[a-z0-9-]*image-upload-notifications
images~Shop\.Contracts\.Images:ImageUploaded
images~Shop\.Contracts\.Images:(ThumbnailsGenerated|ImageMetadataExtracted|DirectUploadStored)
images~
search|order-projection|product-image-projection
search~Shop\.Contracts\.Orders:(OrderSubmitted|OrderConfirmed|OrderCancelled)|Shop\.Contracts\.Stock:(StockReserved|StockUnavailable|StockReleased)|Shop\.Contracts\.Payments:(PaymentCompleted|PaymentFailed|PaymentRefunded)|Shop\.Contracts\.Images:(ImageUploaded|ImageMetadataExtracted|ThumbnailsGenerated)
search~
search~'

# Faults of what a service consumes are its to publish; a fault it consumes (the saga's Fault<ProcessPayment>, the
# image fault consumers' Fault<ImageUploaded>) is one more exchange to bind.
EXTRA_CONSUMED_orders="${FAULT}Shop\.Contracts\.Payments:ProcessPayment--|${FAULT}Shop\.Contracts\.Images:ImageUploaded--"
EXTRA_CONSUMED_search="${FAULT}Shop\.Contracts\.Images:ImageUploaded--"

part() { # part SERVICE INDEX: the INDEX-th field (0 endpoints, 1 consumed, 2 published, 3 sends to) of SERVICE
  printf '%s\n' "$SERVICES" | awk -v s="$1" -v i="$2" '
    index($0, s "|") == 1 { n = 0; line = substr($0, length(s) + 2) }
    index($0, s "~") == 1 { n++; line = substr($0, length(s) + 2) }
    (index($0, s "|") == 1 || index($0, s "~") == 1) && n == i { print line }'
}

alt() { # joins non-empty alternatives with |
  out=''
  for a in "$@"; do [ -n "$a" ] && out="${out:+$out|}$a"; done
  printf '%s' "$out"
}

patterns() { # prints user, configure, write, read of one service
  s=$1
  own="(($(part "$s" 0))(_error|_skipped)?|$BUS)"
  consumed=$(part "$s" 1)
  eval "extra=\${EXTRA_CONSUMED_$s:-}"
  consumed_all=$(alt "$consumed" "$extra")
  faults=''
  [ -n "$consumed" ] && faults="${FAULT}(${consumed})--"
  published=$(alt "$(part "$s" 2)" "$faults")
  sends=$(part "$s" 3)
  configure="^($(alt "$own" "$consumed_all" "$published" "$sends"))\$"
  write="^($(alt "$own" "$published" "$sends"))\$"
  read="^($(alt "$own" "$consumed_all" "$sends"))\$"
  printf '%s\t%s\t%s\t%s\n' "$s" "$configure" "$write" "$read"
}

names() { printf '%s\n' "$SERVICES" | awk -F'|' '!/^[a-z]+~/ { print $1 }'; }

json_string() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }

case "${1:-}" in
  print)
    for s in $(names); do patterns "$s"; done
    ;;
  apply)
    [ $# -eq 4 ] || { echo "usage: $0 apply MANAGEMENT_URL ADMIN_USER VHOST" >&2; exit 2; }
    url=${2%/}; admin=$3; vhost=$4
    : "${SHOP_BROKER_ADMIN_PASSWORD:?the management password of $admin}"
    vhost_path=$(printf '%s' "$vhost" | sed 's|%|%25|g; s|/|%2F|g')
    # The management listener opens after AMQP (which compose's health check watches): wait for it.
    tries=0
    until curl -fsS -m 5 -o /dev/null -u "$admin:$SHOP_BROKER_ADMIN_PASSWORD" "$url/api/overview"; do
      tries=$((tries + 1))
      [ "$tries" -lt 30 ] || { echo "service-users.sh: $url/api/overview did not answer for $admin" >&2; exit 1; }
      sleep 2
    done
    for s in $(names); do
      var="SHOP_$(printf '%s' "$s" | tr '[:lower:]' '[:upper:]')_BROKER_PASSWORD"
      eval "password=\${$var:-}"
      [ -n "$password" ] || { echo "service-users.sh: $var is not set" >&2; exit 1; }
      line=$(patterns "$s")
      configure=$(printf '%s' "$line" | cut -f2); write=$(printf '%s' "$line" | cut -f3); read=$(printf '%s' "$line" | cut -f4)
      curl -fsS -m 10 -u "$admin:$SHOP_BROKER_ADMIN_PASSWORD" -H 'content-type: application/json' -X PUT \
        -d "{\"password\":$(json_string "$password"),\"tags\":\"\"}" "$url/api/users/$s" >/dev/null
      curl -fsS -m 10 -u "$admin:$SHOP_BROKER_ADMIN_PASSWORD" -H 'content-type: application/json' -X PUT \
        -d "{\"configure\":$(json_string "$configure"),\"write\":$(json_string "$write"),\"read\":$(json_string "$read")}" \
        "$url/api/permissions/$vhost_path/$s" >/dev/null
      echo "broker user $s: permissions on vhost $vhost set" >&2
    done
    ;;
  *)
    sed -n '2,/^set -eu/{/^#/s/^# \{0,1\}//p}' "$0" >&2
    exit 2
    ;;
esac
