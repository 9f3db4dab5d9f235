// GitHub's whole OpenAPI document (@octokit/openapi, ~1,200 operations) as one integration, `github_api`
// (without a credential, so the agent that uses it needs none),
// loaded by a sync as a new process would (`trellis sync`): the time of that sync and the memory it adds
// (heap after a collection when `node --expose-gc` runs the bench, and RSS). Budgets from the integrations
// issue: 3 s and 100 MB. Then a re-sync of the unchanged folder in the same process (the catalog is reused),
// and a worker that has no folder loading the integration from its recorded version when a job names it.
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { IntegrationAwareRegistry } from '../../src/blocks/integrations/integration-blocks.js';
import { BLOCK_LIBRARY } from '../../src/blocks/library/index.js';
import { IntegrationBlocksRepository } from '../../src/integrations/integration-blocks.repository.js';
import { IntegrationBlocksService } from '../../src/integrations/integration-blocks.service.js';
import { agentsServices } from '../../src/agents/agents-services.js';
import { loadConfig } from '../../src/config/config.loader.js';
import { benchDatabase } from '../database.js';
import { writeGithubIntegration } from '../github-openapi.js';
import type { Figure, Scenario } from './index.js';

const AGENT = [
  'name: repo-info',
  'nodes:',
  '  repo:',
  '    block: github_api.repos_get',
  '    inputs: { owner: acme, repo: app }',
  '  out:',
  '    block: output',
  '    inputs: { name: name }',
  'links:',
  '  - repo.json.full_name -> out.value',
  '',
].join('\n');

function memory(): { heap: number; rss: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed / 1024 / 1024, rss: usage.rss / 1024 / 1024 };
}

/** What IntegrationBlocksService does in a worker with no integrations folder when a job first names github_api. */
async function workerLoad(dataSource: Parameters<typeof agentsServices>[0], config: Parameters<typeof agentsServices>[1]) {
  const registry = new IntegrationAwareRegistry(BLOCK_LIBRARY, { integrations: [], blocks: [], problems: [], failed: [] }, config.costs, {
    compileSchemas: false,
  });
  const follower = new IntegrationBlocksService(registry, new IntegrationBlocksRepository(dataSource), null, pino({ level: 'silent' }), config);
  const before = memory();
  const start = performance.now();
  const cpu = process.cpuUsage();
  const lookup = await follower.lookupFor({ nodes: { repo: { block: 'github_api.repos_get' } } });
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  const heap = memory().heap - before.heap;
  if (registry.get('github_api.repos_get') === undefined || lookup.get('github_api.repos_get') !== registry.get('github_api.repos_get')) {
    throw new Error('expected the worker to load github_api from its recorded version');
  }
  return { ms, cpuMs: (used.user + used.system) / 1000, heap };
}

const openapi: Scenario = {
  name: 'openapi',
  description: "GitHub's whole OpenAPI document (~1,200 operations) as one integration: time and added memory of the sync that loads it",
  async run(say) {
    const dir = mkdtempSync(join(tmpdir(), 'trellis-bench-openapi-'));
    const database = await benchDatabase('openapi');
    try {
      mkdirSync(join(dir, 'agents'));
      writeFileSync(join(dir, 'agents', 'repo-info.yaml'), AGENT);
      const operations = writeGithubIntegration(join(dir, 'integrations'), 'github_api', 'https://api.github.com', '');
      say(`${operations} operations written to ${join(dir, 'integrations')} (document split under 5 MB a file)`);
      await database.dataSource.query(`INSERT INTO users (id, handle, role) VALUES ('admin', 'admin', 'admin')`);
      const config = loadConfig({ env: { ...process.env, TRELLIS_ENV: 'test', AGENTS_DIR: join(dir, 'agents'), REDIS_URL: '' } });
      const { syncs } = agentsServices(database.dataSource, config);
      const before = memory();
      const start = performance.now();
      const cpu = process.cpuUsage();
      const result = await syncs.sync({ trigger: 'cli' });
      const ms = performance.now() - start;
      const used = process.cpuUsage(cpu);
      const after = memory();
      const entry = result.integrations.find((i) => i.name === 'github_api');
      if (entry?.action !== 'create') throw new Error(`expected github_api created, got ${JSON.stringify(entry ?? result.integrations).slice(0, 500)}`);
      if (result.summary.create !== 1) throw new Error(`expected the agent created, got ${JSON.stringify(result.agents).slice(0, 500)}`);
      say(`${entry.operations.added.length} blocks; agent repo-info created`);
      const again = performance.now();
      const second = await syncs.sync({ trigger: 'cli' });
      const againMs = performance.now() - again;
      if (second.integrations[0]?.action !== 'unchanged') throw new Error('expected the re-sync to find github_api unchanged');
      const worker = await workerLoad(database.dataSource, config);
      const figures: Figure[] = [
        { label: `first sync loading ${entry.operations.added.length} operations`, value: ms, unit: 'ms', budget: 3_000 },
        // On a shared machine wall time includes waiting for a core; CPU time is this process's own work.
        { label: 'CPU time of that sync (user + system)', value: (used.user + used.system) / 1000, unit: 'ms' },
        { label: 'heap added (kept after the sync)', value: after.heap - before.heap, unit: 'MB', budget: 100 },
        { label: 'RSS added', value: after.rss - before.rss, unit: 'MB' },
        { label: 're-sync, nothing changed', value: againMs, unit: 'ms' },
        { label: 'a worker loading it from its recorded version (first job naming it)', value: worker.ms, unit: 'ms', budget: 3_000 },
        { label: 'CPU time of that load (user + system)', value: worker.cpuMs, unit: 'ms' },
        { label: 'heap that load added', value: worker.heap, unit: 'MB', budget: 100 },
      ];
      return figures;
    } finally {
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default openapi;
