-- samlaOccTransition: moves one occurrence of the scheduler from one of the allowed states to a
-- new one.
--
--! KEYS[1] occ     (hash)   occurrence id -> state
--! KEYS[2] counts  (hash)   `<item>|<state>` and `<item>|<state>:<reason>` -> count
--! KEYS[3] info    (hash)   occurrence id -> details JSON
--! KEYS[4] events  (stream) the network's event log
--! ARGV[1] id      occurrence id
--! ARGV[2] item    agenda item id (for the counts)
--! ARGV[3] from    allowed current states, comma-separated; "-" stands for "no record yet"
--! ARGV[4] to      the new state (may equal the current one: only info and event are written)
--! ARGV[5] reason  counted as `<item>|<state>:<reason>` ("" for none)
--! ARGV[6] info    details JSON to store ("" keeps what is there)
--! ARGV[7] type    event type ("" for no event)
--! ARGV[8] at      event time, ISO
--! ARGV[9] data    event data, JSON
--
--! include lib/event.lua
--! include lib/occCounts.lua
--
-- Returns "ok" when moved, else the current state ("-" when there is no record).

local cur = redis.call('HGET', KEYS[1], ARGV[1])
local key = cur or '-'
local allowed = false
for s in string.gmatch(ARGV[3], '[^,]+') do
  if s == key then allowed = true end
end
if not allowed then return key end
if cur ~= ARGV[4] then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[4])
  if cur then count_state(KEYS[2], ARGV[2], cur, '', -1) end
  count_state(KEYS[2], ARGV[2], ARGV[4], ARGV[5], 1)
end
if ARGV[6] ~= '' then redis.call('HSET', KEYS[3], ARGV[1], ARGV[6]) end
if ARGV[7] ~= '' then add_event(KEYS[4], ARGV[7], ARGV[8], 'scheduler', ARGV[9]) end
return 'ok'
