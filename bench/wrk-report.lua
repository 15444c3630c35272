-- wrk script for bench/run: sends the scenario's request and reports one JSON line the harness reads,
-- with exact percentiles from wrk's own histogram (its text output rounds them). errors.status
-- counts the answers with a status of 400 or more; connect, read, write and timeout are socket errors.
--
-- GINX_BENCH_BODY_BYTES > 0 makes every request a POST of that many bytes (to /echo).

local body_bytes = tonumber(os.getenv("GINX_BENCH_BODY_BYTES") or "0")
if body_bytes > 0 then
  wrk.method = "POST"
  wrk.body = string.rep("x", body_bytes)
  wrk.headers["Content-Type"] = "application/octet-stream"
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'GINX-BENCH-RESULT {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"p999_us":%d,"max_us":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d,"status":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max,
    e.connect, e.read, e.write, e.timeout, e.status))
end
