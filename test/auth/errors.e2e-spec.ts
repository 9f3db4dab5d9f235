import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Body, Controller, Get, Post } from '@nestjs/common';
import { IsInt, IsString, Min } from 'class-validator';
import request from 'supertest';
import { Public, RequireScopes } from '../../src/auth/auth.decorators.js';
import { CurrentPrincipal, type Principal } from '../../src/auth/principal.js';
import { ADMIN_KEY, createProbeApp, makeKey, makeUser, type ProbeApp } from './auth-helpers.js';

class ProbeBody {
  @IsString({ message: 'expected text' })
  title!: string;

  @IsInt({ message: 'expected a whole number' })
  @Min(1, { message: 'expected 1 or more' })
  copies!: number;
}

/** Test-only routes: they exist in this file and nowhere in src/. */
@Controller('api/probe')
class ProbeController {
  @Get('boom')
  boom(): never {
    throw new Error('database password is hunter2 at /srv/secret/path');
  }

  @Post('echo')
  echo(@Body() body: ProbeBody): ProbeBody {
    return body;
  }

  @Post('run')
  @RequireScopes('executions:run')
  run(@CurrentPrincipal() principal: Principal) {
    return { user: principal.user.handle, scopes: [...principal.scopes], api_key_id: principal.api_key_id ?? null };
  }

  @Get('open')
  @Public()
  open() {
    return { open: true };
  }
}

@Controller('api/probe-graphs')
@RequireScopes('graphs:read')
class ScopedProbeController {
  @Post()
  @RequireScopes('graphs:write')
  write() {
    return { written: true };
  }
}

describe('error bodies through the global filter, guard and validation pipe', () => {
  let t: ProbeApp;
  beforeAll(async () => {
    t = await createProbeApp([ProbeController, ScopedProbeController], { env: { TRELLIS_ADMIN_API_KEY: ADMIN_KEY } });
  });
  afterAll(() => t.close());

  it('answers 500 with the generic message and the request id, never the internals, and logs them', async () => {
    const res = await request(t.http).get('/api/probe/boom').set('X-API-Key', ADMIN_KEY).set('X-Request-Id', 'req-500').expect(500);
    expect(res.body).toEqual({
      error: {
        code: 'INTERNAL',
        message: 'Something went wrong on our side. Quote request id req-500 when you report it; the server log has the details.',
        details: {},
        request_id: 'req-500',
      },
    });
    expect(res.text).not.toContain('hunter2');
    expect(res.text).not.toMatch(/at .*\.ts:\d+/);
    const logged = t.logs().find((line) => line.msg === 'request failed');
    expect(logged).toMatchObject({ request_id: 'req-500', path: '/api/probe/boom' });
    expect(JSON.stringify(logged)).toContain('hunter2');
  });

  it('answers 404 for an unknown route under /api, before any credentials check', async () => {
    const res = await request(t.http).get('/api/probe/nothing-here').set('X-Request-Id', 'req-404').expect(404);
    expect(res.body).toEqual({
      error: {
        code: 'NOT_FOUND',
        message: 'No route GET /api/probe/nothing-here. See GET /api/openapi.json for every path.',
        details: {},
        request_id: 'req-404',
      },
    });
  });

  it('answers 400 VALIDATION_FAILED with every problem and its pointer', async () => {
    const res = await request(t.http)
      .post('/api/probe/echo')
      .set('X-API-Key', ADMIN_KEY)
      .set('X-Request-Id', 'req-400')
      .send({ copies: 0, extra: 1 })
      .expect(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.request_id).toBe('req-400');
    expect(res.body.error.message).toContain('3 problems');
    expect(res.body.error.details.problems).toEqual(
      expect.arrayContaining([
        { pointer: '/title', message: 'expected text' },
        { pointer: '/copies', message: 'expected 1 or more' },
        { pointer: '/extra', message: 'unknown field "extra": remove it (check its spelling)' },
      ]),
    );
    const ok = await request(t.http).post('/api/probe/echo').set('X-API-Key', ADMIN_KEY).send({ title: 'x', copies: 2 }).expect(201);
    expect(ok.body).toEqual({ title: 'x', copies: 2 });
    const broken = await request(t.http)
      .post('/api/probe/echo')
      .set('X-API-Key', ADMIN_KEY)
      .set('Content-Type', 'application/json')
      .send('{"title": ')
      .expect(400);
    expect(broken.body.error.code).toBe('BAD_REQUEST');
  });

  it('answers 401 on any /api route without credentials, and lets @Public routes through', async () => {
    const res = await request(t.http).post('/api/probe/echo').send({ title: 'x', copies: 1 }).expect(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
    await request(t.http).get('/api/probe/open').expect(200, { open: true });
    // Credentials sent to a public route are still checked.
    await request(t.http)
      .get('/api/probe/open')
      .set('X-API-Key', `trl_${'C'.repeat(43)}`)
      .expect(401);
  });

  it('checks @RequireScopes against the key: 403 names the missing scope', async () => {
    const ada = await makeUser(t, 'ada');
    const reader = await makeKey(t, ada.key, ['graphs:read']);
    const res = await request(t.http).post('/api/probe/run').set('X-API-Key', reader.key).expect(403);
    expect(res.body.error).toMatchObject({
      code: 'FORBIDDEN',
      message: 'This request needs the scope executions:run. Your API key does not carry it: create a key with this scope (POST /api/user/api-keys).',
      details: { missing_scopes: ['executions:run'] },
    });
    const runner = await makeKey(t, ada.key, ['executions:run']);
    const ok = await request(t.http).post('/api/probe/run').set('X-API-Key', runner.key).expect(201);
    expect(ok.body).toEqual({ user: 'ada', scopes: ['executions:run'], api_key_id: runner.id });
  });

  it('adds up scopes of the controller and of the method', async () => {
    const ada = await makeUser(t, 'ada2');
    const reader = await makeKey(t, ada.key, ['graphs:read']);
    const writer = await makeKey(t, ada.key, ['graphs:write']);
    const both = await makeKey(t, ada.key, ['graphs:read', 'graphs:write']);
    expect((await request(t.http).post('/api/probe-graphs').set('X-API-Key', reader.key).expect(403)).body.error.details).toEqual({
      missing_scopes: ['graphs:write'],
    });
    expect((await request(t.http).post('/api/probe-graphs').set('X-API-Key', writer.key).expect(403)).body.error.details).toEqual({
      missing_scopes: ['graphs:read'],
    });
    await request(t.http).post('/api/probe-graphs').set('X-API-Key', both.key).expect(201);
  });
});
