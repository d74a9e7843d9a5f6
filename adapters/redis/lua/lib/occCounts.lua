-- count_state: adds `by` to an agenda item's count of occurrences in a state
-- (`<item>|<state>`), and to the count of that state with a reason (`<item>|<state>:<reason>`)
-- when the reason is not ''. `samla agenda` reads these counts instead of every occurrence.
local function count_state(counts, item, state, reason, by)
  redis.call('HINCRBY', counts, item .. '|' .. state, by)
  if reason ~= '' then
    redis.call('HINCRBY', counts, item .. '|' .. state .. ':' .. reason, by)
  end
end
