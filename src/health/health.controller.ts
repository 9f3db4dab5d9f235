import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswers } from '../common/api-docs.dto.js';
import { HEALTH, READY } from './health-answers.dto.js';
import type { Response } from 'express';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { isRedisLost, REDIS } from '../common/redis.js';

interface Check {
  ok: boolean;
  ms?: number;
  error?: string;
  detail?: string;
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis | null,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Alive: the process answers. No dependency is checked, so an orchestrator never kills us for Postgres. */
  @Get()
  @ApiOperation({ summary: 'Alive: the process answers (no dependency is checked)' })
  @ApiAnswers({ status: 200, schema: HEALTH, description: 'Alive' })
  alive() {
    return { status: 'ok', role: this.config.role };
  }

  /** Ready: database reachable, migrations applied, Redis reachable (when configured). 503 otherwise. */
  @Get('ready')
  @ApiOperation({ summary: 'Ready: database reachable, migrations applied, Redis reachable (when configured); 503 otherwise' })
  @ApiAnswers([
    { status: 200, schema: READY, description: 'Ready' },
    { status: 503, schema: READY, description: 'Not ready: the failing checks say why' },
  ])
  async ready(@Res({ passthrough: true }) res: Response) {
    const checks: Record<string, Check> = {};
    checks.database = await timed(async () => {
      await this.dataSource.query('SELECT 1');
    });
    checks.migrations = await timed(async () => {
      if (await this.dataSource.showMigrations()) throw new Error('pending migrations: run `trellis migrate`');
    });
    checks.redis = this.redis
      ? await timed(async () => {
          if (isRedisLost(this.redis!)) throw new Error(`the connection is lost (${this.redis!.status}); it reconnects on its own`);
          await this.redis!.ping();
        })
      : { ok: true, detail: 'not configured: in-process mode' };
    const ok = Object.values(checks).every((c) => c.ok);
    res.status(ok ? 200 : 503);
    return { status: ok ? 'ready' : 'not_ready', checks };
  }
}

async function timed(check: () => Promise<void>, timeoutMs = 2000): Promise<Check> {
  const started = performance.now();
  try {
    await Promise.race([check(), new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref())]);
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}
