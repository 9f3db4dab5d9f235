// ai.agent tools run with the execution's trust (release-2.md sections 1 and 4), with several users: a
// file agent started by its own webhook (file trust) lets its tool use an operator credential its file
// names, for file agents only; the same agent run through the API by a non-admin does not, and the tool's
// refusal reads exactly like a credential that does not exist; an operator credential allowed to alice
// reaches her tool, never bob's. Nothing secret reaches the model; refused tools send nothing.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { ADMIN_KEY, makeUser, type MadeUser } from '../auth/auth-helpers.js';
import type { HttpPeer } from '../blocks/peers/http-peer.js';
import { openAiCompletion, startLlmPeer, type LlmPeer, type ScriptedAnswer } from '../blocks/peers/llm-peers.js';
import {
  createGraph,
  createSecurityApp,
  everythingReceived,
  finishedExecution,
  runAndWait,
  startRecorder,
  withoutName,
  type SecurityApp,
} from './security-app.js';

const FILES_KEY = 'files-only-tool-key-0007';
const OPS_VALUE = 'ops-tool-value-0008';

function toolCall(url: string): ScriptedAnswer {
  const answer = openAiCompletion('', { prompt_tokens: 10, completion_tokens: 2 });
  const body = answer.body as { choices: { message: Record<string, unknown>; finish_reason: string }[] };
  body.choices[0]!.message = {
    role: 'assistant',
    content: null,
    refusal: null,
    tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'notify', arguments: JSON.stringify({ url }) } }],
  };
  body.choices[0]!.finish_reason = 'tool_calls';
  return answer;
}

type Step = { tool: string; result?: { status: number }; error?: string };

describe('ai.agent tools and the trust boundary', () => {
  let s: SecurityApp;
  let recorder: HttpPeer;
  let llm: LlmPeer;
  let alice: MadeUser;
  let bob: MadeUser;

  const brain = (credential: string) => ({
    block: 'ai.agent',
    inputs: {
      provider: 'openai_compatible',
      model: 'local-model',
      task: 'Tell the team',
      tools: [{ name: 'notify', block: 'http.request', hosts: [recorder.url], inputs: { method: 'POST' }, credentials: { auth: credential } }],
    },
  });
  const apiGraph = (name: string, credential: string) => ({
    name,
    nodes: { brain: brain(credential), steps: { block: 'output', inputs: { name: 'steps' } } },
    links: ['brain.steps -> steps.value'],
  });

  /** Scripts one tool call to `path` and a final answer; answers the steps of the run. */
  async function stepsOf(run: () => Promise<request.Response>, path: string): Promise<Step[]> {
    llm.script(toolCall(`${recorder.url}${path}`), openAiCompletion('done'));
    const res = await run();
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('COMPLETED');
    return (res.body.outputs.steps as Step[][])[0]!;
  }

  beforeAll(async () => {
    recorder = await startRecorder();
    llm = await startLlmPeer('/v1/chat/completions');
    const credentialsYaml = [
      `files-only:\n  provider: http\n  type: api_key\n  env: { key: AT_FILES_KEY }\n  hosts: ["${recorder.url}"]\n  allow: { file_agents: true, roles: [] }`,
      `ops-api:\n  provider: http\n  type: header\n  env: { name: AT_OPS_HEADER, value: AT_OPS_VALUE }\n  hosts: ["${recorder.url}"]\n  allow: { file_agents: false, roles: [], users: [alice] }`,
    ].join('\n');
    s = await createSecurityApp('aiagenttrust', credentialsYaml, {
      env: { AT_FILES_KEY: FILES_KEY, AT_OPS_HEADER: 'X-Ops-Key', AT_OPS_VALUE: OPS_VALUE },
      overrides: { credits: { enabled: false }, integrations: { openai: { base_url: `${llm.url}/v1` } } },
    });
    alice = await makeUser(s.t, 'alice');
    bob = await makeUser(s.t, 'bob');
    const tool = `{ name: notify, block: http.request, hosts: ["${recorder.url}"], inputs: { method: POST }, credentials: { auth: files-only } }`;
    await s.syncAgent(
      'notify-bot',
      `name: notify-bot\nowner: bob\nnodes:\n  hook: { block: trigger.webhook }\n  brain:\n    block: ai.agent\n    inputs:\n      provider: openai_compatible\n      model: local-model\n      task: Tell the team\n      tools:\n        - ${tool}\n  steps: { block: output, inputs: { name: steps } }\nlinks:\n  - brain.steps -> steps.value\n`,
    );
  });

  afterAll(async () => {
    await s?.close();
    await Promise.all([recorder?.close(), llm?.close()]);
  });

  it('lets a file agent started by its own webhook give its tool the operator credential its file names, and the model never sees it', async () => {
    llm.script(toolCall(`${recorder.url}/file`), openAiCompletion('done'));
    const res = await request(s.t.http).post('/webhooks/notify-bot/hook').send({ text: 'Tell the team' }).expect(202);
    const row = await finishedExecution(s.t, res.body.execution_id);
    expect(row).toMatchObject({ status: 'COMPLETED', file_trust: true, user_id: bob.user.id });
    expect(recorder.requests.filter((r) => r.url === '/file').map((r) => r.headers.authorization)).toEqual([`Bearer ${FILES_KEY}`]);
    expect(JSON.stringify(llm.calls().map((c) => c.body))).not.toContain(FILES_KEY);
  });

  it('refuses that credential to the tool when bob runs the file agent through the API, exactly as a name that does not exist, and sends nothing', async () => {
    const before = recorder.requests.length;
    const steps = await stepsOf(() => runAndWait(s.t, bob.key, 'notify-bot', { inputs: {} }), '/bob-api');
    expect(steps).toHaveLength(1);
    expect(steps[0]!.error).toContain('no credential named "files-only"');
    expect((await createGraph(s.t, bob.key, apiGraph('bob-missing', 'no-such-cred'))).status).toBe(201);
    const missing = await stepsOf(() => runAndWait(s.t, bob.key, 'bob-missing'), '/bob-missing');
    expect(withoutName(steps[0]!.error!, 'files-only')).toBe(withoutName(missing[0]!.error!, 'no-such-cred'));
    expect(recorder.requests.length).toBe(before);
    // An admin's API run of the file agent is admitted by file trust, as for a node of the file.
    const admitted = await stepsOf(() => runAndWait(s.t, ADMIN_KEY, 'notify-bot', { inputs: {} }), '/admin-api');
    expect(admitted[0]!.result).toMatchObject({ status: 200 });
    expect(recorder.requests.at(-1)!.headers.authorization).toBe(`Bearer ${FILES_KEY}`);
  });

  it("refuses bob a tool that calls alice's agent before any model call, exactly as an agent that does not exist", async () => {
    const mine = { name: 'alice-private', nodes: { x: { block: 'input', inputs: { name: 'x' } } }, links: [] };
    expect((await createGraph(s.t, alice.key, mine)).status).toBe(201);
    const calls = llm.calls().length;
    const withTool = (name: string, agent: string) => ({
      name,
      nodes: { brain: { block: 'ai.agent', inputs: { model: 'local-model', task: 'Ask', tools: [{ name: 'ask', agent }] } } },
      links: [],
    });
    const theirs = await createGraph(s.t, bob.key, withTool('bob-asks-alice', 'alice-private'));
    const missing = await createGraph(s.t, bob.key, withTool('bob-asks-nobody', 'no-such-agent'));
    expect(theirs.status).toBe(400);
    expect(missing.status).toBe(400);
    expect(JSON.stringify(theirs.body.error)).toContain('no agent named \\"alice-private\\"');
    expect(withoutName(JSON.stringify(theirs.body.error.details), 'alice-private')).toBe(
      withoutName(JSON.stringify(missing.body.error.details), 'no-such-agent'),
    );
    expect(llm.calls().length).toBe(calls);
  });

  it("gives alice's tool the operator credential allow.users names her in, and bob's tool nothing", async () => {
    expect((await createGraph(s.t, alice.key, apiGraph('alice-notify', 'ops-api'))).status).toBe(201);
    const steps = await stepsOf(() => runAndWait(s.t, alice.key, 'alice-notify'), '/alice');
    expect(steps[0]!.result).toMatchObject({ status: 200 });
    expect(recorder.requests.filter((r) => r.url === '/alice').map((r) => r.headers['x-ops-key'])).toEqual([OPS_VALUE]);

    expect((await createGraph(s.t, bob.key, apiGraph('bob-notify', 'ops-api'))).status).toBe(201);
    const bobs = await stepsOf(() => runAndWait(s.t, bob.key, 'bob-notify'), '/bob');
    expect(bobs[0]!.error).toContain('no credential named "ops-api"');
    expect(recorder.requests.filter((r) => r.url === '/bob')).toEqual([]);
    expect(everythingReceived(recorder)).not.toContain('bob');
    expect(JSON.stringify(llm.calls().map((c) => c.body))).not.toContain(OPS_VALUE);
  });
});
