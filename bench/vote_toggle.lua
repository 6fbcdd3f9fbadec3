-- Vote and take the vote back at random on open ideas (ids in BENCH_VOTE_IDS), through the API.
local ids = {}
for id in string.gmatch(os.getenv("BENCH_VOTE_IDS") or "1", "%d+") do ids[#ids + 1] = id end
math.randomseed(os.time())
request = function()
  local method = math.random(2) == 1 and "POST" or "DELETE"
  return wrk.format(method, "/api/v1/ideas/" .. ids[math.random(#ids)] .. "/vote")
end
