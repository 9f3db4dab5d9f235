// Reads one sample of a Prometheus text exposition (GET /metrics): the value of `name` with exactly these
// labels (in any order), or 0 when the sample is absent (a counter nothing has counted yet).
import request from 'supertest';
import type { TestApp } from './app.js';

export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels)
    .map(([key, value]) => `${key}="${value}"`)
    .sort()
    .join(',');
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = (match[2] ?? '').match(/[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"/g) ?? [];
    if ([...have].sort().join(',') === wanted) return Number(match[3]);
  }
  return 0;
}

/** GET /metrics of an app, answered as text. */
export async function scrape(t: Pick<TestApp, 'http'>): Promise<string> {
  const res = await request(t.http).get('/metrics').expect(200);
  return res.text;
}
