-- storage-tokens.lua - wrk script for bench/storage.sh: every request carries a token never sent before.
--
--   wrk -t T -c C -d D -s bench/storage-tokens.lua URL -- TOKENS_FILE FIRST COUNT T
--
-- Uses lines FIRST .. FIRST+COUNT-1 (1-based) of TOKENS_FILE (one pre-minted token per line), split
-- between the T wrk threads (thread i takes every T-th line), sent as "Authorization: Bearer <token>".
-- When a thread runs out it starts over (those requests would hit the servers' token caches) and the
-- summary says so: "TOKENS EXHAUSTED" (bench/storage.sh then rejects the run).

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local file, first, count, nthreads = args[1], tonumber(args[2]), tonumber(args[3]), tonumber(args[4])
  tokens, used, wrapped = {}, 0, false
  local n, last = 0, first + count - 1
  for line in io.lines(file) do
    n = n + 1
    if n > last then break end
    if n >= first and (n - first) % nthreads == id then
      tokens[#tokens + 1] = line
    end
  end
  if #tokens == 0 then error("no tokens for thread " .. id .. " in " .. file) end
end

function request()
  used = used + 1
  if used > #tokens then wrapped = true end
  local token = tokens[((used - 1) % #tokens) + 1]
  return wrk.format(nil, nil, { ["Authorization"] = "Bearer " .. token })
end

function done(summary, latency, requests)
  local sent, exhausted = 0, false
  for _, thread in ipairs(threads) do
    sent = sent + (thread:get("used") or 0)
    if thread:get("wrapped") then exhausted = true end
  end
  io.write(string.format("tokens used: %d\n", sent))
  if exhausted then
    io.write("TOKENS EXHAUSTED: some requests repeated a token; give more tokens (--fresh-rate)\n")
  end
end
