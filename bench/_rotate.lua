-- wrk script for the load benches: `wrk -s bench/_rotate.lua URL -- PATHS_FILE`.
-- Each request takes the next path of PATHS_FILE (one per line); each thread starts at its own offset.
-- At the end it prints one line `RESULT {...}` (JSON: requests, seconds, latency percentiles in ms, errors).
-- With WRK_MEAN_DELAY_MS set, each connection waits a random (exponential) time of that mean before each
-- request: a paced load below the server's capacity instead of a saturating one.

local counter = 0
local paths = {}
local i = 0

local mean_delay = tonumber(os.getenv("WRK_MEAN_DELAY_MS") or "0")
if mean_delay > 0 then
  function delay()
    return math.floor(-math.log(1 - math.random()) * mean_delay)
  end
end

function setup(thread)
  counter = counter + 1
  thread:set("thread_id", counter)
end

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then paths[#paths + 1] = line end
  end
  i = ((thread_id or 1) - 1) * math.floor(#paths / 2)
end

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p90_ms": %.2f, "p99_ms": %.2f, ' ..
    '"max_ms": %.2f, "mean_ms": %.2f, "connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(90) / 1e3,
    latency:percentile(99) / 1e3, latency.max / 1e3, latency.mean / 1e3,
    e.connect, e.read, e.write, e.status, e.timeout))
end
