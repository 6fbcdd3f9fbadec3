-- Reads spread over many pages, with a share of vote toggles mixed in, as a community makes them.
--   BENCH_READ_IDS   ideas whose pages are read (comma-separated ids)
--   BENCH_VOTE_IDS   open ideas that take votes
--   BENCH_VOTE_SHARE share of requests that toggle a vote through the API (0 to 1)
--   BENCH_TOKENS     API tokens of the members who vote (comma-separated); one is picked each time
--   BENCH_SEARCH     when "1", the reads are searches with varied terms instead
local function list(name, pattern)
  local found = {}
  for item in string.gmatch(os.getenv(name) or "", pattern) do found[#found + 1] = item end
  return found
end
local read_ids = list("BENCH_READ_IDS", "%d+")
local vote_ids = list("BENCH_VOTE_IDS", "%d+")
local tokens = list("BENCH_TOKENS", "[^,]+")
local vote_share = tonumber(os.getenv("BENCH_VOTE_SHARE") or "0")
local search = os.getenv("BENCH_SEARCH") == "1"
local sorts = {"trending", "top", "new", "discussed"}
local terms = {"export", "reports", "invoices", "dashboards", "slack", "mobile", "csv", "calendar",
               "bulk", "dark+mode", "excel", "offline", "tickets", "orders", "timesheets", "charts"}

local thread_seed = 0
setup = function(thread)
  thread_seed = thread_seed + 1
  thread:set("seed", thread_seed)
end
init = function()
  math.randomseed(os.time() + (seed or 0) * 7919)
end

local function with_token()
  local headers = {}
  for key, value in pairs(wrk.headers) do headers[key] = value end
  headers["Authorization"] = "Bearer " .. tokens[math.random(#tokens)]
  return headers
end

request = function()
  if vote_share > 0 and #tokens > 0 and math.random() < vote_share then
    local method = math.random(2) == 1 and "POST" or "DELETE"
    return wrk.format(method, "/api/v1/ideas/" .. vote_ids[math.random(#vote_ids)] .. "/vote", with_token())
  end
  if search then
    local q = terms[math.random(#terms)]
    if math.random(2) == 1 then q = q .. "+" .. terms[math.random(#terms)] end
    return wrk.format("GET", "/ideas/?q=" .. q)
  end
  if math.random(5) == 1 then
    return wrk.format("GET", "/ideas/?sort=" .. sorts[math.random(#sorts)] .. "&page=" .. math.random(50))
  end
  return wrk.format("GET", "/ideas/" .. read_ids[math.random(#read_ids)])
end
