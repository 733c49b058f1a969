#!/usr/bin/env bash
# bench/storage.sh - the storage service side by side with XRootD 5.5.3 + its SciTokens plugin (Debian 12
# packages), one run, the same files and the same tokens for both.
#
# Measures, over HTTPS on loopback:
#   small GET (a SMALL_BYTES file) req/s and p99 with wrk -t THREADS -c CONNS, keep-alive:
#     get_repeated   every request carries the same token (both servers' token caches hit)
#     get_fresh      every request carries an ES256 token never sent before (bench/storage-tokens.lua
#                    reads them from a file of pre-minted tokens), so every request pays a full verification
#   1 GiB GET (to /dev/null) and PUT (from a file on local disk) MB/s with curl over HTTP/1.1 (XRootD
#   has no HTTP/2); Tessera's HTTP/2 numbers (curl's default with it) are reported as well.
#   Tessera stages every upload and fsyncs it before renaming it into place (never a partial file
#   visible); XRootD writes in place without fsync. The PUT numbers include that difference.
# Both servers serve one tree (base path /data, scope read:/), trust one HTTPS issuer on loopback
# (bench/.../StorageFixtures, certificate from the interop test CA that the system trusts) and share one
# localhost certificate. Runs alternate between the servers so background load hits both alike. Prints
# a table, the target ratios and "RESULT storage.<server>.<metric> <value>" lines.
#
# Needs (interop/setup.sh installs them, as root): wrk, curl, xrootd-server, xrootd-scitokens-plugins,
# the test CA in $TESSERA_INTEROP_HOME/ca (default /tmp/tessera-interop/ca); Tessera runs on the JDK in
# BENCH_JAVA_HOME (default /usr/lib/jvm/temurin-25-jdk-amd64, as for bench/issuer.sh). Run as root: XRootD refuses
# to run as root, so interop/xrootd/run-xrootd.sh runs it as user xrootd through setpriv.
#
# Start and stop: XRootD runs in the foreground of run-xrootd.sh (which execs it) and Tessera from
# cli/target/tessera/bin/tessera storage (which execs java), both as background children of this
# script; their pids are recorded and on exit (also on Ctrl-C or an error) exactly those pids get
# SIGTERM (Tessera stops gracefully, XRootD exits), then SIGKILL after 15 s. The issuer stops when this
# script closes its standard input. The temporary tree (1 GiB files) is removed unless --keep.
#
# Usage: bench/storage.sh [--quick] [--duration S] [--runs N] [--warmup S] [--connections N]
#                         [--threads N] [--size-mib N] [--big-runs N] [--fresh-rate N] [--keep]
#   --quick   wrk 3 s, 1 run, 5 s warm-up, one 1 GiB GET and PUT per server after one of each to warm
#             up (about 2 minutes)
#   defaults: wrk 8 s x 3 runs (medians) after a 15 s warm-up per server and kind (the JVM needs about
#             that to reach its steady state; XRootD gets the same), 8 connections, 1 wrk thread,
#             one warm-up and 3 measured 1 GiB GET and PUT per server, tokens for up to 10000 fresh
#             requests/s (--fresh-rate); --size-mib changes the large file (the metric names keep "1g")
# Maven runs with MAVEN_ARGS from the environment (e.g. MAVEN_ARGS=-o offline).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=8 RUNS=3 WARMUP=15 CONNS=8 THREADS=1 SIZE_MIB=1024 BIG_RUNS=3 FRESH_RATE=10000 KEEP="" SMALL_BYTES=1024
JAVA=${JAVA:-java}
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) DURATION=3 RUNS=1 WARMUP=5 BIG_RUNS=1 ;;
    --duration) DURATION=$2; shift ;;
    --runs) RUNS=$2; shift ;;
    --warmup) WARMUP=$2; shift ;;
    --connections) CONNS=$2; shift ;;
    --threads) THREADS=$2; shift ;;
    --size-mib) SIZE_MIB=$2; shift ;;
    --big-runs) BIG_RUNS=$2; shift ;;
    --fresh-rate) FRESH_RATE=$2; shift ;;
    --keep) KEEP=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

log() { printf '== %s\n' "$*"; }
die() { printf 'bench/storage.sh: %s\n' "$*" >&2; exit 1; }

INTEROP_HOME=${TESSERA_INTEROP_HOME:-/tmp/tessera-interop}
for b in wrk curl xrootd python3; do command -v "$b" >/dev/null || die "$b is missing (run interop/setup.sh as root)"; done
[ -s "$INTEROP_HOME/ca/ca.pem" ] || die "no test CA in $INTEROP_HOME/ca (run interop/setup.sh as root)"
ls /usr/lib/*/libXrdAccSciTokens-5.so >/dev/null 2>&1 || die "xrootd-scitokens-plugins missing (interop/setup.sh)"
# the JDK Tessera runs on, as in bench/issuer.sh: on Java 22+ it verifies signatures through OpenSSL
BENCH_JAVA_HOME=${BENCH_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
[ -x "$BENCH_JAVA_HOME/bin/java" ] || die "no JDK at $BENCH_JAVA_HOME (set BENCH_JAVA_HOME to a JDK 17+)"
[ "$(id -u)" = 0 ] || echo "note: not root, XRootD runs as $(id -un) (it only refuses root itself)" >&2

OUT=bench/target/storage-run
rm -rf "$OUT"; mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tessera-bench-storage.XXXXXX")
chmod 755 "$WORK"   # XRootD's user must reach its state and the tree
TREE=$WORK/tree
RAW=$OUT/raw.txt; : > "$RAW"
TES_PID="" XRD_PID="" FIXTURES_PID=""

stop_pid() { # name pid: SIGTERM exactly this pid, SIGKILL after 15 s
  local name=$1 pid=$2
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then echo "$name (pid $pid) ignored SIGTERM, killing" >&2; kill -KILL "$pid" 2>/dev/null || true; fi
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_pid tessera "$TES_PID"
  stop_pid xrootd "$XRD_PID"
  # xrootd also writes /tmp/xrootd.anon.env outside its configured paths; remove it when it is ours
  if [ -n "$XRD_PID" ] && grep -qs "^pid=$XRD_PID&" /tmp/xrootd.anon.env; then rm -f /tmp/xrootd.anon.env; fi
  if [ -n "$FIXTURES_PID" ]; then exec {FIXTURES[1]}>&- 2>/dev/null || true; wait "$FIXTURES_PID" 2>/dev/null || true; fi
  if [ -n "$KEEP" ]; then echo "kept $WORK (tree, XRootD state and log, Tessera data)"; else rm -rf "$WORK"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

log "load before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs shared by wrk, curl and the servers)"
log "building cli/target/tessera and bench/target/benchmarks.jar"
./mvnw -q -B -ntp -pl cli,bench -am package -DskipTests
JAR=bench/target/benchmarks.jar
TESSERA=cli/target/tessera/bin/tessera

WARM_SLICE=$(( FRESH_RATE * WARMUP ))      # fresh tokens for the warm-up, then one slice per measured run;
SLICE=$(( FRESH_RATE * DURATION ))          # both servers get the same slices
TOKENS=$(( WARM_SLICE + SLICE * RUNS ))
log "fixtures: issuer on loopback, $TOKENS fresh ES256 tokens (warm-up $WARM_SLICE, then $RUNS x $SLICE)"
coproc FIXTURES { "$JAVA" -cp "$JAR" dev.tessera.bench.StorageFixtures "$OUT/fixtures" "$TOKENS"; }
for _ in $(seq 1 1200); do [ -f "$OUT/fixtures/ready" ] && break; kill -0 "$FIXTURES_PID" 2>/dev/null || break; sleep 0.1; done
[ -f "$OUT/fixtures/ready" ] || die "fixtures did not start"
FX=$OUT/fixtures
ISSUER=$(cat "$FX/issuer")
AUD=https://storage.example.org
READ=$(cat "$FX/read.token")
RW=$(cat "$FX/rw.token")

log "tree: $SMALL_BYTES-byte file and a ${SIZE_MIB} MiB file of random bytes in $TREE/data"
mkdir -p "$TREE/data/small" "$TREE/data/big" "$TREE/data/upload"
head -c "$SMALL_BYTES" /dev/urandom > "$TREE/data/small/file.bin"
head -c "$(( SIZE_MIB * 1024 * 1024 ))" /dev/urandom > "$TREE/data/big/file.bin"
BIG_BYTES=$(stat -c %s "$TREE/data/big/file.bin")

XRD_HTTP_PORT=$(free_port); XRD_PORT=$(free_port); TES_PORT=$(free_port)
log "starting XRootD (interop/xrootd/run-xrootd.sh) on https://localhost:$XRD_HTTP_PORT"
XRD_ISSUER=$ISSUER XRD_AUDIENCE=$AUD XRD_HTTP_PORT=$XRD_HTTP_PORT XRD_PORT=$XRD_PORT \
  XRD_CERT=$FX/server.pem XRD_KEY=$FX/server.key XRD_CA=$FX/ca.pem XRD_LOCALROOT=$TREE XRD_BASE_PATH=/data \
  interop/xrootd/run-xrootd.sh "$WORK/xrootd" > "$OUT/xrootd.stdout" 2>&1 < /dev/null &
XRD_PID=$!
for _ in $(seq 1 300); do
  grep -qs "initialization completed" "$WORK/xrootd/xrootd.log" && break
  kill -0 "$XRD_PID" 2>/dev/null || break; sleep 0.1
done
grep -qs "initialization completed" "$WORK/xrootd/xrootd.log" \
  || { cat "$OUT/xrootd.stdout" "$WORK/xrootd/xrootd.log" >&2 2>/dev/null; die "XRootD did not start"; }

log "starting Tessera ($TESSERA storage) on https://localhost:$TES_PORT, JDK $BENCH_JAVA_HOME"
JAVA_HOME=$BENCH_JAVA_HOME "$TESSERA" storage --root "$TREE" --data "$WORK/tessera" --port "$TES_PORT" --trust "$ISSUER=/data" \
  --audience "$AUD" --ca-file "$FX/ca.pem" --cert "$FX/server.pem" --key "$FX/server.key" \
  > "$OUT/tessera.log" 2>&1 < /dev/null &
TES_PID=$!
for _ in $(seq 1 300); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "https://localhost:$TES_PORT/readyz")" = 200 ] && break
  kill -0 "$TES_PID" 2>/dev/null || break; sleep 0.1
done
[ "$(curl -s -o /dev/null -w '%{http_code}' "https://localhost:$TES_PORT/readyz")" = 200 ] \
  || { cat "$OUT/tessera.log" >&2; die "Tessera did not start"; }

declare -A BASE=([tessera]="https://localhost:$TES_PORT" [xrootd]="https://localhost:$XRD_HTTP_PORT")
SERVERS=(tessera xrootd)
for s in "${SERVERS[@]}"; do   # both serve the same bytes to the same token
  curl -sS --fail -H "Authorization: Bearer $READ" -o "$OUT/check-$s.bin" "${BASE[$s]}/data/small/file.bin" \
    || die "$s: GET with the read token failed"
  cmp -s "$OUT/check-$s.bin" "$TREE/data/small/file.bin" || die "$s served different bytes"
done

to_ms() { # wrk latency (123.45us, 1.23ms, 1.05s, 1.00m) -> ms
  awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u);
    f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : -1;
    if (f < 0) { print "NaN"; exit 1 } printf "%.3f\n", n * f }'
}
# wrk_run SERVER METRIC(or "") DURATION ARGS... : runs wrk, records req/s and p99 unless METRIC is empty
wrk_run() {
  local server=$1 metric=$2 duration=$3; shift 3
  local out="$OUT/wrk-$server-${metric:-warmup}-$(date +%s%N).txt"
  wrk -t"$THREADS" -c"$CONNS" -d"${duration}s" --latency "$@" > "$out" 2>&1 || { cat "$out" >&2; die "wrk failed"; }
  grep -q 'Non-2xx' "$out" && { cat "$out" >&2; die "$server: non-2xx responses under load"; }
  grep -q 'TOKENS EXHAUSTED' "$out" && { cat "$out" >&2; die "$server: fresh tokens ran out; rerun with a higher --fresh-rate"; }
  grep -q 'Socket errors' "$out" && echo "   $server ${metric:-warm-up}: $(grep 'Socket errors' "$out" | sed 's/^ *//')"
  local rps p99
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")
  printf '   %-8s %-14s %10.0f req/s  p99 %8.2f ms\n' "$server" "${metric:-warm-up}" "$rps" "$p99"
  if [ -n "$metric" ]; then
    echo "$server ${metric}_rps $rps" >> "$RAW"
    echo "$server ${metric}_p99_ms $p99" >> "$RAW"
  fi
}
wrk_fresh() { # SERVER METRIC DURATION FIRST COUNT: wrk with a token never sent before on every request
  wrk_run "$1" "$2" "$3" -s bench/storage-tokens.lua "${BASE[$1]}$SMALL" -- "$FX/fresh.tokens" "$4" "$5" "$THREADS"
}

SMALL=/data/small/file.bin
log "small GET: wrk -t$THREADS -c$CONNS, warm-up ${WARMUP}s per server and kind, then $RUNS x ${DURATION}s"
for s in "${SERVERS[@]}"; do
  wrk_run "$s" "" "$WARMUP" -H "Authorization: Bearer $READ" "${BASE[$s]}$SMALL"
  wrk_fresh "$s" "" "$WARMUP" 1 "$WARM_SLICE"
done
for r in $(seq 1 "$RUNS"); do
  for s in "${SERVERS[@]}"; do
    wrk_run "$s" get_repeated "$DURATION" -H "Authorization: Bearer $READ" "${BASE[$s]}$SMALL"
  done
  for s in "${SERVERS[@]}"; do
    wrk_fresh "$s" get_fresh "$DURATION" "$(( WARM_SLICE + (r - 1) * SLICE + 1 ))" "$SLICE"
  done
done

# big_run SERVER SUFFIX HTTP_FLAG [warm-up]: one 1 GiB GET and one PUT, recorded in MB/s (10^6 bytes/s)
big_run() {
  local server=$1 suffix=$2 flag=$3 raw=$RAW put="/data/upload/put-$1$2-$RANDOM.bin" got
  [ -z "${4:-}" ] || raw=/dev/null
  got=$(curl -sS "$flag" -o /dev/null -w '%{http_code} %{size_download} %{speed_download}' \
    -H "Authorization: Bearer $READ" "${BASE[$server]}/data/big/file.bin")
  set -- $got
  [ "$1" = 200 ] && [ "$2" = "$BIG_BYTES" ] || die "$server: 1 GiB GET answered $got"
  echo "$server get_1g${suffix}_mbps $(awk -v b="$3" 'BEGIN { printf "%.1f", b / 1e6 }')" >> "$raw"
  printf '   %-8s GET%-4s %8.1f MB/s%s\n' "$server" "$suffix" "$(awk -v b="$3" 'BEGIN { print b / 1e6 }')" "${4:+ (warm-up)}"
  got=$(curl -sS "$flag" -o /dev/null -w '%{http_code} %{size_upload} %{speed_upload}' -T "$TREE/data/big/file.bin" \
    -H "Authorization: Bearer $RW" "${BASE[$server]}$put")
  set -- $got
  [[ "$1" =~ ^20[01]$ ]] && [ "$2" = "$BIG_BYTES" ] || die "$server: 1 GiB PUT answered $got"
  [ "$(stat -c %s "$TREE$put")" = "$BIG_BYTES" ] || die "$server: the uploaded file has the wrong size"
  echo "$server put_1g${suffix}_mbps $(awk -v b="$3" 'BEGIN { printf "%.1f", b / 1e6 }')" >> "$raw"
  printf '   %-8s PUT%-4s %8.1f MB/s%s\n' "$server" "$suffix" "$(awk -v b="$3" 'BEGIN { print b / 1e6 }')" "${4:+ (warm-up)}"
  rm -f "$TREE$put"
}
log "large files: one warm-up, then $BIG_RUNS x (GET + PUT of $SIZE_MIB MiB) per server with curl, HTTP/1.1 (and HTTP/2 for Tessera)"
big_run tessera "" --http1.1 warm-up
big_run xrootd "" --http1.1 warm-up
big_run tessera _h2 --http2 warm-up
for r in $(seq 1 "$BIG_RUNS"); do
  big_run tessera "" --http1.1
  big_run xrootd "" --http1.1
  big_run tessera _h2 --http2
done

log "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
"$JAVA" -cp "$JAR" dev.tessera.bench.StorageReport "$RAW" "$SIZE_MIB"
echo
echo "raw runs: $RAW; wrk output, server logs: $OUT"
