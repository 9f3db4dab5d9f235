// The release-2 figures the metrics service reads itself at scrape time: the process's sandbox queue depth and
// the sandbox tasks stopped at their time limit (counted across pool shutdowns, so the counter never goes back).
import { afterAll, describe, expect, it } from '@jest/globals';
import { runInSandbox, shutdownSandboxes } from '../sandbox/sandbox.js';
import { DEFAULT_SANDBOX_SETTINGS } from '../sandbox/sandbox.types.js';
import { metricValue } from '../../test/helpers/metrics.js';
import { MetricsService } from './metrics.service.js';

const SETTINGS = { ...DEFAULT_SANDBOX_SETTINGS, workers: 1 };
const LOOP = { kind: 'liquid' as const, template: '{% for i in (1..5000) %}{% for j in (1..5000) %}{% endfor %}{% endfor %}', values: {} };

describe('MetricsService: sandbox figures', () => {
  afterAll(async () => {
    await shutdownSandboxes();
  });

  it('shows the sandbox queue depth while tasks wait, and counts timeouts, also of pools shut down since', async () => {
    const metrics = new MetricsService();
    const base = metricValue(await metrics.render(), 'trellis_sandbox_timeouts_total');
    const signal = new AbortController().signal;
    // One worker: the loop runs, the two others wait behind it.
    const running = runInSandbox(LOOP, { key: 'a', signal, timeoutMs: 300 }, SETTINGS);
    const waiting = [1, 2].map((n) => runInSandbox({ kind: 'jsonata', expression: `${n}`, data: null }, { key: 'b', signal }, SETTINGS));
    expect(metricValue(await metrics.render(), 'trellis_sandbox_queue_depth')).toBeGreaterThanOrEqual(2);
    expect(await running).toMatchObject({ kind: 'timeout' });
    await Promise.all(waiting);
    let text = await metrics.render();
    expect(metricValue(text, 'trellis_sandbox_queue_depth')).toBe(0);
    expect(metricValue(text, 'trellis_sandbox_timeouts_total')).toBe(base + 1);
    await shutdownSandboxes();
    expect(await runInSandbox(LOOP, { key: 'a', signal, timeoutMs: 300 }, SETTINGS)).toMatchObject({ kind: 'timeout' });
    text = await metrics.render();
    expect(metricValue(text, 'trellis_sandbox_timeouts_total')).toBe(base + 2);
  }, 30_000);
});
