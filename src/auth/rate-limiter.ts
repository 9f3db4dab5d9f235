// Rate limits per caller and per source address: counted in Redis (one round trip, shared by every api
// process) when REDIS_URL is set, in memory otherwise, and while Redis is lost or slower than
// REDIS_WAIT_MS (a hung Redis must not hold every request: the count is this process's meanwhile).
// Hits of one bucket in the same turn of the event loop are counted by one INCRBY: each request still gets
// its own place in the shared count, and a busy key costs Redis one command per turn, not one per request.
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

/** INCRBY the turn's hits, start the window on the first, answer the count and the time left: one atomic round trip. */
const FIXED_WINDOW_SCRIPT = `
local count = redis.call('INCRBY', KEYS[1], ARGV[2])
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

interface TurnBucket {
  windowMs: number;
  waiting: Array<{ resolve(counted: [number, number]): void; reject(error: unknown): void }>;
}

@Injectable()
export class RateLimiter {
  /** This turn's hits per Redis key, counted together once the turn ends. */
  private turn: Map<string, TurnBucket> | null = null;
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
      const [count, ttl] = await withinRedisDeadline(this.counted(this.keyPrefix + bucket, rate.windowMs), REDIS_WAIT_MS, 'a rate-limit count');
      return { allowed: count <= rate.limit, count, retryAfterMs: ttl };
    } catch (error) {
      if (!this.redisFailureLogged) {
        this.redisFailureLogged = true;
        this.logger.warn({ err: error }, 'rate limits: Redis failed; counting in this process until it answers again');
      }
      return this.memory.hit(bucket, rate);
    }
  }

  /** The count of this hit of `key` and the window's time left, from the turn's one INCRBY of that key. */
  private counted(key: string, windowMs: number): Promise<[number, number]> {
    return new Promise((resolve, reject) => {
      if (!this.turn) {
        this.turn = new Map();
        setImmediate(() => void this.countTurn());
      }
      let bucket = this.turn.get(key);
      if (!bucket) this.turn.set(key, (bucket = { windowMs, waiting: [] }));
      bucket.waiting.push({ resolve, reject });
    });
  }

  private countTurn(): void {
    const turn = this.turn!;
    this.turn = null;
    for (const [key, { windowMs, waiting }] of turn) {
      // The hits of a turn take the last places of the new total, in the order they came.
      this.evalWindow(key, windowMs, waiting.length).then(
        ([total, ttl]) => waiting.forEach((hit, i) => hit.resolve([total - waiting.length + i + 1, ttl])),
        (error: unknown) => waiting.forEach((hit) => hit.reject(error)),
      );
    }
  }

  private async evalWindow(key: string, windowMs: number, hits: number): Promise<[number, number]> {
    const redis = this.redis!;
    try {
      return (await redis.evalsha(SCRIPT_SHA, 1, key, windowMs, hits)) as [number, number];
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return (await redis.eval(FIXED_WINDOW_SCRIPT, 1, key, windowMs, hits)) as [number, number];
    }
  }
}
