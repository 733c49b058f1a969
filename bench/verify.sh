#!/usr/bin/env bash
# bench/verify.sh - verification throughput, Tessera side by side with scitokens-cpp, one run, same tokens.
#
# Measures ops/s on one thread for: Tessera verify+enforce of a token never seen before (ES256, RS256),
# of a repeated token (verified-token cache hit), raw signature verification (BouncyCastle ES256,
# JCA RS256) as the ceiling, and scitokens-cpp scitoken_deserialize + enforcer_test through its C API
# (compiled against Debian's libscitokens-dev when present; its key fetch needs the interop test CA,
# see interop/setup.sh). Prints a table, the target ratios and "RESULT <name> <ops_per_s>" lines.
#
# Usage: bench/verify.sh [--quick] [--forks N] [--warmup N] [--iterations N] [--time SECONDS]
#                        [--cpp-seconds SECONDS] [--tokens N] [--java PATH]
#   --quick   1 fork, 2 warm-up and 3 measured iterations of 1 s (a rough look in about a minute)
#   defaults: 3 forks x (5 warm-up + 5 measured iterations of 1 s), scitokens-cpp 10 s per algorithm
set -euo pipefail
cd "$(dirname "$0")/.."

FORKS=3 WARMUP=5 ITERATIONS=5 TIME=1 CPP_SECONDS=10 TOKENS=4096 JAVA=${JAVA:-java}
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) FORKS=1 WARMUP=2 ITERATIONS=3 CPP_SECONDS=3 ;;
    --forks) FORKS=$2; shift ;;
    --warmup) WARMUP=$2; shift ;;
    --iterations) ITERATIONS=$2; shift ;;
    --time) TIME=$2; shift ;;
    --cpp-seconds) CPP_SECONDS=$2; shift ;;
    --tokens) TOKENS=$2; shift ;;
    --java) JAVA=$2; shift ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

OUT=bench/target/verify-run
rm -rf "$OUT"; mkdir -p "$OUT"
echo "== building bench/target/benchmarks.jar"
./mvnw -q -B -ntp -pl bench -am package -DskipTests
JAR=bench/target/benchmarks.jar

echo "== fixtures: $TOKENS ES256 + $TOKENS RS256 tokens, keys served over HTTPS on loopback"
coproc FIXTURES { "$JAVA" -cp "$JAR" dev.tessera.bench.Fixtures "$OUT/fixtures" "$TOKENS"; }
trap 'exec {FIXTURES[1]}>&- 2>/dev/null || true; wait 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do [ -f "$OUT/fixtures/ready" ] && break; sleep 0.1; done
[ -f "$OUT/fixtures/ready" ] || { echo "fixtures did not start" >&2; exit 1; }
ISSUER=$(cat "$OUT/fixtures/issuer")

echo "== JMH: $FORKS fork(s) x ($WARMUP warm-up + $ITERATIONS measured iterations of ${TIME}s), 1 thread"
"$JAVA" -Dtessera.bench.fixtures="$OUT/fixtures" -jar "$JAR" VerifyBenchmark \
  -f "$FORKS" -wi "$WARMUP" -i "$ITERATIONS" -w "${TIME}s" -r "${TIME}s" -t 1 \
  -rf json -rff "$OUT/jmh.json" | tee "$OUT/jmh.txt" | grep -E '^(Benchmark|VerifyBenchmark)' || true

if [ -e /usr/include/scitokens/scitokens.h ] && command -v g++ >/dev/null; then
  echo "== scitokens-cpp $(dpkg-query -W -f='${Version}' libscitokens-dev 2>/dev/null || echo '?'): deserialize + enforcer_test, ${CPP_SECONDS}s per algorithm"
  g++ -O2 -std=c++17 -o "$OUT/scitokens_verify_bench" bench/cpp/scitokens_verify_bench.cpp -lSciTokens
  for alg in es256 rs256; do
    XDG_CACHE_HOME="$OUT/cpp-cache" "$OUT/scitokens_verify_bench" "$ISSUER" https://storage.example.org \
      "$OUT/fixtures/$alg.tokens" "$CPP_SECONDS" | tee "$OUT/cpp-$alg.txt"
  done
else
  echo "== scitokens-cpp: libscitokens-dev or g++ not installed (interop/setup.sh installs them); skipped"
fi

"$JAVA" -cp "$JAR" dev.tessera.bench.Report "$OUT"
