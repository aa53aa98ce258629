-- bench/taxii_http/get_page.lua: a wrk script that GETs the first page of 100 objects of one
-- collection (`objects/?limit=100`) with the TAXII Accept header and HTTP Basic auth (used by
-- scripts/bench_taxii_http.sh).
--
-- Environment: TAXII_PATH (the objects/ path), TAXII_AUTH (base64 of "user:password"),
-- PAGE_LIMIT (default 100).

wrk.method = "GET"
wrk.path = os.getenv("TAXII_PATH") .. "?limit=" .. (os.getenv("PAGE_LIMIT") or "100")
wrk.headers["Authorization"] = "Basic " .. os.getenv("TAXII_AUTH")
wrk.headers["Accept"] = "application/taxii+json;version=2.1"

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  bad = 0
  short = 0
  want = tonumber(os.getenv("PAGE_LIMIT") or "100")
end

function response(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
  elseif want == 100 and #body < 100 * 300 then
    -- A full page of bench indicators is ~38 KB; anything much smaller is not a full page.
    short = short + 1
  end
end

function done(summary, latency, requests)
  local total_bad, total_short = 0, 0
  for _, t in ipairs(threads) do
    total_bad = total_bad + (t:get("bad") or 0)
    total_short = total_short + (t:get("short") or 0)
  end
  io.write(string.format(
    "GET_RESULT requests=%d seconds=%.2f req_per_s=%.0f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f " ..
    "max_ms=%.2f non_200=%d short_pages=%d socket_errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, total_bad, total_short,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
