-- samlaOccClaim: claims occurrences of the scheduler, first writer wins.
--
--! KEYS[1] occ     (hash)   occurrence id -> state
--! KEYS[2] counts  (hash)   `<item>|<state>` and `<item>|skipped:<reason>` -> count
--! KEYS[3] info    (hash)   occurrence id -> details JSON
--! KEYS[4] events  (stream) the network's event log
--! ARGV[1] now     ISO instant, for the events
--! ARGV[2..] occurrences  6 values per occurrence: id, item id, state ("queued" or "skipped"),
--                  reason ("" or a skip reason), info JSON ("" for none), event data JSON (""
--                  for no `prompt.skipped` event)
--
--! include lib/event.lua
--! include lib/occCounts.lua
--
-- Returns one reply per occurrence: "new" when this call created its record, else the state it
-- already had (nothing changed for it).

local out = {}
local n = 0
for i = 2, #ARGV, 6 do
  local id, item, state, reason, info, event = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], ARGV[i + 5]
  n = n + 1
  local cur = redis.call('HGET', KEYS[1], id)
  if cur then
    out[n] = cur
  else
    redis.call('HSET', KEYS[1], id, state)
    count_state(KEYS[2], item, state, reason, 1)
    if info ~= '' then redis.call('HSET', KEYS[3], id, info) end
    if event ~= '' then add_event(KEYS[4], 'prompt.skipped', ARGV[1], 'scheduler', event) end
    out[n] = 'new'
  end
end
return out
