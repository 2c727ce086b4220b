/**
 * Every read-modify-write on Redis is one of these Lua scripts, so that it runs atomically however
 * many gateway processes call it at once. The window script mirrors `window-math.ts` and the
 * budget scripts mirror `budget-math.ts`; the shared suite in `state.test.ts` holds memory and
 * Redis to the same answers. Times come from the caller's clock (`now`) rather than Redis `TIME`,
 * so one process compares breaker deadlines against the clock it wrote them with. Numbers go back
 * as strings: Redis would truncate Lua floats to integers.
 */
import { createHash } from 'node:crypto';
import { budgetTolerance } from './budget-math.js';

export interface LuaScript {
  source: string;
  sha: string;
}

function script(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

const common = `
local function fmt(x) return string.format('%.17g', x) end
`;

const windowHelpers = `
local now = tonumber(ARGV[1])
local function roll(key, window)
  local fields = redis.call('HMGET', key, 's', 'c', 'p')
  local start = math.floor(now / window) * window
  local s = tonumber(fields[1])
  if s == nil then return start, 0, 0 end
  local c = tonumber(fields[2]) or 0
  local p = tonumber(fields[3]) or 0
  if s >= start then return s, c, p end
  if s == start - window then return start, 0, c end
  return start, 0, 0
end
local function elapsed(s, window)
  local e = now - s
  if e < 0 then e = 0 end
  if e > window then e = window end
  return e
end
local function total(s, c, p, window) return p * (window - elapsed(s, window)) / window + c end
local function reset(s, c, p, window)
  local e = elapsed(s, window)
  if c > 0 then return 2 * window - e end
  if p > 0 then return window - e end
  return 0
end
local function retry(s, c, p, amount, limit, window)
  if amount > limit then return math.max(1, math.ceil(reset(s, c, p, window))) end
  local e = elapsed(s, window)
  local room = limit - c - amount
  local wait
  if room >= 0 and p > 0 then
    wait = window - room * window / p - e
  else
    wait = window - e + window - (limit - amount) * window / math.max(c, 1)
  end
  return math.max(1, math.ceil(wait))
end
local function add(c, p, amount)
  if amount >= 0 then return c + amount, p end
  local fromCurrent = math.min(c, -amount)
  return c - fromCurrent, math.max(0, p - (-amount - fromCurrent))
end
`;

/**
 * Admission or recording on several windows. KEYS: one hash per window.
 * ARGV: now, mode ('consume' | 'record'), then amount, limit, windowMs per key.
 * Returns: allowed, then allowed, total, retryAfterMs, resetMs per key.
 */
export const windowScript = script(`${common}${windowHelpers}
local record = ARGV[2] == 'record'
local windows = {}
local allowed = true
for i = 1, #KEYS do
  local base = 3 + (i - 1) * 3
  local amount, limit, window = tonumber(ARGV[base]), tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2])
  local s, c, p = roll(KEYS[i], window)
  local t = total(s, c, p, window)
  local ok = record or t + amount <= limit
  if not ok then allowed = false end
  windows[i] = { s = s, c = c, p = p, t = t, ok = ok, amount = amount, limit = limit, window = window }
end
local out = { allowed and '1' or '0' }
for i = 1, #KEYS do
  local w = windows[i]
  if allowed then
    local c, p = add(w.c, w.p, w.amount)
    redis.call('HSET', KEYS[i], 's', fmt(w.s), 'c', fmt(c), 'p', fmt(p))
    redis.call('PEXPIRE', KEYS[i], 2 * w.window)
    local t = record and total(w.s, c, p, w.window) or w.t + w.amount
    table.insert(out, '1'); table.insert(out, fmt(t)); table.insert(out, '0'); table.insert(out, fmt(reset(w.s, c, p, w.window)))
  else
    local wait = w.ok and 0 or retry(w.s, w.c, w.p, w.amount, w.limit, w.window)
    table.insert(out, w.ok and '1' or '0'); table.insert(out, fmt(w.t)); table.insert(out, fmt(wait))
    table.insert(out, fmt(reset(w.s, w.c, w.p, w.window)))
  end
end
return out
`);

/** KEYS[1]: one window. ARGV: now, windowMs. Returns the weighted total without writing. */
export const peekScript = script(`${common}${windowHelpers}
local s, c, p = roll(KEYS[1], tonumber(ARGV[2]))
if redis.call('EXISTS', KEYS[1]) == 0 then return '0' end
return fmt(total(s, c, p, tonumber(ARGV[2])))
`);

/** Frees the holds that expired (at most 100 a call, so one script never runs long). */
const budgetHelpers = `
local function purge(budget, holds, now)
  local expired = redis.call('ZRANGEBYSCORE', holds, '-inf', now, 'LIMIT', 0, 100)
  if #expired == 0 then return end
  local freed = 0
  for _, id in ipairs(expired) do freed = freed + (tonumber(string.match(id, ':([^:]+)$')) or 0) end
  redis.call('ZREM', holds, unpack(expired))
  local reserved = math.max(0, (tonumber(redis.call('HGET', budget, 'reserved')) or 0) - freed)
  redis.call('HSET', budget, 'reserved', fmt(reserved))
end
local function touch(ttl)
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('PEXPIRE', KEYS[2], ttl)
end
`;

/**
 * KEYS: the budget hash, its holds (a sorted set of hold ids by expiry).
 * ARGV: now, amount, limit, ttlMs, initialSpent ('' when unknown), hold id, holdMs.
 * Returns: allowed, spent, reserved, missing, hold id ('' when refused).
 */
export const reserveScript = script(`${common}${budgetHelpers}
local now = tonumber(ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 0 then
  if ARGV[5] == '' then return { '0', '0', '0', '1', '' } end
  redis.call('HSET', KEYS[1], 'spent', ARGV[5], 'reserved', '0')
  redis.call('DEL', KEYS[2])
end
purge(KEYS[1], KEYS[2], now)
local spent = tonumber(redis.call('HGET', KEYS[1], 'spent')) or 0
local reserved = tonumber(redis.call('HGET', KEYS[1], 'reserved')) or 0
local amount = tonumber(ARGV[2])
local allowed = spent + reserved + amount <= tonumber(ARGV[3]) + ${budgetTolerance}
local id = ''
if allowed then
  reserved = reserved + amount
  redis.call('HSET', KEYS[1], 'reserved', fmt(reserved))
  id = ARGV[6]
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[7]), id)
end
touch(ARGV[4])
return { allowed and '1' or '0', fmt(spent), fmt(reserved), '0', id }
`);

/**
 * KEYS: the budget hash, its holds. ARGV: now, actual, ttlMs, then the hold ids to release.
 * Returns: allowed, spent, reserved, missing.
 */
export const settleScript = script(`${common}${budgetHelpers}
if redis.call('EXISTS', KEYS[1]) == 0 then return { '1', '0', '0', '1' } end
purge(KEYS[1], KEYS[2], tonumber(ARGV[1]))
local freed = 0
for i = 4, #ARGV do
  if redis.call('ZREM', KEYS[2], ARGV[i]) == 1 then freed = freed + (tonumber(string.match(ARGV[i], ':([^:]+)$')) or 0) end
end
local spent = (tonumber(redis.call('HGET', KEYS[1], 'spent')) or 0) + tonumber(ARGV[2])
local reserved = math.max(0, (tonumber(redis.call('HGET', KEYS[1], 'reserved')) or 0) - freed)
redis.call('HSET', KEYS[1], 'spent', fmt(spent), 'reserved', fmt(reserved))
touch(ARGV[3])
return { '1', fmt(spent), fmt(reserved), '0' }
`);

/** KEYS: the budget hash, its holds. ARGV: now. Returns: allowed, spent, reserved, missing. */
export const readBudgetScript = script(`${common}${budgetHelpers}
if redis.call('EXISTS', KEYS[1]) == 0 then return { '1', '0', '0', '1' } end
purge(KEYS[1], KEYS[2], tonumber(ARGV[1]))
return { '1', redis.call('HGET', KEYS[1], 'spent') or '0', redis.call('HGET', KEYS[1], 'reserved') or '0', '0' }
`);

/**
 * KEYS[1]: the breaker hash, KEYS[2]: its probe. ARGV: now, threshold, openMs, memoryMs.
 * Returns: failures, openUntil.
 */
export const breakerFailureScript = script(`${common}
local now = tonumber(ARGV[1])
local failures = redis.call('HINCRBY', KEYS[1], 'f', 1)
local openUntil = tonumber(redis.call('HGET', KEYS[1], 'o')) or 0
if failures >= tonumber(ARGV[2]) and openUntil <= now then
  openUntil = now + tonumber(ARGV[3])
  redis.call('HSET', KEYS[1], 'o', fmt(openUntil))
  redis.call('DEL', KEYS[2])
end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return { fmt(failures), fmt(openUntil) }
`);

/** KEYS[1]: the list. ARGV: value, max, ttlMs. */
export const listPushScript = script(`
redis.call('LPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[2]) - 1)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`);
