// OpenAPI integrations: the integration file's checks (line:col), documents from @readme/oas-examples for
// the mapping rules, GitHub's official document (@octokit/openapi) restricted to a few operations and run
// end to end against a local server answering GitHub's shapes, and agents that use the blocks validated
// and tested by `trellis validate` / `trellis test`.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { defaultDeps, testCommand, validateCommand } from '../../../src/agents/agents.command.js';
import type { BlockDefinition, ResolvedCredential } from '../../../src/blocks/block.types.js';
import { loadIntegrationCatalog, type IntegrationCatalog } from '../../../src/blocks/integrations/integration-blocks.js';
import { BLOCK_LIBRARY } from '../../../src/blocks/library/index.js';
import { capture, tempProject } from '../../agents/fixtures/cli.js';
import { apiKey, blockHarness, rejection } from '../../blocks/peers/block-context.js';
import { sendJson, startHttpPeer, type HttpPeer } from '../../blocks/peers/http-peer.js';
import { blockCost } from '../../../src/blocks/blocks.registry.js';

// Jest runs this file in its own realm, but Node's structuredClone builds objects of the outer realm: the
// parser's plain-object check (prototype === Object.prototype) then fails and $refs stay unresolved. Outside
// jest (the CLI, the server) there is one realm; here the clone is made in this realm. Its inputs are parsed
// documents (no cycles, no special types), which JSON copies faithfully.
globalThis.structuredClone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

const require = createRequire(import.meta.url);
const OAS = dirname(require.resolve('@readme/oas-examples/package.json'));
const GITHUB = join(dirname(require.resolve('@octokit/openapi/package.json')), 'generated', 'api.github.com.json');
const deps = { ...defaultDeps, lookups: async () => ({}) };

let project: { dir: string; remove(): void } | null = null;
afterEach(() => project?.remove());

async function catalogOf(files: Record<string, string>): Promise<IntegrationCatalog> {
  project = tempProject(files);
  return loadIntegrationCatalog(join(project.dir, 'integrations'), BLOCK_LIBRARY, project.dir);
}

const block = (catalog: IntegrationCatalog, id: string): BlockDefinition => {
  const found = catalog.blocks.find((b) => b.id === id);
  if (!found) throw new Error(`no block ${id} among ${catalog.blocks.map((b) => b.id).join(', ')}`);
  return found;
};
const pinsOf = (b: BlockDefinition) => Object.keys((b.inputSchema.properties ?? {}) as object).sort();

/** GitHub's document with only `operationIds` and the components they reference (their $refs followed). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- GitHub's whole document, walked by key
type Loose = Record<string, any>;

function githubSubset(operationIds: string[]): string {
  const full = JSON.parse(readFileSync(GITHUB, 'utf8')) as Loose;
  const paths: Loose = {};
  for (const [route, item] of Object.entries(full.paths as Loose)) {
    for (const [method, op] of Object.entries(item)) {
      if (op && typeof op === 'object' && operationIds.includes((op as { operationId?: string }).operationId ?? '')) {
        paths[route] ??= {};
        paths[route][method] = op;
      }
    }
  }
  const components: Record<string, Record<string, unknown>> = {};
  const visit = (value: unknown) => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (!value || typeof value !== 'object') return;
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string' && inner.startsWith('#/components/')) {
        const [, , kind, name] = inner.split('/');
        components[kind!] ??= {};
        if (!(name! in components[kind!]!)) {
          components[kind!]![name!] = full.components[kind!][name!];
          visit(full.components[kind!][name!]);
        }
      } else visit(inner);
    }
  };
  visit(paths);
  return JSON.stringify({ openapi: full.openapi, info: full.info, servers: full.servers, paths, components });
}

describe('the integration file', () => {
  it('reports unknown keys, a bad name, an http base_url and a path out of the folder, each at its line and column', async () => {
    const catalog = await catalogOf({
      'integrations/Bad.yaml': ['name: Bad', 'openapi: ../outside.json', 'base_url: http://api.example.com', 'colour: blue', ''].join('\n'),
      'integrations/llm.yaml': ['name: llm', 'openapi: doc.yaml', 'base_url: https://api.example.com', ''].join('\n'),
    });
    const text = catalog.problems.map((p) => `${p.file.split('/').pop()}:${p.line}:${p.column}: ${p.message}`);
    expect(text).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Bad\.yaml:1:7: name must match/),
        expect.stringMatching(/^Bad\.yaml:2:10: openapi must be a relative path inside the integrations folder/),
        expect.stringMatching(/^Bad\.yaml:3:11: base_url must be https/),
        expect.stringMatching(/^Bad\.yaml:4:1: unknown key "colour"/),
        expect.stringMatching(/^llm\.yaml:1:7: "llm" is a built-in block prefix/),
      ]),
    );
    expect(catalog.blocks).toEqual([]);
  });

  it('gives line:col for a broken document, a $ref out of the folder and an operation it does not have, never a crash', async () => {
    const catalog = await catalogOf({
      'integrations/broken.yaml': 'name: broken\nopenapi: docs/broken.yaml\nbase_url: https://api.example.com\n',
      'integrations/docs/broken.yaml': 'openapi: 3.0.3\ninfo: { title: x, version: "1" }\npaths:\n  /a:\n    get: [unclosed\n',
      'integrations/escape.yaml': 'name: escape\nopenapi: docs/escape.yaml\nbase_url: https://api.example.com\n',
      'integrations/docs/escape.yaml': [
        'openapi: 3.0.3',
        'info: { title: x, version: "1" }',
        'paths:',
        '  /a:',
        '    get:',
        '      operationId: getA',
        '      responses: { "200": { $ref: "../../secret.yaml#/r" } }',
        '',
      ].join('\n'),
      'secret.yaml': 'r: { description: secret-contents-7731 }\n',
      'integrations/odd.yaml': 'name: odd\nopenapi: docs/odd.yaml\nbase_url: https://api.example.com\n',
      'integrations/docs/odd.yaml': 'openapi: 3.0.3\ninfo: { title: x, version: "1" }\npaths: 5\n',
      'integrations/subset.yaml': 'name: subset\nopenapi: docs/ok.yaml\nbase_url: https://api.example.com\noperations: [getA, getMissing]\n',
      'integrations/docs/ok.yaml':
        'openapi: 3.1.0\ninfo: { title: x, version: "1" }\npaths:\n  /a:\n    get:\n      operationId: getA\n      responses: { "200": { description: ok } }\n',
    });
    const byFile = (name: string) => catalog.problems.filter((p) => p.file.includes(name));
    expect(byFile('broken.yaml')[0]).toMatchObject({ line: expect.any(Number), column: expect.any(Number), message: expect.stringMatching(/syntax/) });
    expect(byFile('broken.yaml')[0]!.line).toBeGreaterThanOrEqual(5);
    expect(byFile('escape.yaml')[0]!.message).toMatch(/only point to files inside the integrations folder/);
    expect(JSON.stringify(catalog.problems)).not.toContain('secret-contents-7731');
    expect(byFile('odd.yaml').length).toBeGreaterThan(0);
    expect(byFile('subset.yaml').map((p) => p.message)).toEqual([expect.stringMatching(/"getMissing".*is not in docs\/ok.yaml/)]);
    expect(catalog.blocks).toEqual([]);
  });

  it('refuses a document over 5 MB, YAML alias expansion past its cap, two operations that make one block id, and $refs to a URL or an absolute path', async () => {
    const head = (title: string) => ['openapi: 3.0.3', `info: { title: ${title}, version: "1" }`];
    const file = (name: string) => ({ [`integrations/${name}.yaml`]: `name: ${name}\nopenapi: docs/${name}.yaml\nbase_url: https://api.example.com\n` });
    const refTo = (target: string) =>
      [...head('r'), 'paths:', '  /a:', '    get:', '      operationId: getA', `      responses: { "200": { $ref: "${target}" } }`, ''].join('\n');
    const remoteServer = await startHttpPeer((_req, res) => sendJson(res, 200, { r: { description: 'fetched' } }));
    const catalog = await catalogOf({
      ...file('huge'),
      'integrations/docs/huge.yaml': [...head('huge'), 'paths: {}', `x-padding: "${'x'.repeat(5 * 1024 * 1024)}"`, ''].join('\n'),
      ...file('bomb'),
      'integrations/docs/bomb.yaml': [
        ...head('bomb'),
        'x-a: &a [1, 2, 3]',
        `x-b: [${Array.from({ length: 150 }, () => '*a').join(', ')}]`,
        'paths: {}',
        '',
      ].join('\n'),
      ...file('twice'),
      'integrations/docs/twice.yaml': [
        ...head('twice'),
        'paths:',
        '  /a:',
        '    get: { operationId: getA, responses: { "200": { description: ok } } }',
        '  /b:',
        '    get: { operationId: get_a, responses: { "200": { description: ok } } }',
        '',
      ].join('\n'),
      ...file('remote'),
      'integrations/docs/remote.yaml': refTo(`${remoteServer.url}/responses.yaml#/r`),
      ...file('absolute'),
      'integrations/docs/absolute.yaml': refTo('/etc/hostname#/r'),
    });
    const messages = (name: string) => catalog.problems.filter((p) => p.file.endsWith(`${name}.yaml`)).map((p) => p.message);
    expect(messages('huge')).toEqual([expect.stringMatching(/at most 5 MB/)]);
    expect(messages('bomb')).toEqual([expect.stringMatching(/too many YAML aliases/)]);
    expect(messages('twice')).toEqual([expect.stringMatching(/operations "getA" and "get_a" both become block twice\.get_a/)]);
    expect(catalog.problems.find((p) => p.file.endsWith('docs/twice.yaml'))).toMatchObject({ line: 7, column: expect.any(Number) });
    await remoteServer.close();
    // Never fetched: only files of the folder are read.
    expect(remoteServer.requests).toEqual([]);
    expect(messages('remote')).toEqual([expect.stringMatching(/Can't resolve external reference|only point to files inside the integrations folder/)]);
    // An absolute path is read as one inside the folder (the parser's base), which has no such file.
    expect(messages('absolute')).toEqual([expect.stringMatching(/only point to files inside the integrations folder|integrations\/docs\/etc\/hostname/)]);
    expect(catalog.blocks).toEqual([]);
  });
});

describe('block names', () => {
  it('gives operationIds that differ only after 62 characters two blocks (as GitHub has), each under 63 characters', async () => {
    const long = 'orgs/custom-properties-for-repos-create-or-update-organization-definition';
    const operation = (id: string, path: string) => [`  ${path}:`, '    put:', `      operationId: ${id}`, '      responses: { "200": { description: ok } }'];
    const catalog = await catalogOf({
      'integrations/longs.yaml': 'name: longs\nopenapi: docs/longs.yaml\nbase_url: https://api.example.com\n',
      'integrations/docs/longs.yaml': [
        'openapi: 3.0.3',
        'info: { title: x, version: "1" }',
        'paths:',
        ...operation(long, '/a'),
        ...operation(`${long}s`, '/b'),
        '',
      ].join('\n'),
    });
    expect(catalog.problems).toEqual([]);
    const ids = catalog.blocks.map((b) => b.id.slice('longs.'.length));
    expect(new Set(ids).size).toBe(2);
    for (const id of ids) expect(id).toMatch(/^orgs_custom_properties_for_repos_create_or_update_organ_[0-9a-f]{6}$/);
    expect(Math.max(...ids.map((id) => id.length))).toBeLessThanOrEqual(62);
  });
});

describe('mapping rules on @readme/oas-examples', () => {
  const integration = (name: string, doc: string, credential = '') => ({
    [`integrations/${name}.yaml`]: `name: ${name}\nopenapi: docs/${name}.yaml\nbase_url: https://api.example.com\n${credential}`,
    [`integrations/docs/${name}.yaml`]: readFileSync(join(OAS, doc), 'utf8'),
  });

  it('3.1 petstore: path-level parameters become pins, security: [] makes the credential optional', async () => {
    const catalog = await catalogOf(integration('pets', '3.1/yaml/petstore-simple.yaml', 'credential: { type: user_password, in: basic }\n'));
    expect(catalog.problems).toEqual([]);
    const ids = catalog.blocks.map((b) => b.id).sort();
    expect(ids).toEqual(['pets.get_pet_id', 'pets.put_pet_id']);
    const get = block(catalog, 'pets.get_pet_id');
    expect(pinsOf(get)).toEqual(['id']);
    expect(get.inputSchema.required).toEqual(['id']);
    expect(get.credentials!.auth).toMatchObject({ provider: 'pets', types: ['user_password'], optional: true });
    expect(block(catalog, 'pets.put_pet_id').credentials!.auth!.optional).toBe(false);
  });

  it('3.0 petstore: $refs dereferenced, query and path parameters and the JSON body as pins', async () => {
    const catalog = await catalogOf(integration('store', '3.0/yaml/petstore.yaml'));
    expect(catalog.problems).toEqual([]);
    expect(pinsOf(block(catalog, 'store.find_pets_by_status'))).toEqual(['status']);
    const add = block(catalog, 'store.add_pet');
    expect(pinsOf(add)).toEqual(['category', 'id', 'name', 'photo_urls', 'status', 'tags']);
    expect(add.inputSchema.required).toEqual(expect.arrayContaining(['name', 'photo_urls']));
    expect((add.inputSchema.properties as Record<string, { properties?: object }>).category!.properties).toHaveProperty('name');
  });

  it('3.0 polymorphism: oneOf bodies keep their alternatives', async () => {
    const catalog = await catalogOf(integration('poly', '3.0/yaml/polymorphism.yaml'));
    expect(catalog.problems).toEqual([]);
    expect(catalog.blocks.length).toBeGreaterThan(0);
    const schemas = JSON.stringify(catalog.blocks.map((b) => b.inputSchema));
    expect(schemas).toContain('anyOf');
  });

  it('3.0 security: the credential goes where the integration file says', async () => {
    const catalog = await catalogOf(integration('secure', '3.0/yaml/security.yaml', 'credential: { type: api_key, in: header, name: X-API-KEY }\n'));
    expect(catalog.problems).toEqual([]);
    expect(catalog.blocks.every((b) => b.credentials?.auth?.types[0] === 'api_key')).toBe(true);
    expect(catalog.blocks[0]!.credentials!.auth!.description).toContain('X-API-KEY');
  });
});

describe('requests sent to a local server: credentials (3.0 security.yaml), parameters (3.0 parameters-common.yaml) and name collisions', () => {
  let server: HttpPeer;
  beforeAll(async () => {
    server = await startHttpPeer((_req, res) => sendJson(res, 200, { ok: true }));
  });
  afterAll(() => server.close());

  const files = (name: string, credential: string) => ({
    [`integrations/${name}.yaml`]: `name: ${name}\nopenapi: docs/security.yaml\nbase_url: ${server.url}\nallow_private: true\ncredential: ${credential}\n`,
    'integrations/docs/security.yaml': readFileSync(join(OAS, '3.0/yaml/security.yaml'), 'utf8'),
  });

  it('an api key in the query parameter the integration names, an OAuth2 access token as Bearer, user and password as Basic', async () => {
    const cases: Array<{ name: string; credential: string; auth: ResolvedCredential; check: (request: HttpPeer['requests'][number]) => void }> = [
      {
        name: 'by_query',
        credential: '{ type: api_key, in: query, name: apiKey }',
        auth: apiKey('key-in-query-1', 'by_query', 'q'),
        check: (request) => expect(new URL(request.url, 'http://x').searchParams.get('apiKey')).toBe('key-in-query-1'),
      },
      {
        name: 'by_oauth',
        credential: '{ type: oauth2, in: bearer }',
        auth: { name: 'o', provider: 'by_oauth', type: 'oauth2', fields: { access_token: 'oauth-access-2' } },
        check: (request) => expect(request.headers.authorization).toBe('Bearer oauth-access-2'),
      },
      {
        name: 'by_basic',
        credential: '{ type: user_password, in: basic }',
        auth: { name: 'b', provider: 'by_basic', type: 'user_password', fields: { username: 'ada', password: 'pw-3' } },
        check: (request) => expect(request.headers.authorization).toBe(`Basic ${Buffer.from('ada:pw-3').toString('base64')}`),
      },
    ];
    for (const { name, credential, auth, check } of cases) {
      const catalog = await catalogOf(files(name, credential));
      expect(catalog.problems).toEqual([]);
      expect(block(catalog, `${name}.get_anything_api_key`).credentials!.auth).toMatchObject({ provider: name, types: [auth.type] });
      const harness = blockHarness({ credentials: { auth } });
      try {
        const out = await harness.outputs(block(catalog, `${name}.get_anything_api_key`), {});
        expect(out).toMatchObject({ status: 200, json: { ok: true } });
        check(server.requests.at(-1)!);
      } finally {
        await harness.close();
      }
      project?.remove();
      project = null;
    }
  });

  it('3.0 common parameters: a path-level header parameter is a pin sent as that header, beside the path one', async () => {
    const catalog = await catalogOf({
      'integrations/common.yaml': `name: common\nopenapi: docs/common.yaml\nbase_url: ${server.url}/base\nallow_private: true\n`,
      'integrations/docs/common.yaml': readFileSync(join(OAS, '3.0/yaml/parameters-common.yaml'), 'utf8'),
    });
    expect(catalog.problems).toEqual([]);
    const get = block(catalog, 'common.get_anything_id');
    expect(pinsOf(get)).toEqual(['id', 'x_extra_id']);
    expect(get.inputSchema.required).toEqual(['id']);
    const harness = blockHarness();
    try {
      expect(await harness.outputs(get, { id: 7, x_extra_id: 'extra-1' })).toMatchObject({ status: 200 });
    } finally {
      await harness.close();
    }
    const sent = server.requests.at(-1)!;
    expect(`${sent.method} ${sent.url}`).toBe('GET /base/anything/7');
    expect(sent.headers['x-extra-id']).toBe('extra-1');
  });

  it('names that path, query, header and body share get their location as a prefix, and each goes where it belongs', async () => {
    const document = [
      'openapi: 3.0.3',
      'info: { title: Collide, version: "1" }',
      'paths:',
      '  /items/{name}:',
      '    post:',
      '      operationId: renameItem',
      '      parameters:',
      '        - { name: name, in: path, required: true, schema: { type: string } }',
      '        - { name: name, in: query, schema: { type: string } }',
      '        - { name: name, in: header, schema: { type: string } }',
      '      requestBody: { content: { application/json: { schema: { type: object, properties: { name: { type: string } } } } } }',
      '      responses: { "200": { description: ok } }',
      '',
    ].join('\n');
    const catalog = await catalogOf({
      'integrations/collide.yaml': `name: collide\nopenapi: docs/collide.yaml\nbase_url: ${server.url}\nallow_private: true\n`,
      'integrations/docs/collide.yaml': document,
    });
    expect(catalog.problems).toEqual([]);
    const rename = block(catalog, 'collide.rename_item');
    expect(pinsOf(rename)).toEqual(['body_name', 'header_name', 'path_name', 'query_name']);
    const harness = blockHarness();
    try {
      const inputs = { path_name: 'a/b', query_name: 'q 1', header_name: 'h-1', body_name: 'b-1' };
      expect(await harness.outputs(rename, inputs)).toMatchObject({ status: 200 });
    } finally {
      await harness.close();
    }
    const sent = server.requests.at(-1)!;
    expect(`${sent.method} ${sent.url}`).toBe('POST /items/a%2Fb?name=q+1');
    expect(sent.headers.name).toBe('h-1');
    expect(sent.json).toEqual({ name: 'b-1' });
  });
});

describe("a github-api integration from GitHub's own document", () => {
  let github: HttpPeer;
  let files: Record<string, string>;

  beforeAll(async () => {
    github = await startHttpPeer((req, res) => {
      const url = new URL(req.url, 'http://x');
      if (req.method === 'POST' && url.pathname === '/repos/acme/app/issues') {
        const body = req.json as { title: string };
        return sendJson(res, 201, { id: 1, number: 42, title: body.title, state: 'open', html_url: 'https://github.com/acme/app/issues/42' });
      }
      if (req.method === 'GET' && /^\/repos\/[^/]+\/[^/]+$/.test(url.pathname))
        return sendJson(res, 200, { id: 7, full_name: decodeURIComponent(url.pathname.slice(7)), private: false });
      return sendJson(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
    });
    files = {
      'integrations/github_api.yaml': [
        'name: github_api',
        'openapi: openapi/github.json',
        `base_url: ${github.url}`,
        'allow_private: true',
        'credential: { type: api_key, in: bearer }',
        'operations: [issues/create, issues/get, repos/get]',
        '',
      ].join('\n'),
      'integrations/openapi/github.json': githubSubset(['issues/create', 'issues/get', 'repos/get']),
    };
  });
  afterAll(() => github.close());

  it('makes one block per listed operation with pins from the path and the body', async () => {
    const catalog = await catalogOf(files);
    expect(catalog.problems).toEqual([]);
    expect(catalog.blocks.map((b) => b.id).sort()).toEqual(['github_api.issues_create', 'github_api.issues_get', 'github_api.repos_get']);
    expect(pinsOf(block(catalog, 'github_api.issues_create'))).toEqual(expect.arrayContaining(['owner', 'repo', 'title', 'body', 'labels', 'assignees']));
    expect(block(catalog, 'github_api.issues_create').inputSchema.required).toEqual(expect.arrayContaining(['owner', 'repo', 'title']));
  });

  it("runs issues/create against the local server: Bearer token, JSON body, GitHub's answer; path values stay one segment", async () => {
    const catalog = await catalogOf(files);
    const harness = blockHarness({ credentials: { auth: apiKey('ghp-local-token-1234', 'github_api', 'gh') } });
    try {
      const out = await harness.outputs(block(catalog, 'github_api.issues_create'), { owner: 'acme', repo: 'app', title: 'Disk full', labels: ['ops'] });
      expect(out).toMatchObject({ status: 201, json: { number: 42, html_url: 'https://github.com/acme/app/issues/42' } });
      const sent = github.requests.at(-1)!;
      expect(sent.headers.authorization).toBe('Bearer ghp-local-token-1234');
      expect(sent.json).toEqual({ title: 'Disk full', labels: ['ops'] });
      await harness.outputs(block(catalog, 'github_api.repos_get'), { owner: 'a/b', repo: 'app' });
      expect(github.requests.at(-1)!.url).toBe('/repos/a%2Fb/app');
      const missing = await rejection(harness.outputs(block(catalog, 'github_api.issues_get'), { owner: 'acme', repo: 'app', issue_number: 9 }));
      expect(missing.message).toMatch(/answered 404/);
    } finally {
      await harness.close();
    }
  });

  it("refuses to send the token to a host other than base_url's", async () => {
    const catalog = await catalogOf(files);
    const bound = { ...apiKey('ghp-bound-token-5678', 'github_api', 'gh'), hosts: ['api.github.com'] };
    const harness = blockHarness({ credentials: { auth: bound } });
    try {
      const before = github.requests.length;
      const error = await rejection(harness.outputs(block(catalog, 'github_api.repos_get'), { owner: 'acme', repo: 'app' }));
      expect(`${error.code} ${error.message}`).toMatch(/CREDENTIAL_HOST_REFUSED/);
      expect(github.requests.length).toBe(before);
    } finally {
      await harness.close();
    }
  });

  it('agents use the blocks: trellis validate knows them and trellis test runs one with a mock', async () => {
    const agent = [
      'name: file-issue',
      'nodes:',
      '  title:',
      '    block: input',
      '    inputs: { name: title, type: string }',
      '  create:',
      '    block: github_api.issues_create',
      '    credentials: { auth: gh }',
      '    inputs: { owner: acme, repo: app }',
      '  url:',
      '    block: output',
      '    inputs: { name: url }',
      'links:',
      '  - title.value -> create.title',
      '  - create.json.html_url -> url.value',
      'tests:',
      '  - name: files the issue',
      '    inputs: { title: Disk full }',
      '    mocks: { create: { status: 201, json: { html_url: "https://github.com/acme/app/issues/42" } } }',
      '    expect: { status: COMPLETED, outputs: { url: ["https://github.com/acme/app/issues/42"] } }',
      '',
    ].join('\n');
    project = tempProject({
      ...files,
      'agents/file-issue.yaml': agent,
      'agents/wrong.yaml': agent.replace('name: file-issue', 'name: wrong').replace('issues_create', 'issues_delete'),
    });
    const cli = capture(project.dir);
    expect(await validateCommand('agents', 'text', cli.io, deps)).toBe(1);
    expect(cli.out()).toMatch(/wrong\.yaml:\d+:\d+: .*github_api\.issues_delete/);
    expect(cli.out()).not.toMatch(/file-issue\.yaml:\d+:\d+: .*error/);
    const tester = capture(project.dir);
    expect(await testCommand('agents/file-issue.yaml', tester.io, deps)).toBe(0);
  });
});

describe('costs', () => {
  it('charges costs.yaml integrations.<name> per call of any operation (default 1), and blocks.<id> overrides one operation', async () => {
    const catalog = await catalogOf({
      'integrations/shop.yaml': 'name: shop\nopenapi: docs/shop.yaml\nbase_url: https://api.example.com\n',
      'integrations/docs/shop.yaml': [
        'openapi: 3.0.3',
        'info: { title: x, version: "1" }',
        'paths:',
        '  /orders:',
        '    get: { operationId: listOrders, responses: { "200": { description: ok } } }',
        '    post: { operationId: createOrder, responses: { "201": { description: ok } } }',
        '',
      ].join('\n'),
    });
    expect(catalog.problems).toEqual([]);
    const [list, create] = [block(catalog, 'shop.list_orders'), block(catalog, 'shop.create_order')];
    const none = { blocks: {}, models: {}, default_model_cost: 1 };
    expect([blockCost(list, {}, none), blockCost(create, {}, none)]).toEqual([1, 1]);
    const priced = { ...none, integrations: { shop: 4, other: 9 } };
    expect([blockCost(list, {}, priced), blockCost(create, {}, priced)]).toEqual([4, 4]);
    expect(blockCost(create, {}, { ...priced, blocks: { 'shop.create_order': 0 } })).toBe(0);
  });
});
