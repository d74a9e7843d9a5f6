-- samlaRecordAppend: stores one record of a network once by id and lists it in time order,
-- with its event, only if the network exists.
--
--! KEYS[1] def     (string) the network definition; nothing is written when it is missing
--! KEYS[2] events  (stream) the network's event log
--! KEYS[3] data    (hash)   record id -> record JSON (HSETNX: the first write wins)
--! KEYS[4] order   (zset)   record id by time
--! ARGV[1] id      the record id
--! ARGV[2] json    the record
--! ARGV[3] score   sort score, ms since the epoch
--! ARGV[4] type    the event's type
--! ARGV[5] at      the event's time, ISO
--! ARGV[6] actor   the event's actor ('' for none)
--! ARGV[7] data    the event's data, JSON
--
--! include lib/event.lua
--
-- Returns 0 when the network does not exist, 1 when written, 2 when a record with this id was
-- already stored (nothing written, no event).

if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
if redis.call('HSETNX', KEYS[3], ARGV[1], ARGV[2]) == 0 then
  return 2
end
redis.call('ZADD', KEYS[4], ARGV[3], ARGV[1])
add_event(KEYS[2], ARGV[4], ARGV[5], ARGV[6], ARGV[7])
return 1
