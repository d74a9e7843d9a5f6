-- samlaPace: per-conversation pacing, a lock that expires.
--
--! KEYS[1] pace      (string) the conversation's lock
--! ARGV[1] interval  ms
--
-- Returns 0 when the caller may send now (the lock is taken for the interval), else the ms
-- until the lock expires.

if redis.call('SET', KEYS[1], '1', 'PX', ARGV[1], 'NX') then return 0 end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then return 0 end
return ttl
