-- Vote and take the vote back on the first 1,000 ideas, at random, through the API.
math.randomseed(os.time())
request = function()
  local method = math.random(2) == 1 and "POST" or "DELETE"
  return wrk.format(method, "/api/v1/ideas/" .. math.random(1000) .. "/vote")
end
