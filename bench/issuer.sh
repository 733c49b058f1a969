#!/usr/bin/env bash
# bench/issuer.sh - OAuth2 client_credentials token issuance: the Tessera issuer side by side with Keycloak 26
# (its Quarkus distribution from Maven Central, `kc.sh start-dev`), one run, both over HTTPS on 127.0.0.1
# with the same self-signed P-256 certificate and the same JDK.
#
# Measures, per server:
#   tokens/s, p50, p99 and errors (answers >= 400 and socket errors) of POST TOKEN_ENDPOINT with
#     grant_type=client_credentials and the client's id and secret in the form (client_secret_post),
#     keep-alive, wrk -t1 -c8 and -c32 (bench/issuer-token.lua), for an ES256 and an RS256 client;
#     medians over --runs runs of --duration s; runs alternate between the servers (and the algorithms'
#     order between runs) so background load hits both alike. Both get the same warm-up first: --warmup s
#     at c=32, ES256 and RS256 alternating in slices of up to 30 s (a fresh JVM on 2 cores needs minutes of
#     load before its JIT settles).
#   cold start: launch -> first 200 from the discovery document, on a fresh installation: Tessera with a new
#     data directory and an empty launcher cache (no class-data-sharing archive yet), Keycloak freshly
#     unzipped with a new database (its first start-dev re-augments the distribution);
#   restart: the same on the existing state, median of --restarts starts (the last one stays up for load);
#   RSS (VmRSS of the JVM) after the start, after all load and 10 s later (both idle), and the server's CPU per token; per run also
#   the CPU of wrk and of everything else on the machine ("other": ~0 on a quiet machine, so it shows
#   how much background load a run shared the cores with).
# Tessera: `tessera issuer`, VO `default` (ES256, created on first start) and VO `rs` (RS256), one
#   client_credentials client each (scope 'read:/data compute.create'), TESSERA_LOG_LEVEL=WARN (no access or
#   audit lines; audit events still go to its SQLite database), JAVA_OPTS from TESSERA_JAVA_OPTS (default
#   empty: the launcher's own JVM options, as Keycloak gets kc.sh's; TESSERA_JAVA_OPTS='-Xms64m -Xmx512m'
#   gives Tessera the heap bounds kc.sh gives Keycloak outside containers).
# Keycloak: realm `bench` set up over its admin REST API as in its docs' client_credentials setup: an
#   ecdsa-generated P-256 key, realm default ES256, client `robot` (ES256) and `robot-rs256`
#   (access.token.signed.response.alg=RS256), service accounts on; kc.sh's own JVM options.
# --keycloak-http also measures Keycloak over plain HTTP (the same JVM's HTTP listener), as a reference.
# Prints a table, the target ratios and "RESULT issuer.<server>.<metric> <value>" lines.
#
# Usage: bench/issuer.sh [--quick] [--duration S] [--warmup S] [--runs N] [--restarts N]
#                        [--connections "8 32"] [--keycloak-http] [--tessera-only] [--keep]
#   defaults: 3 runs x 20 s per server, algorithm and concurrency after a 240 s warm-up per server, 3 restarts
#   (about 20 minutes; 24 with --keycloak-http)
#   --quick   1 run x 5 s after a 20 s warm-up, 1 restart (about 4 minutes): a rough look, not the targets'
#             conditions
#   --tessera-only  Tessera alone (no Keycloak, no ratios or targets): for comparing Tessera's JVM options,
#             e.g. TESSERA_JAVA_OPTS='-Xmx128m' bench/issuer.sh --tessera-only --warmup 60 --duration 10 --runs 1
# Needs wrk, curl, jq, unzip, openssl, python3, ss (iproute2: the loopback check) and a JDK 21+ for
# Keycloak, which both servers use: BENCH_JAVA_HOME (default /usr/lib/jvm/temurin-25-jdk-amd64). The Keycloak zip
# (org.keycloak:keycloak-quarkus-dist:$KC_VERSION:zip, KC_VERSION default 26.7.3) is fetched once with
# ./mvnw dependency:copy into $TESSERA_BENCH_CACHE/keycloak (default /tmp/tessera-bench-cache); KC_ZIP
# names a zip to use instead. Servers, data and the unzipped Keycloak live in a temporary directory under
# /tmp (removed at the end unless --keep); results, wrk output and server logs in bench/target/issuer-run.
# Every process this script starts is stopped on exit, also on Ctrl-C or an error: SIGTERM to its recorded
# pid, SIGKILL after 60 s. Maven runs with MAVEN_ARGS from the environment (e.g. MAVEN_ARGS=-o offline).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=20 WARMUP=240 RUNS=3 RESTARTS=3 CONNS="8 32" KC_HTTP="" KEEP="" TESSERA_ONLY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) DURATION=5 WARMUP=20 RUNS=1 RESTARTS=1 ;;
    --duration) DURATION=$2; shift ;;
    --warmup) WARMUP=$2; shift ;;
    --runs) RUNS=$2; shift ;;
    --restarts) RESTARTS=$2; shift ;;
    --connections) CONNS=$2; shift ;;
    --keycloak-http) KC_HTTP=1 ;;
    --tessera-only) TESSERA_ONLY=1 ;;
    --keep) KEEP=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[ "$RESTARTS" -ge 1 ] && [ "$RUNS" -ge 1 ] || { echo "--runs and --restarts must be at least 1" >&2; exit 2; }
[ -z "$TESSERA_ONLY" ] || [ -z "$KC_HTTP" ] || { echo "--tessera-only and --keycloak-http exclude each other" >&2; exit 2; }

log() { printf '== %s\n' "$*"; }
die() { printf 'bench/issuer.sh: %s\n' "$*" >&2; exit 1; }

BENCH_JAVA_HOME=${BENCH_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
KC_VERSION=${KC_VERSION:-26.7.3}
CACHE=${TESSERA_BENCH_CACHE:-/tmp/tessera-bench-cache}
TESSERA_JAVA_OPTS=${TESSERA_JAVA_OPTS-}
SCOPE='read:/data compute.create'
KC_SECRET=robot-secret

for b in wrk curl jq unzip openssl python3 ss; do command -v "$b" >/dev/null || die "$b is missing"; done
[ -x "$BENCH_JAVA_HOME/bin/java" ] || die "no JDK at $BENCH_JAVA_HOME (set BENCH_JAVA_HOME to a JDK 21+)"
JAVA_FEATURE=$("$BENCH_JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ {print $2}')
[ "${JAVA_FEATURE:-0}" -ge 21 ] || die "Keycloak $KC_VERSION needs Java 21+, $BENCH_JAVA_HOME is Java $JAVA_FEATURE"
JAVA_VERSION=$("$BENCH_JAVA_HOME/bin/java" -version 2>&1 | sed -n 2p)

OUT=bench/target/issuer-run
rm -rf "$OUT"; mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tessera-bench-issuer.XXXXXX")
RAW=$OUT/raw.txt; : > "$RAW"
TES_PID="" KC_PID=""

# ---------------------------------------------------------------- processes
alive() { [ -n "${1:-}" ] && [ -d "/proc/$1" ] && ! grep -qs '^State:.*Z' "/proc/$1/status"; }
# The JVM of a launcher: tessera's launcher execs java (same pid); kc.sh runs java as a child, or execs it
# after its first start re-augmented the distribution.
java_of() {
  local p=$1 c
  [ "$(basename "$(readlink "/proc/$p/exe" 2>/dev/null)")" = java ] && { echo "$p"; return 0; }
  for c in $(ps -o pid= --ppid "$p" 2>/dev/null); do
    [ "$(basename "$(readlink "/proc/$c/exe" 2>/dev/null)")" = java ] && { echo "$c"; return 0; }
  done
  return 1
}
stop_pid() { # name pid: SIGTERM exactly this pid (and the JVM it runs), SIGKILL after 60 s
  local name=$1 pid=$2 jvm
  alive "$pid" || { wait "$pid" 2>/dev/null || true; return 0; }
  jvm=$(java_of "$pid" || true)
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 600); do
    alive "$pid" || { [ -n "$jvm" ] && alive "$jvm"; } || break
    sleep 0.1
  done
  for p in $jvm $pid; do
    if alive "$p"; then echo "$name (pid $p) ignored SIGTERM for 60 s, killing" >&2; kill -KILL "$p" 2>/dev/null || true; fi
  done
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_pid tessera "$TES_PID"
  stop_pid keycloak "$KC_PID"
  if [ -n "$KEEP" ]; then echo "kept $WORK (Tessera data, Keycloak installation and database)"; else rm -rf "$WORK"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
rss_mib() { awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
hwm_mib() { awk '/^VmHWM:/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
busy_ticks() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }   # all CPUs, not idle or iowait
TICKS=$(getconf CLK_TCK)
listeners() { ss -Hltnp 2>/dev/null | awk -v p="pid=$1," 'index($0, p) { print $4 }' | sort -u | tr '\n' ' '; }
check_loopback() { # name pid: every listening socket of the JVM must be on loopback
  local a
  for a in $(listeners "$2"); do
    case "$a" in 127.0.0.1:*|"[::ffff:127.0.0.1]:"*) ;; *) die "$1 listens on $a, not only on 127.0.0.1";; esac
  done
}
http_code() { curl -sk -o /dev/null -w '%{http_code}' --max-time 5 "$@" || true; }
# wait_200 PID URL TIMEOUT_S: polls every 20 ms until URL answers 200; fails if PID dies or time runs out
wait_200() {
  local pid=$1 url=$2 deadline=$(( $(now_ms) + $3 * 1000 ))
  while [ "$(now_ms)" -lt "$deadline" ]; do
    [ "$(http_code "$url")" = 200 ] && return 0
    alive "$pid" || return 1
    sleep 0.02
  done
  return 1
}

log "load before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs shared by wrk and both servers)"
log "JDK for both servers: $BENCH_JAVA_HOME ($JAVA_VERSION)"
log "Tessera source: $(git describe --always --dirty 2>/dev/null || echo 'not a git checkout'); JAVA_OPTS: ${TESSERA_JAVA_OPTS:-none, the launcher defaults}"

# ---------------------------------------------------------------- Tessera build and Keycloak distribution
log "building cli/target/tessera"
./mvnw -q -B -ntp -pl cli -am package -DskipTests
cp -a cli/target/tessera "$WORK/tessera"   # a private copy: a rebuild during the run cannot change it
TESSERA=$WORK/tessera/bin/tessera

KC_ZIP=${KC_ZIP:-$CACHE/keycloak/keycloak-quarkus-dist-$KC_VERSION.zip}
if [ -n "$TESSERA_ONLY" ]; then
  log "--tessera-only: no Keycloak in this run"
elif [ ! -s "$KC_ZIP" ]; then
  log "fetching org.keycloak:keycloak-quarkus-dist:$KC_VERSION:zip from Maven Central into $CACHE/keycloak"
  mkdir -p "$CACHE/keycloak"
  ./mvnw -q -B -ntp dependency:copy -Dartifact="org.keycloak:keycloak-quarkus-dist:$KC_VERSION:zip" \
    -DoutputDirectory="$CACHE/keycloak"
  [ -s "$KC_ZIP" ] || die "the download did not produce $KC_ZIP"
fi
SHA1_FILE="${HOME:-/nonexistent}/.m2/repository/org/keycloak/keycloak-quarkus-dist/$KC_VERSION/keycloak-quarkus-dist-$KC_VERSION.zip.sha1"
if [ -z "$TESSERA_ONLY" ] && [ -s "$SHA1_FILE" ]; then
  [ "$(sha1sum "$KC_ZIP" | cut -c1-40)" = "$(tr -d ' \n' < "$SHA1_FILE" | cut -c1-40)" ] || die "SHA-1 of $KC_ZIP differs from Maven Central's"
  log "Keycloak zip $KC_ZIP: SHA-1 matches Maven Central's"
fi
KC_HOME=$WORK/keycloak-$KC_VERSION

# one TLS identity for both: P-256, localhost and 127.0.0.1
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$WORK/tls.key" -out "$WORK/tls.pem" 2>/dev/null

TES_PORT=$(free_port); KC_PORT=$(free_port); KC_HTTP_PORT=$(free_port)
TES=https://127.0.0.1:$TES_PORT
KC=https://127.0.0.1:$KC_PORT
KC_PLAIN=http://127.0.0.1:$KC_HTTP_PORT
TES_DISCOVERY=$TES/vo/default/.well-known/openid-configuration
KC_DISCOVERY=$KC/realms/master/.well-known/openid-configuration
declare -A ENDPOINT CLIENT SECRET ALG_OF
ENDPOINT[tessera.ES256]=$TES/vo/default/token; ENDPOINT[tessera.RS256]=$TES/vo/rs/token
ENDPOINT[keycloak.ES256]=$KC/realms/bench/protocol/openid-connect/token; ENDPOINT[keycloak.RS256]=${ENDPOINT[keycloak.ES256]}
ENDPOINT[keycloak_http.ES256]=$KC_PLAIN/realms/bench/protocol/openid-connect/token; ENDPOINT[keycloak_http.RS256]=${ENDPOINT[keycloak_http.ES256]}

# ---------------------------------------------------------------- starting and stopping
# start_tessera KIND: launches the issuer, waits for its discovery document; records the start-up time
start_tessera() {
  local kind=$1 t0 t1
  t0=$(now_ms)
  env JAVA_HOME="$BENCH_JAVA_HOME" JAVA_OPTS="$TESSERA_JAVA_OPTS" TESSERA_LOG_LEVEL=WARN XDG_CACHE_HOME="$WORK/cache" \
    "$TESSERA" issuer --data "$WORK/tessera-data" --host 127.0.0.1 --port "$TES_PORT" \
    --public-url "https://localhost:$TES_PORT" --cert "$WORK/tls.pem" --key "$WORK/tls.key" \
    >> "$OUT/tessera.log" 2>&1 < /dev/null &
  TES_PID=$!
  wait_200 "$TES_PID" "$TES_DISCOVERY" 120 || { tail -30 "$OUT/tessera.log" >&2; die "Tessera did not serve its discovery document"; }
  t1=$(now_ms)
  check_loopback tessera "$TES_PID"
  echo "tessera startup_$kind $(( t1 - t0 ))" >> "$RAW"
  echo "tessera rss_after_start_mib $(rss_mib "$TES_PID")" >> "$RAW"
  printf '   %-8s %-7s start: %6d ms to the first discovery document, RSS %s MiB, listening on %s\n' \
    tessera "$kind" $(( t1 - t0 )) "$(rss_mib "$TES_PID")" "$(listeners "$TES_PID")"
}
start_keycloak() {
  local kind=$1 t0 t1 jvm
  t0=$(now_ms)
  env -u JAVA_OPTS JAVA_HOME="$BENCH_JAVA_HOME" KC_BOOTSTRAP_ADMIN_USERNAME=admin KC_BOOTSTRAP_ADMIN_PASSWORD=admin \
    "$KC_HOME/bin/kc.sh" start-dev --http-host=127.0.0.1 --http-port="$KC_HTTP_PORT" --https-port="$KC_PORT" \
    --https-certificate-file="$WORK/tls.pem" --https-certificate-key-file="$WORK/tls.key" \
    >> "$OUT/keycloak.log" 2>&1 < /dev/null &
  KC_PID=$!
  wait_200 "$KC_PID" "$KC_DISCOVERY" 300 || { tail -30 "$OUT/keycloak.log" >&2; die "Keycloak did not serve its discovery document"; }
  t1=$(now_ms)
  jvm=$(java_of "$KC_PID") || die "no Keycloak JVM under pid $KC_PID"
  check_loopback keycloak "$jvm"
  echo "keycloak startup_$kind $(( t1 - t0 ))" >> "$RAW"
  echo "keycloak rss_after_start_mib $(rss_mib "$jvm")" >> "$RAW"
  printf '   %-8s %-7s start: %6d ms to the first discovery document, RSS %s MiB, listening on %s\n' \
    keycloak "$kind" $(( t1 - t0 )) "$(rss_mib "$jvm")" "$(listeners "$jvm")"
}
stop_tessera() { stop_pid tessera "$TES_PID"; TES_PID=""; }
stop_keycloak() { stop_pid keycloak "$KC_PID"; KC_PID=""; }

# ---------------------------------------------------------------- clients
# TESSERA_CDS=off: the admin commands must not write the launcher's class-data-sharing archive, or the
# server's restarts would load the classes of `client add` from it; the server's own first run writes it.
tessera_admin() { env JAVA_HOME="$BENCH_JAVA_HOME" TESSERA_LOG_LEVEL=WARN TESSERA_CDS=off "$TESSERA" issuer "$@" --data "$WORK/tessera-data"; }
setup_tessera() {
  local json
  tessera_admin vo add --name rs --public-url "https://localhost:$TES_PORT" --alg RS256 > "$OUT/tessera-setup.txt" 2>&1
  for vo in default rs; do
    # log lines may precede the JSON on stdout: take it from the first line that is "{"
    json=$(tessera_admin client add --vo "$vo" --name robot --grant client_credentials --scope "$SCOPE" --json 2>>"$OUT/tessera-setup.txt" \
      | sed -n '/^{/,$p')
    if [ "$vo" = default ]; then a=ES256; else a=RS256; fi
    CLIENT[tessera.$a]=$(jq -r .client_id <<<"$json"); SECRET[tessera.$a]=$(jq -r .client_secret <<<"$json")
    [ -n "${CLIENT[tessera.$a]}" ] && [ "${CLIENT[tessera.$a]}" != null ] || die "tessera issuer client add --vo $vo printed no client_id"
  done
}
kc_admin_token() {
  curl -fsSk --max-time 30 "$KC/realms/master/protocol/openid-connect/token" -d grant_type=password -d client_id=admin-cli \
    -d username=admin -d password=admin | jq -r .access_token
}
kc_api() { # METHOD PATH [JSON]
  local code out=$WORK/kc-api.out body=()
  [ -z "${3:-}" ] || body=(-H 'Content-Type: application/json' --data "$3")
  code=$(curl -sSk --max-time 60 -o "$out" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $KC_TOKEN" \
    "${body[@]}" "$KC/admin/realms$2")
  [ "$code" -lt 400 ] || { cat "$out" >&2; die "Keycloak admin API: $1 $2 answered $code"; }
  cat "$out"
}
setup_keycloak() {
  KC_TOKEN=$(kc_admin_token); [ -n "$KC_TOKEN" ] && [ "$KC_TOKEN" != null ] || die "Keycloak admin login failed"
  kc_api POST "" '{"realm":"bench","enabled":true,"accessTokenLifespan":1200,"defaultSignatureAlgorithm":"ES256"}' >/dev/null
  local rid; rid=$(kc_api GET /bench | jq -r .id)
  kc_api POST /bench/components "$(jq -cn --arg rid "$rid" '{name:"ecdsa-p256", providerId:"ecdsa-generated",
      providerType:"org.keycloak.keys.KeyProvider", parentId:$rid,
      config:{priority:["200"], enabled:["true"], active:["true"], ecdsaEllipticCurveKey:["P-256"]}}')" >/dev/null
  local c alg
  for c in robot: robot-rs256:RS256; do
    alg=${c#*:}; c=${c%%:*}
    kc_api POST /bench/clients "$(jq -cn --arg c "$c" --arg s "$KC_SECRET" --arg alg "$alg" '{clientId:$c, enabled:true,
        protocol:"openid-connect", publicClient:false, clientAuthenticatorType:"client-secret", secret:$s,
        serviceAccountsEnabled:true, standardFlowEnabled:false, implicitFlowEnabled:false, directAccessGrantsEnabled:false,
        attributes:({"access.token.lifespan":"1200"} + (if $alg == "" then {} else {"access.token.signed.response.alg":$alg} end))}')" >/dev/null
  done
  kc_api GET /bench/keys | jq -e '.active.ES256 and .active.RS256' >/dev/null || die "Keycloak: no active ES256 or RS256 key"
  for s in keycloak keycloak_http; do
    CLIENT[$s.ES256]=robot; CLIENT[$s.RS256]=robot-rs256; SECRET[$s.ES256]=$KC_SECRET; SECRET[$s.RS256]=$KC_SECRET
  done
}
# check_token SERVER ALG: one token request must answer 200 with a JWT signed with ALG; prints its size
check_token() {
  local s=$1 alg=$2 body i
  for i in $(seq 1 50); do   # Tessera picks up new clients within about a second
    body=$(curl -sk --max-time 10 -w '\n%{http_code}' "${ENDPOINT[$s.$alg]}" -d grant_type=client_credentials \
      --data-urlencode "client_id=${CLIENT[$s.$alg]}" --data-urlencode "client_secret=${SECRET[$s.$alg]}")
    [ "$(tail -1 <<<"$body")" = 200 ] && break
    sleep 0.1
  done
  [ "$(tail -1 <<<"$body")" = 200 ] || { echo "$body" >&2; die "$s: the $alg client gets no token"; }
  sed '$d' <<<"$body" > "$OUT/token-$s-$alg.json"
  python3 - "$OUT/token-$s-$alg.json" "$alg" "$s" <<'PY'
import base64, json, sys
path, alg, server = sys.argv[1:4]
resp = json.load(open(path))
token = resp["access_token"]
part = lambda s: json.loads(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)))
header, claims = part(token.split(".")[0]), part(token.split(".")[1])
if header.get("alg") != alg:
    sys.exit("%s: token signed with %s, not %s" % (server, header.get("alg"), alg))
print("   %-13s %s: %4d-character token, %d-byte response, claims %s" % (server, alg, len(token),
      len(open(path).read()), ", ".join(sorted(claims))))
PY
}

# ---------------------------------------------------------------- load
pid_of() { case $1 in tessera) echo "$TES_PID" ;; *) java_of "$KC_PID" ;; esac; }
# wrk_run SERVER ALG CONNS DURATION RECORD(yes/no): one wrk run; with RECORD, a line in $RAW
wrk_run() {
  local s=$1 alg=$2 c=$3 d=$4 record=$5 pid cpu0 cpu1 busy0 busy1 out line TIMEFORMAT='%U %S'
  pid=$(pid_of "$s")
  out="$OUT/wrk-$s-$alg-c$c-$(date +%s%N).txt"
  cpu0=$(cpu_ticks "$pid"); busy0=$(busy_ticks)
  { time wrk -t1 -c"$c" -d"${d}s" --timeout 10s -s bench/issuer-token.lua "${ENDPOINT[$s.$alg]}" \
      -- "${CLIENT[$s.$alg]}" "${SECRET[$s.$alg]}" > "$out" 2>&1; } 2> "$out.cpu" || { cat "$out" >&2; die "wrk failed"; }
  cpu1=$(cpu_ticks "$pid"); busy1=$(busy_ticks)
  line=$(sed -n 's/^RESULT //p' "$out")
  [ -n "$line" ] || { cat "$out" >&2; die "wrk printed no RESULT line"; }
  local requests duration_s rps p50_ms p90_ms p99_ms max_ms status connect read write timeout
  eval "$(tr ' ' '\n' <<<"$line" | grep -E '^[a-z0-9_]+=[0-9.]+$')"
  local errors=$(( status + connect + read + write + timeout ))
  # CPU over the run, in cores: the server's JVM, wrk, and everything else on the machine (should be ~0)
  local cores wrk_cores other_cores ms_per_token
  read -r cores wrk_cores other_cores ms_per_token < <(awk -v srv=$(( cpu1 - cpu0 )) -v all=$(( busy1 - busy0 )) \
    -v hz="$TICKS" -v d="$duration_s" -v n="$requests" -v w="$(cat "$out.cpu")" 'BEGIN {
      split(w, t, " "); wrk = t[1] + t[2]; s = srv / hz
      printf "%.2f %.2f %.2f %.3f\n", s / d, wrk / d, (all / hz - s - wrk) / d, (n > 0) ? s * 1000 / n : 0 }')
  printf '   %-13s %s c=%-3s %-8s %8.0f tokens/s  p50 %7.2f ms  p99 %7.2f ms  errors %d  CPU: server %.2f (%.3f ms/token), wrk %.2f, other %.2f cores\n' \
    "$s" "$alg" "$c" "$([ "$record" = yes ] || echo warm-up)" "$rps" "$p50_ms" "$p99_ms" "$errors" "$cores" "$ms_per_token" \
    "$wrk_cores" "$other_cores"
  if [ "$record" = yes ]; then
    echo "$s $alg $c rps $rps" >> "$RAW"
    echo "$s $alg $c p50 $p50_ms" >> "$RAW"
    echo "$s $alg $c p99 $p99_ms" >> "$RAW"
    echo "$s $alg $c errors $errors" >> "$RAW"
    echo "$s $alg $c requests $requests" >> "$RAW"
    echo "$s $alg $c cores $cores" >> "$RAW"
    echo "$s $alg $c cpu_ms_per_token $ms_per_token" >> "$RAW"
    echo "$s $alg $c wrk_cores $wrk_cores" >> "$RAW"
    echo "$s $alg $c other_cores $other_cores" >> "$RAW"
  else
    echo "$s warmup_errors $errors" >> "$RAW"
  fi
}

# ---------------------------------------------------------------- the run
# JVMS: the server processes; SERVERS: what gets load (keycloak_http is Keycloak's JVM on its HTTP port)
if [ -n "$TESSERA_ONLY" ]; then JVMS=(tessera); else JVMS=(tessera keycloak); fi
SERVERS=("${JVMS[@]}"); [ -z "$KC_HTTP" ] || SERVERS+=(keycloak_http)

log "cold starts: Tessera with a new data directory and launcher cache; Keycloak freshly unzipped, new database"
start_tessera cold
setup_tessera
stop_tessera
if [ -z "$TESSERA_ONLY" ]; then
  unzip -q "$KC_ZIP" -d "$WORK"
  [ -x "$KC_HOME/bin/kc.sh" ] || die "the zip did not contain keycloak-$KC_VERSION/bin/kc.sh"
  start_keycloak cold
  grep -q 'Updating the configuration' "$OUT/keycloak.log" && echo "   (Keycloak's first start-dev re-augmented the distribution, as every fresh installation does)"
  setup_keycloak
  stop_keycloak
fi

log "restarts on the existing state: $RESTARTS per server, alternating; the last ones stay up"
for r in $(seq 1 "$RESTARTS"); do
  start_tessera restart
  [ "$r" = "$RESTARTS" ] || stop_tessera
  [ -n "$TESSERA_ONLY" ] && continue
  start_keycloak restart
  [ "$r" = "$RESTARTS" ] || stop_keycloak
done
[ -n "$TESSERA_ONLY" ] || { grep -o 'Keycloak [0-9.]* on JVM .* started in [0-9.]*s' "$OUT/keycloak.log" || true; } | tail -1 | sed 's/^/   keycloak log: /'

log "token check (one request per server and algorithm)"
for s in "${SERVERS[@]}"; do for a in ES256 RS256; do check_token "$s" "$a"; done; done

SLICE=$(( WARMUP >= 60 ? 30 : (WARMUP + 1) / 2 ))
log "warm-up: ${WARMUP}s per server at c=32, ES256 and RS256 alternating in ${SLICE}s slices"
for s in "${JVMS[@]}"; do
  left=$WARMUP; alg=ES256
  while [ "$left" -gt 0 ]; do
    d=$(( left < SLICE ? left : SLICE ))
    wrk_run "$s" "$alg" 32 "$d" no
    left=$(( left - d ))
    if [ "$alg" = ES256 ]; then alg=RS256; else alg=ES256; fi
  done
done

log "measurement: $RUNS x ${DURATION}s per server, algorithm and concurrency (c = $CONNS), wrk -t1, servers alternating"
for r in $(seq 1 "$RUNS"); do
  if [ $(( r % 2 )) = 1 ]; then order="ES256 RS256"; else order="RS256 ES256"; fi
  for a in $order; do
    for c in $CONNS; do
      for s in "${SERVERS[@]}"; do wrk_run "$s" "$a" "$c" "$DURATION" yes; done
    done
  done
done
for s in "${JVMS[@]}"; do
  p=$(pid_of "$s")
  echo "$s rss_after_load_mib $(rss_mib "$p")" >> "$RAW"
  echo "$s hwm_mib $(hwm_mib "$p")" >> "$RAW"
  # anonymous memory (heap, malloc, stacks) against file pages (jars, libraries, the CDS archive)
  log "$s RSS after load: $(awk '/^(RssAnon|RssFile|RssShmem):/ { printf "%s %.1f MiB  ", $1, $2 / 1024 }' "/proc/$p/status")"
  # with TESSERA_JAVA_OPTS=-XX:NativeMemoryTracking=summary: where Tessera's memory is, kept with the run
  if [ "$s" = tessera ] && [[ "$TESSERA_JAVA_OPTS" == *NativeMemoryTracking* ]]; then
    { "$BENCH_JAVA_HOME/bin/jcmd" "$p" VM.native_memory summary; "$BENCH_JAVA_HOME/bin/jcmd" "$p" GC.heap_info; } \
      > "$OUT/tessera-nmt-after-load.txt" 2>&1 || true
    log "tessera native memory after load: $OUT/tessera-nmt-after-load.txt"
  fi
done
log "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
# and once both have been idle for 10 s: memory a server still holds after the load, not its last burst's
# (Tessera's launcher gives freed native memory back every 5 s; G1 in Keycloak may shrink its heap too)
sleep 10
for s in "${JVMS[@]}"; do
  echo "$s rss_settled_mib $(rss_mib "$(pid_of "$s")")" >> "$RAW"
done

# ---------------------------------------------------------------- report
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "NaN"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
sum() { awk '{ s += $1 } END { print s + 0 }'; }
m() { awk -v s="$1" -v a="$2" -v c="$3" -v k="$4" '$1 == s && $2 == a && $3 == c && $4 == k { print $5 }' "$RAW" | median; }
e() { awk -v s="$1" -v a="$2" -v c="$3" '$1 == s && $2 == a && $3 == c && $4 == "errors" { print $5 }' "$RAW" | sum; }
one() { awk -v s="$1" -v k="$2" '$1 == s && $2 == k { print $3 }' "$RAW" | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }'; }
verdict() { awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN { ok = (op == ">=") ? (v >= t) : (v <= t); print ok ? "met" : "NOT met" }'; }

if [ -n "$TESSERA_ONLY" ]; then
  {
    printf '\n%-36s %12s   (--tessera-only; JAVA_OPTS: %s)\n' "median of $RUNS x ${DURATION}s" tessera "${TESSERA_JAVA_OPTS:-none}"
    for a in ES256 RS256; do
      for c in $CONNS; do
        printf '%-36s %12s\n' "$a c=$c tokens/s" "$(m tessera $a $c rps)" "$a c=$c p50 / p99 ms" \
          "$(m tessera $a $c p50) / $(m tessera $a $c p99)" "$a c=$c errors" "$(e tessera $a $c)" \
          "$a c=$c server CPU ms/token" "$(m tessera $a $c cpu_ms_per_token)" \
          "$a c=$c other processes' CPU, cores" "$(m tessera $a $c other_cores)"
      done
    done
    printf '%-36s %12s\n' "cold start ms" "$(one tessera startup_cold)" "restart ms (median of $RESTARTS)" \
      "$(one tessera startup_restart)" "RSS after start MiB (median)" "$(one tessera rss_after_start_mib)" \
      "RSS after load MiB" "$(one tessera rss_after_load_mib)" "RSS 10 s after load MiB" \
      "$(one tessera rss_settled_mib)" "peak RSS (VmHWM) MiB" "$(one tessera hwm_mib)"
    werr=$(awk '$2 == "warmup_errors" { print $3 }' "$RAW" | sum)
    [ "$werr" = 0 ] || echo "  warning: $werr errors during the warm-up"
    echo
    for a in ES256 RS256; do
      for c in $CONNS; do
        for k in rps p50 p99 cpu_ms_per_token; do
          case $k in rps) n=tokens_per_s ;; p50|p99) n=${k}_ms ;; *) n=$k ;; esac
          echo "RESULT issuer.tessera.$(tr 'A-Z' 'a-z' <<<"$a").c$c.$n $(m tessera $a $c $k)"
        done
        echo "RESULT issuer.tessera.$(tr 'A-Z' 'a-z' <<<"$a").c$c.errors $(e tessera $a $c)"
      done
    done
    for k in startup_cold startup_restart rss_after_start_mib rss_after_load_mib; do
      case $k in startup_*) n=${k}_ms ;; *) n=$k ;; esac
      echo "RESULT issuer.tessera.$n $(one tessera $k)"
    done
  } | tee "$OUT/summary.txt"
  echo
  echo "raw numbers: $RAW; wrk output, server log, one token per algorithm: $OUT"
  exit 0
fi

{
  printf '\nTessera JAVA_OPTS: %s\n' "${TESSERA_JAVA_OPTS:-none, the launcher defaults}"
  printf '%-36s %12s %12s' "median of $RUNS x ${DURATION}s" tessera keycloak
  [ -z "$KC_HTTP" ] || printf ' %14s' "keycloak http"
  printf ' %10s\n' "T / K"
  for a in ES256 RS256; do
    for c in $CONNS; do
      for k in rps p50 p99 errors cpu_ms_per_token cores wrk_cores other_cores; do
        case $k in
          rps) label="$a c=$c tokens/s" ;; p50) label="$a c=$c p50 ms" ;; p99) label="$a c=$c p99 ms" ;;
          errors) label="$a c=$c errors" ;; cpu_ms_per_token) label="$a c=$c server CPU ms/token" ;;
          cores) label="$a c=$c server CPU, cores" ;; wrk_cores) label="$a c=$c wrk CPU, cores" ;;
          other_cores) label="$a c=$c other processes' CPU, cores" ;;
        esac
        if [ "$k" = errors ]; then vt=$(e tessera $a $c); vk=$(e keycloak $a $c); vh=$(e keycloak_http $a $c)
        else vt=$(m tessera $a $c $k); vk=$(m keycloak $a $c $k); vh=$(m keycloak_http $a $c $k); fi
        printf '%-36s %12s %12s' "$label" "$vt" "$vk"
        [ -z "$KC_HTTP" ] || printf ' %14s' "$vh"
        case $k in rps|p50|p99|cpu_ms_per_token) printf ' %9sx\n' "$(ratio "$vt" "$vk")" ;; *) printf '\n' ;; esac
      done
    done
  done
  for k in startup_cold startup_restart rss_after_start_mib rss_after_load_mib rss_settled_mib hwm_mib; do
    case $k in
      startup_cold) label="cold start ms" ;; startup_restart) label="restart ms (median of $RESTARTS)" ;;
      rss_after_start_mib) label="RSS after start MiB (median)" ;; rss_after_load_mib) label="RSS after load MiB" ;;
      rss_settled_mib) label="RSS 10 s after load MiB" ;;
      hwm_mib) label="peak RSS (VmHWM) MiB" ;;
    esac
    vt=$(one tessera $k); vk=$(one keycloak $k)
    printf '%-36s %12s %12s' "$label" "$vt" "$vk"
    [ -z "$KC_HTTP" ] || printf ' %14s' ""
    printf ' %9sx\n' "$(ratio "$vt" "$vk")"
  done
  echo
  echo "targets (Tessera / Keycloak, both over HTTPS):"
  for c in $CONNS; do
    r=$(ratio "$(m tessera ES256 $c rps)" "$(m keycloak ES256 $c rps)")
    printf '  ES256 c=%-3s tokens/s %6sx (>= 3x: %s); p99 %s vs %s ms (<=: %s)\n' "$c" "$r" "$(verdict "$r" ">=" 3)" \
      "$(m tessera ES256 $c p99)" "$(m keycloak ES256 $c p99)" "$(verdict "$(m tessera ES256 $c p99)" "<=" "$(m keycloak ES256 $c p99)")"
  done
  for c in $CONNS; do
    r=$(ratio "$(m tessera RS256 $c rps)" "$(m keycloak RS256 $c rps)")
    printf '  RS256 c=%-3s tokens/s %6sx (>= 1.5x: %s)\n' "$c" "$r" "$(verdict "$r" ">=" 1.5)"
  done
  r=$(ratio "$(one tessera startup_cold)" "$(one keycloak startup_cold)")
  printf '  cold start %sx (<= 0.2x: %s); restart %sx\n' "$r" "$(verdict "$r" "<=" 0.2)" \
    "$(ratio "$(one tessera startup_restart)" "$(one keycloak startup_restart)")"
  r=$(ratio "$(one tessera rss_after_load_mib)" "$(one keycloak rss_after_load_mib)")
  printf '  RSS after load %sx (<= 0.33x: %s)\n' "$r" "$(verdict "$r" "<=" 0.3334)"
  r=$(ratio "$(one tessera rss_settled_mib)" "$(one keycloak rss_settled_mib)")
  printf '  RSS 10 s after load %sx (<= 0.33x: %s)\n' "$r" "$(verdict "$r" "<=" 0.3334)"
  werr=$(awk '$2 == "warmup_errors" { print $3 }' "$RAW" | sum)
  [ "$werr" = 0 ] || echo "  warning: $werr errors during the warm-up"
  echo
  for s in "${SERVERS[@]}"; do
    for a in ES256 RS256; do
      lower=$(tr 'A-Z' 'a-z' <<<"$a")
      for c in $CONNS; do
        echo "RESULT issuer.$s.$lower.c$c.tokens_per_s $(m "$s" $a $c rps)"
        echo "RESULT issuer.$s.$lower.c$c.p50_ms $(m "$s" $a $c p50)"
        echo "RESULT issuer.$s.$lower.c$c.p99_ms $(m "$s" $a $c p99)"
        echo "RESULT issuer.$s.$lower.c$c.errors $(e "$s" $a $c)"
      done
    done
  done
  for s in tessera keycloak; do
    echo "RESULT issuer.$s.startup_cold_ms $(one $s startup_cold)"
    echo "RESULT issuer.$s.startup_restart_ms $(one $s startup_restart)"
    echo "RESULT issuer.$s.rss_after_load_mib $(one $s rss_after_load_mib)"
    echo "RESULT issuer.$s.rss_settled_mib $(one $s rss_settled_mib)"
  done
  for a in ES256 RS256; do
    for c in $CONNS; do
      echo "RESULT issuer.ratio.$(tr 'A-Z' 'a-z' <<<"$a").c$c.tokens_per_s $(ratio "$(m tessera $a $c rps)" "$(m keycloak $a $c rps)")"
    done
  done
  echo "RESULT issuer.ratio.startup_cold $(ratio "$(one tessera startup_cold)" "$(one keycloak startup_cold)")"
  echo "RESULT issuer.ratio.startup_restart $(ratio "$(one tessera startup_restart)" "$(one keycloak startup_restart)")"
  echo "RESULT issuer.ratio.rss_after_load $(ratio "$(one tessera rss_after_load_mib)" "$(one keycloak rss_after_load_mib)")"
} | tee "$OUT/summary.txt"
echo
echo "raw numbers: $RAW; wrk output, server logs, one token per server and algorithm: $OUT"
