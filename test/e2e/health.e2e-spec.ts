// Read-only: the app is the bundle's shared one (sharedTestApp).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { sharedTestApp, type TestApp } from '../helpers/app.js';

describe('health, errors and OpenAPI', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await sharedTestApp();
  });
  afterAll(() => t.close());

  it('GET /health answers while alive', async () => {
    const res = await request(t.http).get('/health').expect(200);
    expect(res.body).toEqual({ status: 'ok', role: 'all' });
  });

  it('GET /health/ready checks the database and migrations', async () => {
    const res = await request(t.http).get('/health/ready').expect(200);
    expect(res.body.status).toBe('ready');
    expect(res.body.checks.database.ok).toBe(true);
    expect(res.body.checks.migrations.ok).toBe(true);
  });

  it('answers an unknown route with the common error body and the request id', async () => {
    const res = await request(t.http).get('/api/no-such-thing').set('X-Request-Id', 'req-123').expect(404);
    expect(res.headers['x-request-id']).toBe('req-123');
    expect(res.body).toEqual({
      error: { code: 'NOT_FOUND', message: expect.stringContaining('GET /api/no-such-thing'), details: {}, request_id: 'req-123' },
    });
  });

  it('serves the OpenAPI document and Swagger UI', async () => {
    const doc = await request(t.http).get('/api/openapi.json').expect(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(doc.body.paths['/health']).toBeDefined();
    const ui = await request(t.http).get('/api/docs/').expect(200);
    expect(ui.text).toContain('swagger-ui');
  });

  it('serves Prometheus metrics', async () => {
    const res = await request(t.http).get('/metrics').expect(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.text).toContain('trellis_executions_total');
    expect(res.text).toContain('trellis_process_resident_memory_bytes');
  });
});
