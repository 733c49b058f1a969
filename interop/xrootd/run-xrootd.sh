#!/usr/bin/env bash
# run-xrootd.sh - runs XRootD 5.5.3 with the SciTokens plugin in the FOREGROUND, configured from the
# templates next to this script (xrootd.cfg.in, scitokens.cfg.in). The script execs xrootd, so the
# pid of the process that started it is the daemon's pid: stop it by killing exactly that pid
# (SIGTERM). Used by XrootdComparisonIT, IssuerXrootdIT and bench/storage.sh.
#
# Usage: run-xrootd.sh STATE_DIR
#   STATE_DIR           configs, TLS files, admin/run dirs, log (STATE_DIR/xrootd.log), key cache;
#                       created if missing. It and its parents must be traversable by the run user.
# Environment (required): XRD_ISSUER (https URL), XRD_AUDIENCE, XRD_HTTP_PORT, XRD_PORT,
#                         XRD_CERT, XRD_KEY (PEM chain and key for localhost), XRD_CA (CA PEM)
# Environment (optional): XRD_BASE_PATH (/data), XRD_LOCALROOT (STATE_DIR/root; serves
#                         XRD_LOCALROOT/XRD_BASE_PATH), XRD_TRACE (scitokens.trace; info),
#                         XRD_USER (xrootd; the account xrootd runs as when this runs as root)
#
# As root, xrootd is run as XRD_USER through setpriv (execs, no fork, so the pid stays the same):
# STATE_DIR and XRD_LOCALROOT are handed to that user. Not as root, it runs as the caller.
# The plugin's scitokens-cpp key cache lives in STATE_DIR/cache (XDG_CACHE_HOME), never in ~.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
[ $# -eq 1 ] || { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
STATE="$(mkdir -p "$1" && cd "$1" && pwd)"
for v in XRD_ISSUER XRD_AUDIENCE XRD_HTTP_PORT XRD_PORT XRD_CERT XRD_KEY XRD_CA; do
  [ -n "${!v:-}" ] || { echo "run-xrootd.sh: $v is not set" >&2; exit 2; }
done
BASE_PATH="${XRD_BASE_PATH:-/data}"
LOCALROOT="${XRD_LOCALROOT:-$STATE/root}"
TRACE="${XRD_TRACE:-info}"
command -v xrootd >/dev/null || { echo "run-xrootd.sh: xrootd not installed (interop/setup.sh)" >&2; exit 1; }

if [ "$(id -u)" = 0 ]; then
  RUN_USER="${XRD_USER:-xrootd}"
  id "$RUN_USER" >/dev/null 2>&1 || { echo "run-xrootd.sh: user $RUN_USER missing (xrootd-server creates it)" >&2; exit 1; }
else
  RUN_USER="$(id -un)"
fi

mkdir -p "$STATE"/{admin,run,cache} "$LOCALROOT$BASE_PATH"
LOCALROOT="$(cd "$LOCALROOT" && pwd)"
install -m 0644 "$XRD_CERT" "$STATE/hostcert.pem"
install -m 0600 "$XRD_KEY" "$STATE/hostkey.pem"
install -m 0644 "$XRD_CA" "$STATE/ca.pem"

render() { # template -> file
  sed -e "s|@STATE@|$STATE|g" -e "s|@LOCALROOT@|$LOCALROOT|g" -e "s|@BASE_PATH@|$BASE_PATH|g" \
      -e "s|@XRD_PORT@|$XRD_PORT|g" -e "s|@HTTP_PORT@|$XRD_HTTP_PORT|g" -e "s|@TRACE@|$TRACE|g" \
      -e "s|@AUDIENCE@|$XRD_AUDIENCE|g" -e "s|@ISSUER@|$XRD_ISSUER|g" -e "s|@RUN_USER@|$RUN_USER|g" "$1" > "$2"
}
render "$HERE/xrootd.cfg.in" "$STATE/xrootd.cfg"
render "$HERE/scitokens.cfg.in" "$STATE/scitokens.cfg"
: > "$STATE/xrootd.log"

ENV=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$STATE" XDG_CACHE_HOME="$STATE/cache")
cd "$STATE"   # xrootd links its admin path back to its working directory: keep everything in STATE
if [ "$(id -u)" = 0 ]; then
  chown -R "$RUN_USER:" "$STATE" "$LOCALROOT"
  if ! setpriv --reuid="$RUN_USER" --regid="$RUN_USER" --init-groups test -x "$STATE" -a -w "$LOCALROOT$BASE_PATH"; then
    echo "run-xrootd.sh: $RUN_USER cannot reach $STATE or write $LOCALROOT$BASE_PATH (a parent directory not traversable?)" >&2
    exit 1
  fi
  exec "${ENV[@]}" setpriv --reuid="$RUN_USER" --regid="$RUN_USER" --init-groups \
    xrootd -I v4 -c "$STATE/xrootd.cfg" -l "$STATE/xrootd.log"
fi
exec "${ENV[@]}" xrootd -I v4 -c "$STATE/xrootd.cfg" -l "$STATE/xrootd.log"
