// One execution: list.iterate over 10,000 items through json.query into list.collect. Time to
// COMPLETED, node executions per second, and that every item came back.
import { round, scaled, startBenchServer } from '../engine-harness.js';
import { fanoutAgent } from './engine-agents.js';

const ITEMS = 10_000;

export default {
  name: 'fanout',
  description: `list.iterate over ${ITEMS.toLocaleString('en')} items through json.query into list.collect (one execution)`,
  async run(): Promise<Record<string, number | string>> {
    const count = scaled(ITEMS);
    // 10,000 item runs plus the other nodes exceed the default cap of 10,000 node executions.
    const maxNodeExecutions = count * 2 + 100;
    const server = await startBenchServer('fanout', { TRELLIS_EXECUTOR__MAX_NODE_EXECUTIONS: String(maxNodeExecutions) });
    try {
      await server.createAgent(fanoutAgent('bench-fanout'));
      const items = Array.from({ length: count }, (_, i) => i);
      const rssBefore = process.memoryUsage().rss;
      const started = performance.now();
      const { id } = await server.execute('bench-fanout', { items });
      const { failed, errors } = await server.waitFinished('bench-fanout', 1, 30 * 60_000);
      const seconds = (performance.now() - started) / 1000;
      const { rows } = await server.sql.query<{ outputs: { doubled?: unknown[][] } | null; nodes: string }>(
        `SELECT e.outputs, (SELECT count(*) FROM node_executions n WHERE n.execution_id = e.id) AS nodes FROM executions e WHERE e.id = $1`,
        [id],
      );
      const collected = rows[0]?.outputs?.doubled?.[0] ?? [];
      const correct = collected.length === count && collected.every((value, i) => value === i * 2);
      return {
        items: count,
        failed,
        ...(errors.length ? { error: JSON.stringify(errors[0]) } : {}),
        all_items_collected_in_order: correct ? 'yes' : 'NO',
        node_executions: Number(rows[0]?.nodes ?? 0),
        seconds: round(seconds, 2),
        node_executions_per_s: round(Number(rows[0]?.nodes ?? 0) / seconds),
        rss_growth_mb: round((process.memoryUsage().rss - rssBefore) / 1024 / 1024),
        max_node_executions: `${maxNodeExecutions} (raised from the default 10000 for this run)`,
      };
    } finally {
      await server.close();
    }
  },
};
