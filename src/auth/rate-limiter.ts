// Rate limits per caller and per source address: counted in Redis (one round trip, shared by every api
// process) when REDIS_URL is set, in memory otherwise, and while Redis is lost or slower than
// REDIS_WAIT_MS (a hung Redis must not hold every request: the count is this process's meanwhile).
import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { COMPONENT_LOGGER } from '../common/logger.js';
import { REDIS, withinRedisDeadline } from '../common/redis.js';
import type { Rate } from '../common/units.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { rateLimited } from './auth.errors.js';
import { FixedWindowCounter, type RateDecision } from './rate-limit.window.js';

/** INCR, start the window on the first hit, answer the count and the time left: one atomic round trip. */
const FIXED_WINDOW_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`;
const SCRIPT_SHA = createHash('sha1').update(FIXED_WINDOW_SCRIPT).digest('hex');
/** How long a request waits for its count from Redis before it is counted in memory. */
const REDIS_WAIT_MS = 250;

@Injectable()
export class RateLimiter {
  private readonly memory = new FixedWindowCounter();
  private readonly perKey: Rate | 'off';
  private readonly perIp: Rate | 'off';
  private readonly keyPrefix: string;
  private redisFailureLogged = false;
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis | null,
    @Inject(COMPONENT_LOGGER) private readonly logger: Logger,
  ) {
    this.perKey = config.auth.rate_limit.per_key;
    this.perIp = config.auth.rate_limit.per_ip;
    this.keyPrefix = `${config.queuePrefix}:ratelimit:`;
  }

  /** Counts a request of an authenticated caller (`key:<id>`, `user:<id>`, `admin-key`); 429 past the limit. */
  async limitCaller(bucket: string): Promise<void> {
    if (this.perKey === 'off') return;
    const decision = await this.hit(`caller:${bucket}`, this.perKey);
    if (!decision.allowed) throw rateLimited(decision.retryAfterMs, 'key');
  }

  /** Counts a request to /api without (valid) credentials from one source address; 429 past the limit. */
  async limitAddress(address: string): Promise<void> {
    if (this.perIp === 'off') return;
    const decision = await this.hit(`ip:${address}`, this.perIp);
    if (!decision.allowed) throw rateLimited(decision.retryAfterMs, 'address');
  }

  async hit(bucket: string, rate: Rate): Promise<RateDecision> {
    if (!this.redis || this.redis.status !== 'ready') return this.memory.hit(bucket, rate);
    try {
      const [count, ttl] = await withinRedisDeadline(this.evalWindow(this.keyPrefix + bucket, rate.windowMs), REDIS_WAIT_MS, 'a rate-limit count');
      return { allowed: count <= rate.limit, count, retryAfterMs: ttl };
    } catch (error) {
      if (!this.redisFailureLogged) {
        this.redisFailureLogged = true;
        this.logger.warn({ err: error }, 'rate limits: Redis failed; counting in this process until it answers again');
      }
      return this.memory.hit(bucket, rate);
    }
  }

  private async evalWindow(key: string, windowMs: number): Promise<[number, number]> {
    const redis = this.redis!;
    try {
      return (await redis.evalsha(SCRIPT_SHA, 1, key, windowMs)) as [number, number];
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return (await redis.eval(FIXED_WINDOW_SCRIPT, 1, key, windowMs)) as [number, number];
    }
  }
}
