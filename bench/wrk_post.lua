-- wrk script: POST to a rotating list of paths (one per line in $PATHS_FILE) and print
-- one JSON line of results. $BODY_KIND is "webpush" (TTL header, opaque body) or
-- "stock" (an OpenDHT proxy value as JSON).
local paths = {}
for line in io.lines(os.getenv("PATHS_FILE")) do paths[#paths + 1] = line end
local payload = string.rep("x", 256)
local kind = os.getenv("BODY_KIND")
local headers, body
if kind == "stock" then
  headers = { ["Content-Type"] = "application/json" }
  body = '{"type":0,"data":"' .. string.rep("eHh4", 85) .. '"}'
else
  headers = { ["TTL"] = "60", ["Content-Type"] = "application/octet-stream" }
  body = payload
end
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("POST", paths[i], headers, body)
end
done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format(
    '{"requests":%d,"seconds":%.3f,"requests_per_second":%.1f,"accepted_per_second":%.1f,"non_2xx":%d,"socket_errors":%d,' ..
    '"latency_ms":{"p50":%.3f,"p90":%.3f,"p99":%.3f,"max":%.3f}}\n',
    summary.requests, seconds, summary.requests / seconds, (summary.requests - summary.errors.status) / seconds,
    summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end
