-- samlaScheduleAdvance: records a complete pass of the scheduler, never moving the watermark
-- backwards.
--
--! KEYS[1] schedule  (hash) watermark (ms), version, lastTick (ISO)
--! ARGV[1] watermark the new watermark, ms since the epoch
--! ARGV[2] version   the network version the pass planned with
--! ARGV[3] now       the pass's instant, ISO
--
-- Returns 1 when written, 0 when the stored watermark was later (nothing written).

local cur = tonumber(redis.call('HGET', KEYS[1], 'watermark') or '-1')
if tonumber(ARGV[1]) >= cur then
  redis.call('HSET', KEYS[1], 'watermark', ARGV[1], 'version', ARGV[2], 'lastTick', ARGV[3])
  return 1
end
return 0
