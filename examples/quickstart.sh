#!/usr/bin/env bash
# examples/quickstart.sh - a simple issuer, a token, and a service's view of it, in a scratch directory.
# Needs the distribution: ./mvnw -q -DskipTests package
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
tessera="$here/cli/target/tessera/bin/tessera"
[ -x "$tessera" ] || { echo "build first: ./mvnw -q -DskipTests package" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/tessera-quickstart.XXXXXX")
issuer=https://tokens.example.org/ligo
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

echo "Working in $work"
step "$tessera" keygen --alg ES256 --out "$work/keys" --issuer "$issuer"
key=$(ls "$work"/keys/*.pem)
step "$tessera" create --key "$key" --issuer "$issuer" --sub alice --aud https://data.example.org \
  --scope "read:/frames write:/user/alice" --lifetime 20m --out "$work/token"
step "$tessera" decode -H - < "$work/token"
# A storage service that maps this issuer under /ligo, checking two requests (the second is denied):
set +e
step "$tessera" verify --jwks "$work/keys/jwks.json" --issuer "$issuer" --audience https://data.example.org \
  --base-path "$issuer=/ligo" --test read:/ligo/frames/O4/H1.gwf --test write:/ligo/frames/O4/H1.gwf \
  --explain - < "$work/token"
status=$?
set -e
printf '\nverify exited %s: 1 because the write was denied, as it should be.\n' "$status"
echo "In production, publish $work/keys/public/ at $issuer/ on an https server; verifiers then need no --jwks."
[ "$status" = 1 ]
