// 100 concurrent ai.agent executions of 5 model calls each (4 turns with a tool call, then the answer)
// against a local OpenAI-compatible model server, through the real SDK, in queue mode: every step stored
// (the conversation of each node execution holds 5 model calls and 4 tool calls), no model call repeated
// (the server counts each (execution, turn) it answers), and how long they took. BENCH_AI_AGENT_CREDITS=1
// runs it with credits on: each model call is then a ledger row of its own, and none may be charged twice.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { percentile, pooled, round, scaled, startBenchServer } from '../engine-harness.js';

const EXECUTIONS = 100;
const STEPS = 5;
const AGENT = 'bench-ai-agent';

interface ModelServer {
  url: string;
  /** Answers per (task, turn): more than 1 is a repeated model call. */
  answered: Map<string, number>;
  close(): Promise<void>;
}

/** Answers a tool call until the conversation holds STEPS - 1 tool results, then the final answer. */
async function startModelServer(): Promise<ModelServer> {
  const answered = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { messages: Array<{ role: string; content?: string }> };
      const task = body.messages.find((m) => m.role === 'user')?.content ?? '';
      const turn = body.messages.filter((m) => m.role === 'tool').length;
      const key = `${task}#${turn}`;
      answered.set(key, (answered.get(key) ?? 0) + 1);
      const message =
        turn < STEPS - 1
          ? {
              role: 'assistant',
              content: null,
              tool_calls: [{ id: `call_${turn}`, type: 'function', function: { name: 'join', arguments: JSON.stringify({ items: [task, String(turn)] }) } }],
            }
          : { role: 'assistant', content: `done ${task}` };
      const answer = JSON.stringify({
        id: `chatcmpl-${turn}`,
        object: 'chat.completion',
        created: 1_760_000_000,
        model: 'bench-model',
        choices: [{ index: 0, message: { ...message, refusal: null }, finish_reason: turn < STEPS - 1 ? 'tool_calls' : 'stop' }],
        usage: { prompt_tokens: 20 + turn * 10, completion_tokens: 5, total_tokens: 25 + turn * 10 },
      });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
      res.end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    answered,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export default {
  name: 'ai-agent',
  description: `${EXECUTIONS} concurrent ai.agent executions of ${STEPS} model calls each against a local model server: every step stored, no repeated model call`,
  async run(): Promise<Record<string, number | string>> {
    const count = scaled(EXECUTIONS);
    const model = await startModelServer();
    const credits = process.env.BENCH_AI_AGENT_CREDITS === '1';
    const server = await startBenchServer('aiagent', {
      TRELLIS_INTEGRATIONS__OPENAI__BASE_URL: model.url,
      ...(credits ? { TRELLIS_CREDITS__ENABLED: 'true', TRELLIS_CREDITS__INITIAL_GRANT: '1000000' } : {}),
    });
    try {
      await server.createAgent({
        name: AGENT,
        nodes: {
          task: { block: 'input', inputs: { name: 'task', type: 'string' } },
          brain: {
            block: 'ai.agent',
            inputs: {
              provider: 'openai_compatible',
              model: 'bench-model',
              max_steps: 10,
              tools: [{ name: 'join', block: 'text.join', inputs: { separator: '+' } }],
            },
          },
          answer: { block: 'output', inputs: { name: 'answer' } },
        },
        links: ['task.value -> brain.task', 'brain.answer -> answer.value'],
      });
      const started = performance.now();
      await pooled(count, count, async (i) => {
        await server.execute(AGENT, { task: `run-${i}` });
      });
      const { failed, errors } = await server.waitFinished(AGENT, count, 10 * 60_000);
      const seconds = (performance.now() - started) / 1000;
      const { rows: stored } = await server.sql.query<{ model_calls: number; tool_calls: number; steps: number }>(
        `SELECT (c.state->>'modelCalls')::int AS model_calls, (c.state->>'toolCalls')::int AS tool_calls, jsonb_array_length(c.state->'steps') AS steps
         FROM ai_agent_conversations c JOIN node_executions n ON n.id = c.node_execution_id JOIN executions e ON e.id = n.execution_id WHERE e.graph_id = $1`,
        [AGENT],
      );
      const { rows: durations } = await server.sql.query<{ ms: number }>(
        `SELECT extract(epoch FROM (ended_at - created_at)) * 1000 AS ms FROM executions WHERE graph_id = $1 ORDER BY ms`,
        [AGENT],
      );
      const complete = stored.filter((r) => r.model_calls === STEPS && r.tool_calls === STEPS - 1 && r.steps === STEPS - 1).length;
      const modelCalls = [...model.answered.values()].reduce((sum, n) => sum + n, 0);
      const repeated = [...model.answered.values()].filter((n) => n > 1).length;
      const sorted = durations.map((r) => Number(r.ms));
      const { rows: ledger } = await server.sql.query<{ rows: number; keys: number }>(
        `SELECT count(*)::int AS rows, count(DISTINCT (node_execution_id, charge_key))::int AS keys FROM credit_transactions WHERE type = 'USAGE'`,
      );
      return {
        executions: count,
        failed,
        ...(errors.length ? { first_error: JSON.stringify(errors[0]) } : {}),
        conversations_stored: stored.length,
        conversations_with_every_step: complete,
        model_calls: modelCalls,
        model_calls_expected: count * STEPS,
        repeated_model_calls: repeated,
        ...(credits ? { model_call_charges: ledger[0]!.rows, charges_repeated: ledger[0]!.rows - ledger[0]!.keys } : {}),
        seconds: round(seconds, 2),
        executions_per_s: round(count / seconds, 1),
        model_calls_per_s: round(modelCalls / seconds, 1),
        execution_ms_p50: round(percentile(sorted, 50)),
        execution_ms_p95: round(percentile(sorted, 95)),
        rss_mb: round(process.memoryUsage().rss / 1024 / 1024),
      };
    } finally {
      await server.close();
      await model.close();
    }
  },
};
