-- samlaDeleteReflections: deletes a network's reflection notes (every municipality's) and logs
-- how many, in one `reflections.deleted` event that keeps only the count.
--
--! KEYS[1] events  (stream) the network's event log
--! KEYS[2..] reflections, reflectionsById  (zset, hash) per municipality: note ids by time, and
--                  id -> note
--! ARGV[1] now     ISO instant (the event's `at`)
--! ARGV[2] months  retention in months (for the event's data)
--! ARGV[3] ended   the network's last gathering end, ISO (for the event's data)
--
--! include lib/event.lua
--
-- Returns the number of notes deleted (0: nothing written, no event).

local n = 0
for i = 2, #KEYS, 2 do
  n = n + redis.call('HLEN', KEYS[i + 1])
  redis.call('DEL', KEYS[i], KEYS[i + 1])
end
if n > 0 then
  local data = cjson.encode({ count = n, months = tonumber(ARGV[2]), networkEnded = ARGV[3], reason = 'retention' })
  add_event(KEYS[1], 'reflections.deleted', ARGV[1], 'retention', data)
end
return n
