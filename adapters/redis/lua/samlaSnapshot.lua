-- samlaSnapshot: keeps a digest snapshot, the first one saved per digest key, and only the
-- newest `keep` of them.
--
--! KEYS[1] snapshots (hash) digest key -> snapshot JSON
--! KEYS[2] order     (zset) digest key by planned time
--! ARGV[1] key       the digest key
--! ARGV[2] score     its planned time, ms since the epoch
--! ARGV[3] json      the snapshot
--! ARGV[4] keep      how many snapshots to keep
--
-- Returns 1 when saved, 0 when a snapshot with this key was already there (nothing written).

if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[3]) == 0 then
  return 0
end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
local old = redis.call('ZRANGE', KEYS[2], 0, -(tonumber(ARGV[4]) + 1))
for _, k in ipairs(old) do
  redis.call('HDEL', KEYS[1], k)
  redis.call('ZREM', KEYS[2], k)
end
return 1
