-- bench/taxii_http/post.lua: a wrk script that POSTs TAXII envelopes of unique, valid STIX 2.1
-- indicators to one collection (used by scripts/bench_taxii_http.sh).
--
-- Environment:
--   TAXII_PATH        the objects/ path, e.g. /api1/collections/<id>/objects/
--   TAXII_AUTH        base64 of "user:password" (HTTP Basic)
--   OBJECTS_PER_POST  objects per envelope (default 1000)
--   POSTS_PER_THREAD  each thread stops after this many answered POSTs (0: never; default 0)
--   ID_RUN            a number (< 2^32) that makes this run's ids differ from other runs'
--   DONE_DIR          when set, each thread that reaches its quota writes DONE_DIR/post_<n>
--                     ("<answered> <failed>"), so the caller can time the load and stop wrk
--                     (wrk itself always runs for its full -d duration)
--   DELAY_MS          a pause before each request (rate limiting for the soak; default 0)
--
-- Ids are indicator--RRRRRRRR-TTTT-4000-8000-NNNNNNNNNNNN (run, thread, counter): valid
-- UUIDv4 text, unique per (run, thread, request).

local threads = {}
local next_thread = 0

function setup(thread)
  thread:set("thread_no", next_thread)
  next_thread = next_thread + 1
  table.insert(threads, thread)
end

function init(args)
  path = os.getenv("TAXII_PATH")
  per_post = tonumber(os.getenv("OBJECTS_PER_POST") or "1000")
  quota = tonumber(os.getenv("POSTS_PER_THREAD") or "0")
  run = tonumber(os.getenv("ID_RUN") or "0")
  done_dir = os.getenv("DONE_DIR")
  delay_ms = tonumber(os.getenv("DELAY_MS") or "0")
  counter = 0
  answered = 0
  failed = 0
  headers = {
    ["Authorization"] = "Basic " .. os.getenv("TAXII_AUTH"),
    ["Content-Type"] = "application/taxii+json;version=2.1",
    ["Accept"] = "application/taxii+json;version=2.1",
  }
end

local template = '{"type":"indicator","spec_version":"2.1",' ..
  '"id":"indicator--%08x-%04x-4000-8000-%012x",' ..
  '"created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z",' ..
  '"name":"bench indicator %d","pattern":"[ipv4-addr:value = \'10.%d.%d.%d\']",' ..
  '"pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z"}'

function request()
  local parts = {}
  for i = 1, per_post do
    counter = counter + 1
    local c = counter
    parts[i] = string.format(template, run, thread_no, c, c, c % 256,
                             math.floor(c / 256) % 256, math.floor(c / 65536) % 256)
  end
  return wrk.format("POST", path, headers, '{"objects":[' .. table.concat(parts, ",") .. ']}')
end

if (tonumber(os.getenv("DELAY_MS") or "0")) > 0 then
  function delay()
    return delay_ms
  end
end

function response(status, hdrs, body)
  answered = answered + 1
  if status ~= 202 or not string.find(body, '"failure_count":0', 1, true) then
    failed = failed + 1
  end
  if quota > 0 and answered >= quota then
    if done_dir then
      local f = io.open(done_dir .. "/post_" .. thread_no, "w")
      f:write(answered .. " " .. failed .. "\n")
      f:close()
    end
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local total_failed = 0
  for _, t in ipairs(threads) do
    total_failed = total_failed + (t:get("failed") or 0)
  end
  io.write(string.format("POST_RESULT posts=%d failed_posts=%d non_2xx=%d errors=%d p99_ms=%.2f\n",
                         summary.requests, total_failed, summary.errors.status,
                         summary.errors.connect + summary.errors.read + summary.errors.write +
                           summary.errors.timeout,
                         latency:percentile(99) / 1000))
end
