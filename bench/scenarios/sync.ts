// Sync at scale: 1,000 agent files of 10 nodes into a fresh database, then a re-sync of the unchanged
// folder (in the running process, whose parse cache skips unchanged texts, and as a new process would),
// then one with 10 files changed. Budgets from the brief: 10 s and 2 s on a 2-core machine.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { agentsServices } from '../../src/agents/agents-services.js';
import { loadConfig } from '../../src/config/config.loader.js';
import { benchDatabase } from '../database.js';
import type { Figure, Scenario } from './index.js';

const AGENTS = 1000;

/** A webhook trigger, an input, seven templates in a chain and an output: 10 nodes, 9 links. */
export function generatedAgent(i: number, variant = 0): string {
  const lines = [
    `name: agent-${i}`,
    `description: Generated agent ${i} for the sync bench.`,
    'nodes:',
    '  hook:',
    '    block: trigger.webhook',
    '    inputs: { methods: [POST] }',
    '  who:',
    '    block: input',
    '    inputs: { name: who, type: string, default: world }',
  ];
  for (let k = 0; k < 7; k++)
    lines.push(`  step${k}:`, '    block: text.template', '    inputs:', `      template: "step ${k} of agent ${i} (v${variant}): {{ v }}"`);
  lines.push('  out:', '    block: output', '    inputs: { name: result }', 'links:', '  - who.value -> step0.values.v', '  - hook.body -> step0.values.body');
  for (let k = 1; k < 7; k++) lines.push(`  - step${k - 1}.text -> step${k}.values.v`);
  lines.push('  - step6.text -> out.value');
  return lines.join('\n') + '\n';
}

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const start = performance.now();
  const result = await work();
  return { result, ms: performance.now() - start };
}

export const syncScenario: Scenario = {
  name: 'sync',
  description: `sync ${AGENTS} agent files of 10 nodes into a fresh database, then re-sync (unchanged, then 10 changed)`,
  async run(say) {
    const dir = mkdtempSync(join(tmpdir(), 'trellis-bench-sync-'));
    const database = await benchDatabase('sync');
    try {
      for (let i = 0; i < AGENTS; i++) writeFileSync(join(dir, `agent-${i}.yaml`), generatedAgent(i));
      say(`${AGENTS} files written to ${dir}`);
      await database.dataSource.query(`INSERT INTO users (id, handle, role) VALUES ('admin', 'admin', 'admin')`);
      const config = loadConfig({ env: { ...process.env, TRELLIS_ENV: 'test', AGENTS_DIR: dir, REDIS_URL: '' } });
      const { syncs } = agentsServices(database.dataSource, config);

      const first = await timed(() => syncs.sync({ trigger: 'cli' }));
      if (first.result.summary.create !== AGENTS) throw new Error(`expected ${AGENTS} agents created, got ${JSON.stringify(first.result.summary)}`);
      const again = await timed(() => syncs.sync({ trigger: 'cli' }));
      if (again.result.summary.unchanged !== AGENTS) throw new Error(`expected ${AGENTS} unchanged, got ${JSON.stringify(again.result.summary)}`);
      // As a new process would (`trellis sync`, a restart): services of their own, every file parsed again.
      const cold = await timed(() => agentsServices(database.dataSource, config).syncs.sync({ trigger: 'cli' }));
      if (cold.result.summary.unchanged !== AGENTS) throw new Error(`expected ${AGENTS} unchanged, got ${JSON.stringify(cold.result.summary)}`);
      for (let i = 0; i < 10; i++) writeFileSync(join(dir, `agent-${i}.yaml`), generatedAgent(i, 1));
      const changed = await timed(() => syncs.sync({ trigger: 'cli' }));
      if (changed.result.summary.update !== 10) throw new Error(`expected 10 updated, got ${JSON.stringify(changed.result.summary)}`);
      const [rows] = (await database.dataSource.query(
        `SELECT (SELECT count(*) FROM graph_versions)::int AS versions, (SELECT count(*) FROM graph_triggers)::int AS triggers`,
      )) as Array<{ versions: number; triggers: number }>;
      say(`${rows!.versions} versions and ${rows!.triggers} trigger rows stored`);
      const figures: Figure[] = [
        { label: `first sync of ${AGENTS} files (all created)`, value: first.ms, unit: 'ms', budget: 10_000 },
        { label: 're-sync, nothing changed (running server)', value: again.ms, unit: 'ms', budget: 2_000 },
        { label: 're-sync, nothing changed (new process)', value: cold.ms, unit: 'ms', budget: 2_000 },
        { label: 're-sync, 10 files changed', value: changed.ms, unit: 'ms' },
      ];
      return figures;
    } finally {
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
