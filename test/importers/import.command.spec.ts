// `trellis import autogpt|n8n`, in-process with the real block library: every fixture export of test/fixtures/imports
// (real ones and hand-written ones, in the platforms' own formats) is written as an agent file
// that `trellis validate` accepts, `trellis test` passes where the report says everything mapped, and the
// report lists exactly the nodes that did not map.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { defaultDeps, testCommand, validateCommand } from '../../src/agents/agents.command.js';
import { importCommand } from '../../src/importers/import.command.js';
import { capture, tempProject } from '../agents/fixtures/cli.js';

/** The exports of this repository (test/fixtures/imports/SOURCES.md: where each comes from, and its licence). */
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'imports');
const deps = { ...defaultDeps, lookups: async () => ({}) };

let project: { dir: string; remove(): void } | null = null;

interface JsonReport {
  file: string;
  valid: boolean;
  fully_mapped: boolean;
  report: {
    nodes: Array<{ source: string; status: string; reasons: string[] }>;
    credentials: Array<{ name: string }>;
    withheld: Array<{ field: string }>;
    droppedLinks: string[];
  };
}

async function runImport(
  format: 'autogpt' | 'n8n',
  file: string,
  extra: Record<string, string> = {},
): Promise<{ json: JsonReport; status: number; dir: string }> {
  project = tempProject({ 'agents/.keep': '', ...extra });
  const cli = capture(project.dir);
  const status = await importCommand(format, file, { json: true }, cli.io, deps);
  expect(cli.err()).toBe('');
  return { json: JSON.parse(cli.out()) as JsonReport, status, dir: project.dir };
}

async function validates(dir: string): Promise<void> {
  const cli = capture(dir);
  expect(await validateCommand('agents', 'text', cli.io, deps)).toBe(0);
}

async function testsPass(dir: string, file: string): Promise<void> {
  const cli = capture(dir);
  const status = await testCommand(file, cli.io, deps);
  expect(cli.out()).toMatch(/passed/i);
  expect(status).toBe(0);
}

const notMapped = (json: JsonReport) =>
  json.report.nodes
    .filter((n) => n.status === 'unmapped')
    .map((n) => n.source)
    .sort();

describe('trellis import', () => {
  afterEach(() => project?.remove());

  describe('trellis import autogpt', () => {
    it('maps the greeting card fully: it validates and its generated test passes', async () => {
      const { json, status, dir } = await runImport('autogpt', join(FIXTURES, 'autogpt/greeting-card.json'));
      expect(status).toBe(0);
      expect(json.fully_mapped).toBe(true);
      expect(notMapped(json)).toEqual([]);
      const text = readFileSync(json.file, 'utf8');
      expect(text).toContain('who.value -> template.values.name');
      await validates(dir);
      await testsPass(dir, 'agents/greeting-card.yaml');
    });

    it('maps the topic summary (prompt values through a template, the store fed its input) and says what it dropped', async () => {
      const { json, dir } = await runImport('autogpt', join(FIXTURES, 'autogpt/topic-summary.json'));
      expect(notMapped(json)).toEqual([]);
      const llm = json.report.nodes.find((n) => n.source.includes('AITextGeneratorBlock'))!;
      expect(llm.status).toBe('partial');
      expect(llm.reasons.join()).toMatch(/"retry"/);
      const text = readFileSync(json.file, 'utf8');
      expect(text).toContain('Summarise {{topic}} in three lines.');
      expect(text).toContain('topic.value -> store.data');
      await validates(dir);
      await testsPass(dir, 'agents/topic-summary.yaml');
    });

    it('lists the unknown block, drops its links, withholds the secret header and escapes ${{', async () => {
      const { json, status, dir } = await runImport('autogpt', join(FIXTURES, 'autogpt-web-check.json'));
      expect(status).toBe(0);
      expect(notMapped(json)).toEqual(['n-sheet (block d0822ab5-9f8a-44a3-8971-531dd0178b6b)']);
      expect(json.report.droppedLinks).toHaveLength(1);
      expect(json.report.withheld.map((w) => w.field)).toEqual(['headers.Authorization']);
      const text = readFileSync(json.file, 'utf8');
      expect(text).not.toContain('sk-live');
      expect(text).toContain('all good $${{ not an expression }}');
      expect(text).toContain('request.json.status -> condition.left');
      expect(text).toContain('url.value -> request.url'); // links out of input nodes are always static
      await validates(dir);
    });

    it('refuses to overwrite without --force, input over 10 MB, and what is not an export', async () => {
      project = tempProject({
        'agents/greeting-card.yaml': 'name: greeting-card\n',
        'big.json': `{"nodes": [], "pad": "${'x'.repeat(10 * 1024 * 1024)}"}`,
        'other.json': '{"hello": 1}',
      });
      const cli = capture(project.dir);
      expect(await importCommand('autogpt', join(FIXTURES, 'autogpt/greeting-card.json'), {}, cli.io, deps)).toBe(2);
      expect(cli.err()).toMatch(/exists: give --force/);
      expect(await importCommand('autogpt', 'big.json', {}, cli.io, deps)).toBe(2);
      expect(cli.err()).toMatch(/larger than 10 MB/);
      expect(await importCommand('autogpt', 'other.json', {}, cli.io, deps)).toBe(2);
      expect(cli.err()).toMatch(/not an AutoGPT graph export/);
      expect(await importCommand('autogpt', join(FIXTURES, 'autogpt/greeting-card.json'), { force: true }, cli.io, deps)).toBe(0);
      expect(readFileSync(join(project.dir, 'agents/greeting-card.yaml'), 'utf8')).toContain('block: text.template');
    });
  });

  describe('trellis import n8n', () => {
    it('maps the ElevenLabs webhook: IF as a query and a condition, expressions as templates; lists both Respond to Webhook nodes', async () => {
      const { json, dir } = await runImport('n8n', join(FIXTURES, 'n8n/Generate Text-to-Speech Using Elevenlabs via API.json'));
      expect(notMapped(json)).toEqual(['Error', 'Respond to Webhook']);
      expect(json.report.nodes.find((n) => n.source === 'Sticky Note')!.status).toBe('skipped');
      expect(json.report.credentials.map((c) => c.name)).toEqual(['custom-auth-account']);
      const text = readFileSync(json.file, 'utf8');
      expect(text).toContain('if_params_correct_branch.yes.voice_id -> generate_voice_url.values.v1');
      expect(text).toContain('https://api.elevenlabs.io/v1/text-to-speech/{{ v1 }}');
      await validates(dir);
      await testsPass(dir, `agents/${json.file.split('/').pop()}`);
    });

    it('maps the GitHub star workflow (old $node["X"].data syntax) with Slack credentials by name', async () => {
      const { json, dir } = await runImport('n8n', join(FIXTURES, 'n8n/0973_GitHub_Slack_Create_Triggered.json'));
      expect(notMapped(json)).toEqual([]);
      const text = readFileSync(json.file, 'utf8');
      expect(text).toContain('`action` = "created"');
      expect(text).toContain('webhook: slackapi');
      await validates(dir);
      await testsPass(dir, `agents/${json.file.split('/').pop()}`);
    });

    it('maps the chat trigger to an input and lists the AI Agent and its sub-nodes', async () => {
      const { json, dir } = await runImport('n8n', join(FIXTURES, 'n8n/AI agent chat.json'));
      expect(notMapped(json)).toEqual(['AI Agent', 'OpenAI Chat Model', 'SerpAPI', 'Window Buffer Memory']);
      await validates(dir);
    });

    it('maps schedule, HTTP, Set, Switch, Code and Slack; lists Google Sheets; withholds the Authorization header', async () => {
      const { json, dir } = await runImport('n8n', join(FIXTURES, 'n8n-orders.json'));
      expect(notMapped(json)).toEqual(['Google Sheets']);
      const text = readFileSync(json.file, 'utf8');
      expect(text).not.toContain('shpat_');
      expect(text).toContain('schedule: 0 2 * * *');
      expect(text).toContain('"count": `total`');
      expect(json.report.nodes.find((n) => n.source === 'Fetch orders')!.reasons.join()).toMatch(/Authorization/);
      expect(json.report.credentials.map((c) => c.name)).toEqual(['ops-slack']);
      await validates(dir);
      await testsPass(dir, 'agents/orders-nightly-sync.yaml');
    });

    it('writes nothing when no node maps', async () => {
      project = tempProject({
        'flow.json': JSON.stringify({ nodes: [{ name: 'Sheets', type: 'n8n-nodes-base.googleSheets', parameters: {} }], connections: {} }),
      });
      const cli = capture(project.dir);
      expect(await importCommand('n8n', 'flow.json', {}, cli.io, deps)).toBe(2);
      expect(cli.err()).toMatch(/no node mapped/);
      expect(existsSync(join(project.dir, 'agents/flow.yaml'))).toBe(false);
    });
  });

  describe('every fixture export', () => {
    // What each export leaves unmapped, exactly; a fixture added to a folder without a line here fails.
    const UNMAPPED: Record<string, string[]> = {
      'autogpt/greeting-card.json': [],
      'autogpt/topic-summary.json': [],
      'n8n/0973_GitHub_Slack_Create_Triggered.json': [],
      'n8n/AI agent chat.json': ['AI Agent', 'OpenAI Chat Model', 'SerpAPI', 'Window Buffer Memory'],
      'n8n/Generate Text-to-Speech Using Elevenlabs via API.json': ['Error', 'Respond to Webhook'],
      'autogpt-web-check.json': ['n-sheet (block d0822ab5-9f8a-44a3-8971-531dd0178b6b)'],
      'n8n-orders.json': ['Google Sheets'],
    };
    const fixtures = [
      ...(['autogpt', 'n8n'] as const).flatMap((format) =>
        readdirSync(join(FIXTURES, format))
          .filter((f) => f.endsWith('.json'))
          .map((f) => ({ format, key: `${format}/${f}`, path: join(FIXTURES, format, f) })),
      ),
      { format: 'autogpt' as const, key: 'autogpt-web-check.json', path: join(FIXTURES, 'autogpt-web-check.json') },
      { format: 'n8n' as const, key: 'n8n-orders.json', path: join(FIXTURES, 'n8n-orders.json') },
    ];

    it.each(fixtures)(
      '$key: the file validates, the report lists exactly the unmapped nodes, trellis test passes when fully mapped',
      async ({ format, key, path }) => {
        expect(Object.keys(UNMAPPED)).toContain(key);
        const { json, status, dir } = await runImport(format, path);
        expect(status).toBe(0);
        expect(json.valid).toBe(true);
        expect(notMapped(json)).toEqual([...UNMAPPED[key]!].sort());
        expect(json.fully_mapped).toBe(UNMAPPED[key]!.length === 0 && json.report.nodes.every((n) => n.status !== 'partial'));
        await validates(dir);
        if (json.fully_mapped) await testsPass(dir, `agents/${json.file.split('/').pop()}`);
      },
    );
  });
});
