-- wrk script for bench/run.py: GET /api/v1/scan/<random existing barcode>.
-- BENCH_BARCODES: file with one barcode per line; BENCH_MAX_REQUESTS_PER_THREAD: count bound (0 = none).
-- The Authorization header comes from wrk's -H option (wrk.format adds wrk.headers).
local threads = 0
local codes = {}
local sent = 0
local max_requests = tonumber(os.getenv("BENCH_MAX_REQUESTS_PER_THREAD") or "0") or 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

function init(args)
  for line in io.lines(os.getenv("BENCH_BARCODES")) do
    if #line > 0 then codes[#codes + 1] = line end
  end
  math.randomseed(1000 + (thread_number or 0))
end

function request()
  sent = sent + 1
  if max_requests > 0 and sent > max_requests then
    wrk.thread:stop()
  end
  return wrk.format("GET", "/api/v1/scan/" .. codes[math.random(#codes)])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, "read_errors": %d, ' ..
    '"write_errors": %d, "status_errors": %d, "timeouts": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, ' ..
    '"p999_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.max, latency.mean))
end
