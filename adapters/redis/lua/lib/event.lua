-- add_event: appends one event to a network's event log (a stream), in the fields that
-- ../codec.ts decodes: type, at, actor (left out when ''), data (JSON). Returns the entry id.
local function add_event(events, kind, at, actor, data)
  if actor == '' then
    return redis.call('XADD', events, '*', 'type', kind, 'at', at, 'data', data)
  end
  return redis.call('XADD', events, '*', 'type', kind, 'at', at, 'actor', actor, 'data', data)
end
