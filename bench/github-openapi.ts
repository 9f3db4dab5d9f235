// GitHub's whole OpenAPI document (npm @octokit/openapi, ~1,200 operations) laid out as an integration
// folder. The document is 7 MB even minified and an integration's files are at most 5 MB each
// (release-2.md section 5), so it is committed the way a team would: the paths in the main document, its
// component schemas and examples in files of their own beside it, joined by relative $refs.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** Where @octokit/openapi keeps the api.github.com document. */
export function githubDocumentPath(): string {
  return join(dirname(require.resolve('@octokit/openapi/package.json')), 'generated', 'api.github.com.json');
}

type Json = unknown;

/** Every `#/components/<kind>/<name>` $ref rewritten by `to`. */
function rewriteRefs(value: Json, to: (kind: string, rest: string) => string): Json {
  if (Array.isArray(value)) return value.map((item) => rewriteRefs(item, to));
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, Json> = {};
  for (const [key, inner] of Object.entries(value)) {
    const ref = key === '$ref' && typeof inner === 'string' ? /^#\/components\/([^/]+)\/(.+)$/.exec(inner) : null;
    out[key] = ref ? to(ref[1]!, ref[2]!) : rewriteRefs(inner, to);
  }
  return out;
}

const SPLIT = new Set(['schemas', 'examples']);

/**
 * Writes `<folder>/<name>.yaml` and `<folder>/openapi/github*.json` (every file under 5 MB): the whole
 * document, or only `operationIds`. Answers the number of operations.
 */
export function writeGithubIntegration(folder: string, name: string, baseUrl: string, credential = 'credential: { type: api_key, in: bearer }'): number {
  const full = JSON.parse(readFileSync(githubDocumentPath(), 'utf8')) as Record<string, Record<string, Json>>;
  mkdirSync(join(folder, 'openapi'), { recursive: true });
  const external = (kind: string, rest: string) => (SPLIT.has(kind) ? `github.${kind}.json#/${rest}` : `#/components/${kind}/${rest}`);
  const components: Record<string, Json> = {};
  for (const [kind, entries] of Object.entries(full.components!)) {
    if (!SPLIT.has(kind)) {
      components[kind] = rewriteRefs(entries, external);
      continue;
    }
    // Inside a split file, a reference to its own kind stays local; to the other kind it crosses files.
    const local = (k: string, rest: string) => (k === kind ? `#/${rest}` : external(k, rest));
    writeFileSync(join(folder, 'openapi', `github.${kind}.json`), JSON.stringify(rewriteRefs(entries, local)));
  }
  const { components: _all, ...rest } = full;
  const document = { ...(rewriteRefs(rest, external) as Record<string, Json>), components };
  writeFileSync(join(folder, 'openapi', 'github.json'), JSON.stringify(document));
  writeFileSync(join(folder, `${name}.yaml`), [`name: ${name}`, 'openapi: openapi/github.json', `base_url: ${baseUrl}`, credential, ''].join('\n'));
  let operations = 0;
  for (const item of Object.values(full.paths as Record<string, Record<string, Json>>))
    for (const method of Object.keys(item)) if (['get', 'put', 'post', 'delete', 'patch', 'head', 'options'].includes(method)) operations++;
  return operations;
}
