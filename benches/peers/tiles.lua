-- wrk script: cycles through the tile list given after `--` (file of z/x/y lines), with a
-- URL prefix and suffix, each thread from its own offset. Usage:
--   wrk -s tiles.lua http://HOST:PORT -- URLS_FILE PREFIX SUFFIX [gzip]
local paths = {}
local i = 0
local headers = {}

function init(args)
  local file, prefix, suffix = args[1], args[2], args[3] or ""
  for line in io.lines(file) do
    paths[#paths + 1] = prefix .. line .. suffix
  end
  if args[4] == "gzip" then
    headers["Accept-Encoding"] = "gzip"
  end
  i = math.random(#paths)
end

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], headers)
end

function done(summary, latency, requests)
  io.write(string.format("LAT p50=%.3f p99=%.3f mean=%.3f\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.mean / 1000))
  io.write(string.format("RPS %.1f\n", summary.requests / (summary.duration / 1e6)))
  io.write(string.format("ERRORS %d\n", summary.errors.status + summary.errors.connect
    + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
