#!/usr/bin/env bash
# interop/setup.sh - prepares this machine for the interop tests (run as root, Debian 12):
#   * installs the third-party peers from Debian: scitokens-cpp (CLI + C library), PyJWT, curl, davix,
#     nginx, wrk, XRootD with its SciTokens plugin, oidc-agent (oidc-agent-cli);
#   * installs Chromium, its WebDriver (chromium-driver) and NSS's certutil (libnss3-tools) for the browser
#     tests of the issuer's pages (IssuerPagesBrowserIT);
#   * creates a test CA in $TESSERA_INTEROP_HOME/ca (default /tmp/tessera-interop/ca) and installs
#     it into the system trust store, which libcurl (and so scitokens-cpp) reads. The Java tests
#     issue their loopback server certificates from this CA.
# Idempotent. Fails loudly when a peer cannot be installed: the interop tests never skip.
set -euo pipefail

HOME_DIR="${TESSERA_INTEROP_HOME:-/tmp/tessera-interop}"
CA_DIR="$HOME_DIR/ca"
TRUST_FILE=/usr/local/share/ca-certificates/tessera-interop-ca.crt
PACKAGES=(scitokens-cpp libscitokens0 libscitokens-dev g++ python3 python3-jwt python3-cryptography
          openssl ca-certificates curl davix nginx wrk
          xrootd-server xrootd-server-plugins xrootd-client xrootd-scitokens-plugins oidc-agent-cli)
BINARIES=(scitokens-create scitokens-verify scitokens-list-access scitokens-test-access g++ openssl /usr/bin/python3
          curl davix-get davix-put davix-ls nginx wrk xrootd xrdcp oidc-agent oidc-gen oidc-add oidc-token)

# IssuerPagesBrowserIT: a real browser on the issuer's pages; certutil puts the test CA into its NSS database
PACKAGES+=(chromium chromium-driver libnss3-tools)
BINARIES+=(chromium chromedriver certutil)

log() { printf '[interop/setup] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

missing_binaries() {
  local b missing=()
  for b in "${BINARIES[@]}"; do command -v "$b" >/dev/null 2>&1 || missing+=("$b"); done
  [ -e /usr/include/scitokens/scitokens.h ] || missing+=(libscitokens-dev)
  ls /usr/lib/x86_64-linux-gnu/libXrdAccSciTokens-5.so /usr/lib/*/libXrdAccSciTokens-5.so >/dev/null 2>&1 \
    || missing+=(xrootd-scitokens-plugins)
  /usr/bin/python3 -c 'import jwt, cryptography' 2>/dev/null || missing+=(python3-jwt)
  printf '%s\n' "${missing[@]}"
}

install_peers() {
  if [ -z "$(missing_binaries)" ]; then
    log "peers already installed"
    return
  fi
  [ "$(id -u)" = 0 ] || die "peers missing ($(missing_binaries | tr '\n' ' ')) and not root: run as root"
  log "installing: ${PACKAGES[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q || die "apt-get update failed"
  apt-get install -y -q --no-install-recommends "${PACKAGES[@]}" || die "apt-get install failed"
  local still; still=$(missing_binaries)
  [ -z "$still" ] || die "still missing after install: $still"
}

make_ca() {
  mkdir -p "$CA_DIR"
  chmod 755 "$HOME_DIR" "$CA_DIR"
  if [ -s "$CA_DIR/ca.pem" ] && [ -s "$CA_DIR/ca.key" ]; then
    return
  fi
  log "creating test CA in $CA_DIR"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$CA_DIR/ca.key"
  chmod 600 "$CA_DIR/ca.key"
  openssl req -x509 -new -key "$CA_DIR/ca.key" -sha256 -days 3650 \
    -subj "/O=Tessera Interop/CN=Tessera Interop Test CA $(date -u +%Y%m%d%H%M%S)" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" \
    -out "$CA_DIR/ca.pem"
}

trust_ca() {
  if [ -f "$TRUST_FILE" ] && cmp -s "$CA_DIR/ca.pem" "$TRUST_FILE" \
     && openssl verify -CAfile /etc/ssl/certs/ca-certificates.crt "$CA_DIR/ca.pem" >/dev/null 2>&1; then
    log "test CA already trusted by the system"
    return
  fi
  [ "$(id -u)" = 0 ] || die "the test CA is not in the system trust store and this is not root"
  cp "$CA_DIR/ca.pem" "$TRUST_FILE"
  # --fresh: a replaced CA under the same file name is otherwise not picked up
  update-ca-certificates --fresh >/dev/null
  openssl verify -CAfile /etc/ssl/certs/ca-certificates.crt "$CA_DIR/ca.pem" >/dev/null \
    || die "the test CA is still not trusted after update-ca-certificates"
  log "test CA installed into the system trust store"
}

install_peers
make_ca
trust_ca
dpkg-query -W -f='${Package} ${Version}\n' scitokens-cpp libscitokens-dev python3-jwt davix nginx xrootd-server \
  xrootd-scitokens-plugins wrk oidc-agent-cli 2>/dev/null | sed 's/^/[interop\/setup] peer: /' >&2
log "ready: TESSERA_INTEROP_HOME=$HOME_DIR"
