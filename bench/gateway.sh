#!/usr/bin/env bash
# bench/gateway.sh - requests/s through nginx with the Tessera gateway deciding every request
# (auth_request, the configuration of docs/gateway.md) against the same nginx with no check: the
# ceiling. One run, same backend, same request, wrk on loopback; prints a table and RESULT lines.
#
# Usage: bench/gateway.sh [--duration SECONDS] [--connections N] [--runs N]
# Needs nginx, wrk, openssl (interop/setup.sh installs them) and the interop test CA, which the
# fixture issuer's https certificate comes from.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=10 CONNECTIONS=8 RUNS=3 JAVA=${JAVA:-java}
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION=$2; shift ;;
    --connections) CONNECTIONS=$2; shift ;;
    --runs) RUNS=$2; shift ;;
    --quick) DURATION=3; RUNS=1 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done
for tool in nginx wrk openssl; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || { echo "$tool missing: run interop/setup.sh" >&2; exit 2; }
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
CA=${TESSERA_INTEROP_HOME:-/tmp/tessera-interop}/ca/ca.pem
[ -f "$CA" ] || { echo "interop test CA missing: run interop/setup.sh" >&2; exit 2; }

OUT=$PWD/bench/target/gateway-run
rm -rf "$OUT"; mkdir -p "$OUT"/{temp,gw,fixtures}
free_port() { python3 - <<'PY'
import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()
PY
}
echo "== building"
./mvnw -q -B -ntp -pl cli,bench -am package -DskipTests
TESSERA=cli/target/tessera/bin/tessera
pids=()
cleanup() {
  [ -f "$OUT/nginx.pid" ] && kill "$(cat "$OUT/nginx.pid")" 2>/dev/null || true
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

echo "== fixtures: an HTTPS issuer with ES256 keys and tokens"
coproc FIXTURES { "$JAVA" -cp bench/target/benchmarks.jar dev.tessera.bench.Fixtures "$OUT/fixtures" 16; }
pids+=("$FIXTURES_PID")
for _ in $(seq 1 600); do [ -f "$OUT/fixtures/ready" ] && break; sleep 0.1; done
ISSUER=$(cat "$OUT/fixtures/issuer")
TOKEN=$(head -1 "$OUT/fixtures/es256.tokens")

GATEWAY_PORT=$(free_port); PROTECTED_PORT=$(free_port); CEILING_PORT=$(free_port); BACKEND_PORT=$(free_port)
SOCKET=$OUT/gateway.sock
echo "== gateway on https port $GATEWAY_PORT and unix:$SOCKET"
TESSERA_LOG_LEVEL=WARN JAVA_OPTS="${GATEWAY_JAVA_OPTS:-}" "$TESSERA" gateway --data "$OUT/gw" --port "$GATEWAY_PORT" --unix-socket "$SOCKET" \
  --trust "$ISSUER" --audience https://storage.example.org --ca-file "$CA" --prefix /files > "$OUT/gateway.log" 2>&1 &
pids+=("$!")
for _ in $(seq 1 300); do grep -q 'answering' "$OUT/gateway.log" 2>/dev/null && break; sleep 0.1; done
chmod 666 "$SOCKET" # nginx's workers run as another user here; a deployment puts them in the gateway's group

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
  -keyout "$OUT/nginx.key" -out "$OUT/nginx.pem" 2>/dev/null

# start_nginx GATEWAY SCHEME: the documented configuration, reaching the gateway one way or the other
start_nginx() {
  [ -f "$OUT/nginx.pid" ] && { "$NGINX" -c "$OUT/nginx.conf" -s quit; for _ in $(seq 1 100); do [ -f "$OUT/nginx.pid" ] || break; sleep 0.1; done; }
  sed -e "s#@GATEWAY@#$1#" -e "s#@GATEWAY_SCHEME@#$2#" -e "s#@BACKEND@#127.0.0.1:$BACKEND_PORT#" \
      -e "s#@LISTEN@#127.0.0.1:$PROTECTED_PORT#" -e "s#@SERVER_NAME@#localhost#" \
      -e "s#@SSL_CERT@#$OUT/nginx.pem#" -e "s#@SSL_KEY@#$OUT/nginx.key#" \
      -e "s#@GATEWAY_CERT@#$OUT/gw/tls/server.pem#" \
      interop/src/test/resources/nginx/tessera-gateway.conf > "$OUT/tessera-gateway.conf"
  cat > "$OUT/nginx.conf" <<CONF
worker_processes 1;
pid $OUT/nginx.pid;
error_log $OUT/error.log warn;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path $OUT/temp/body; proxy_temp_path $OUT/temp/proxy; fastcgi_temp_path $OUT/temp/fastcgi;
    uwsgi_temp_path $OUT/temp/uwsgi; scgi_temp_path $OUT/temp/scgi;
    include $OUT/tessera-gateway.conf;
    # the backend both servers reach: a small body, as an API answer
    server { listen 127.0.0.1:$BACKEND_PORT; location / { return 200 "hello from the backend\n"; } }
    # the ceiling: the same TLS front and proxying, without auth_request
    server {
        listen 127.0.0.1:$CEILING_PORT ssl http2;
        ssl_certificate $OUT/nginx.pem; ssl_certificate_key $OUT/nginx.key;
        proxy_http_version 1.1; proxy_set_header Connection "";
        location /files/ { proxy_pass http://tessera_backend; }
    }
}
CONF
  "$NGINX" -t -c "$OUT/nginx.conf" -q
  "$NGINX" -c "$OUT/nginx.conf"
  for _ in $(seq 1 50); do [ -f "$OUT/nginx.pid" ] && break; sleep 0.1; done
  check() { curl -s -k -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$1"; }
  [ "$(check "https://localhost:$PROTECTED_PORT/files/data/x")" = 200 ] || { echo "protected request not allowed" >&2; exit 1; }
  [ "$(check "https://localhost:$PROTECTED_PORT/files/other/x")" = 403 ] || { echo "protected request not denied" >&2; exit 1; }
}

run() { # name url -> median req/s and p99 over RUNS
  local name=$1 url=$2 i
  for i in $(seq 1 "$RUNS"); do
    wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Authorization: Bearer $TOKEN" "$url" > "$OUT/$name.$i.txt"
  done
  local rps p99
  rps=$(grep -h 'Requests/sec' "$OUT/$name".*.txt | awk '{print $2}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  p99=$(grep -h ' 99%' "$OUT/$name".*.txt | awk '{print $2}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "$name $rps $p99"
}
echo "== wrk: $RUNS x ${DURATION}s, $CONNECTIONS connections, 1 thread"
start_nginx "127.0.0.1:$GATEWAY_PORT" https
CEIL=$(run ceiling "https://localhost:$CEILING_PORT/files/data/x")
GATE=$(run gateway_https "https://localhost:$PROTECTED_PORT/files/data/x")
start_nginx "unix:$SOCKET" http
UNIX=$(run gateway_unix "https://localhost:$PROTECTED_PORT/files/data/x")
read -r _ ceil_rps ceil_p99 <<<"$CEIL"
read -r _ gate_rps gate_p99 <<<"$GATE"
read -r _ unix_rps unix_p99 <<<"$UNIX"
printf '\n%-52s %12s %10s\n' "measurement (median of $RUNS)" "req/s" "p99"
printf '%-52s %12s %10s\n' "nginx, no check (ceiling)" "$ceil_rps" "$ceil_p99"
printf '%-52s %12s %10s\n' "nginx + auth_request + gateway over https" "$gate_rps" "$gate_p99"
printf '%-52s %12s %10s\n' "nginx + auth_request + gateway over a unix socket" "$unix_rps" "$unix_p99"
awk -v g="$gate_rps" -v u="$unix_rps" -v c="$ceil_rps" 'BEGIN {
  printf "\ngateway (https) / ceiling %.2fx; gateway (unix socket) / ceiling %.2fx (target >= 0.5x: %s)\n\n",
    g / c, u / c, (u / c >= 0.5) ? "met" : "NOT met" }'
echo "RESULT gateway.nginx_auth_request_https_rps $gate_rps"
echo "RESULT gateway.nginx_auth_request_unix_rps $unix_rps"
echo "RESULT gateway.nginx_no_check_rps $ceil_rps"
