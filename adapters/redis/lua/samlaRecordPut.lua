-- samlaRecordPut: writes one record of a network (a hash field) and appends its event, only if
-- the network exists.
--
--! KEYS[1] def     (string) the network definition; nothing is written when it is missing
--! KEYS[2] events  (stream) the network's event log
--! KEYS[3] data    (hash)   field -> record JSON
--! ARGV[1] mode    "put": HSET the field, overwriting (answers are editable); "merge": like
--                  "put", but the stored record's `answers` not in the new one are kept (two
--                  quick answers to one check-in both stay)
--! ARGV[2] field   hash field
--! ARGV[3] json    the record
--! ARGV[4] type    the event's type
--! ARGV[5] at      the event's time, ISO
--! ARGV[6] actor   the event's actor ('' for none)
--! ARGV[7] data    the event's data, JSON
--
--! include lib/event.lua
--
-- Returns 0 when the network does not exist, 1 when written.

if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
if ARGV[1] == 'merge' then
  local rec = cjson.decode(ARGV[3])
  local old = redis.call('HGET', KEYS[3], ARGV[2])
  if old and type(rec.answers) == 'table' then
    local prev = cjson.decode(old)
    if type(prev.answers) == 'table' then
      for k, v in pairs(prev.answers) do
        if rec.answers[k] == nil then rec.answers[k] = v end
      end
    end
  end
  redis.call('HSET', KEYS[3], ARGV[2], cjson.encode(rec))
else
  redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
end
add_event(KEYS[2], ARGV[4], ARGV[5], ARGV[6], ARGV[7])
return 1
