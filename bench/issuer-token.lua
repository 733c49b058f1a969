-- issuer-token.lua - wrk script for bench/issuer.sh: every request is an OAuth2 client_credentials token
-- request (RFC 6749 §4.4) with the client's id and secret in the form (client_secret_post).
--
--   wrk -t T -c C -d D -s bench/issuer-token.lua TOKEN_ENDPOINT -- CLIENT_ID CLIENT_SECRET
--
-- The request is built once per thread and sent as is on every keep-alive connection. No response()
-- hook (it would make wrk parse every body): wrk itself counts answers with a status >= 400
-- (summary.errors.status). done() prints one machine-readable line:
--   RESULT requests=N duration_s=S rps=R p50_ms=.. p90_ms=.. p99_ms=.. max_ms=.. status=N connect=N read=N write=N timeout=N

local function urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function init(args)
  if #args < 2 then error("usage: wrk ... -s issuer-token.lua URL -- CLIENT_ID CLIENT_SECRET") end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.body = "grant_type=client_credentials&client_id=" .. urlencode(args[1])
             .. "&client_secret=" .. urlencode(args[2])
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format("RESULT requests=%d duration_s=%.3f rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f "
    .. "max_ms=%.3f status=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.status, e.connect, e.read, e.write, e.timeout))
end
