#!/usr/bin/env bash
# bench/agent.sh - the token manager: per-job mint latency through its Unix socket (p50/p99), jobs/s, and
# issuer requests per job.
#
# Runs bench/agent/AgentBench.java (a single-file Java program) on the CLI module's test class path: the
# agent (its socket server and token manager, as `tessera agent` runs them) and a real issuer (HTTPS on
# loopback, SQLite, the agent tests' VO fixture) in one JVM. Every job connects to the socket, asks for a
# token (read:/..., audience https://data.example.org, at least 60 s left) and disconnects, as `tessera run`
# does; CONCURRENCY jobs at a time. Scenarios: cached (all jobs ask the same: served from the cache),
# exchange (a scope per job: one RFC 8693 exchange each), refresh (a client without the exchange grant: one
# narrowed refresh each, the rotated refresh token fsynced first). Each measured run follows a warm-up run.
# Prints a table and "RESULT agent.<scenario>.c<concurrency>.<metric> <value>" lines.
#
# Usage: bench/agent.sh [--no-build] [--jobs N] [--concurrency "1 8"]
# Maven runs with MAVEN_ARGS from the environment (e.g. MAVEN_ARGS=-o offline).
set -euo pipefail
cd "$(dirname "$0")/.."

JOBS=2000 CONCURRENCY="1 8" BUILD=1
JAVA=${JAVA:-java}
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) BUILD="" ;;
    --jobs) JOBS=$2; shift ;;
    --concurrency) CONCURRENCY=$2; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

if [ -n "$BUILD" ]; then
  ./mvnw -q -B -ntp -pl agent,cli -am install -DskipTests
fi
CP_FILE=$(mktemp)
trap 'rm -f "$CP_FILE"' EXIT
./mvnw -q -B -ntp -pl cli dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$CP_FILE"
echo "# $("$JAVA" -version 2>&1 | head -1); $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck disable=SC2086
exec "$JAVA" -XX:+UseParallelGC -cp "cli/target/classes:$(cat "$CP_FILE")" bench/agent/AgentBench.java "$JOBS" $CONCURRENCY
