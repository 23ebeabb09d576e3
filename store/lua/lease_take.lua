-- KEYS 1 lease; ARGV token ("consumer/random"), consumer, ttl ms.
local v = redis.call('GET', KEYS[1])
if not v or v == ARGV[1] or string.sub(v, 1, #ARGV[2] + 1) == ARGV[2] .. '/' then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
  return 1
end
return 0
