// Every code a library block can throw is in the list GET /api/blocks shows for it. The codes are read from
// the block's source file and every module of src/blocks it imports (BlockErrorCode.X, XxxErrorCode.Y, a
// literal or constant first argument of new BlockError/AppError), plus the outbound client's codes for a
// block that calls context.http.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { allBlockErrors, blockErrors, OUTBOUND_ERRORS } from './block-errors.catalog.js';
import { asBlockError, BlockError } from './blocks.errors.js';
import { markTransient } from '../common/errors.js';
import { BLOCK_LIBRARY } from './library/index.js';
import { operationBlock } from './integrations/openapi-blocks.js';
import type { IntegrationFile, IntegrationOperation } from './openapi/integration.types.js';

const here = dirname(fileURLToPath(import.meta.url));
const library = join(here, 'library');
const NOT_SCANNED = new Set([join(here, 'blocks.errors.ts'), join(here, 'block.types.ts')]);

function blockFile(id: string): string | undefined {
  for (const folder of readdirSync(library, { withFileTypes: true }).filter((entry) => entry.isDirectory())) {
    const file = join(library, folder.name, `${id}.ts`);
    if (readdirSync(join(library, folder.name)).includes(`${id}.ts`)) return file;
  }
  return undefined;
}

/** The file and every module of src/blocks it imports (not `import type`; re-exports and `import('./x.js')` too), transitively. */
function closure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file) || NOT_SCANNED.has(file) || !file.startsWith(here)) return seen;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  const imported = [...text.matchAll(/^(?:import|export) (?!type )[^;]*? from '(\.[^']+)\.js';/gms), ...text.matchAll(/\bimport\(\s*'(\.[^']+)\.js'\s*\)/g)];
  for (const match of imported) closure(resolve(dirname(file), `${match[1]}.ts`), seen);
  return seen;
}

/** The codes the block's source can throw. */
function thrownCodes(file: string, deep = true): Set<string> {
  const texts = [...(deep ? closure(file) : [file])].map((f) => readFileSync(f, 'utf8'));
  const all = texts.join('\n');
  const objects = new Map<string, Map<string, string>>();
  for (const [, name, body] of all.matchAll(/export const (\w+ErrorCode) = \{([^}]*)\}/g))
    objects.set(name!, new Map([...body!.matchAll(/(\w+): '([A-Z_]+)'/g)].map(([, key, value]) => [key!, value!])));
  const constants = new Map([...all.matchAll(/const ([A-Z][A-Z_]+) = '([A-Z_]+)'/g)].map(([, name, value]) => [name!, value!]));
  const codes = new Set<string>();
  for (const [, object, key] of all.matchAll(/\b(\w*ErrorCode)\.([A-Z_]+)\b/g))
    codes.add(object === 'BlockErrorCode' ? key! : (objects.get(object!)?.get(key!) ?? `${object}.${key}`));
  // The first argument: literals (also both sides of a ternary) or a constant.
  for (const [, first] of all.matchAll(/new (?:Block|App)Error\(\s*([^,]+),/g)) {
    const literals = [...first!.matchAll(/'([A-Z][A-Z_]+)'/g)].map(([, code]) => code!);
    if (literals.length > 0) literals.forEach((code) => codes.add(code));
    else if (/^[A-Z][A-Z_]+$/.test(first!.trim())) codes.add(constants.get(first!.trim()) ?? first!.trim());
  }
  if (/context\.http\b|\bhttp\.fetch\(/.test(all)) for (const code of OUTBOUND_ERRORS) codes.add(code);
  return codes;
}

describe('block error codes', () => {
  it('lists for every library block each code its source can throw', () => {
    const missing: string[] = [];
    for (const block of BLOCK_LIBRARY) {
      const file = blockFile(block.id);
      expect(file).toBeDefined();
      const declared = new Set(allBlockErrors(block.errors).map((error) => error.code));
      for (const code of thrownCodes(file!)) if (!declared.has(code)) missing.push(`${block.id}: ${code}`);
    }
    expect(missing).toEqual([]);
    // The reading finds what it should: a literal, both sides of a ternary, a code object's member, a constant.
    expect([...thrownCodes(blockFile('http.request')!)]).toEqual(expect.arrayContaining(['HTTP_STATUS', 'OUTBOUND_TIMEOUT']));
    expect([...thrownCodes(blockFile('slack.post')!)]).toEqual(expect.arrayContaining(['SLACK_RATE_LIMITED', 'SLACK_REJECTED']));
    expect([...thrownCodes(blockFile('llm.structured')!)]).toEqual(expect.arrayContaining(['LLM_INVALID_ANSWER', 'LLM_AUTH_FAILED']));
    expect([...thrownCodes(blockFile('ai.agent')!)]).toContain('AGENT_STEP_LIMIT');
  });

  it('lists for an integration operation block each code its source throws (read without what it imports)', () => {
    const integration = { name: 'shop', base_url: 'https://shop.example', allow_private: false } as unknown as IntegrationFile;
    const operation = {
      blockId: 'shop.order.create',
      summary: 'Create an order',
      method: 'POST',
      path: '/orders',
      pins: [],
    } as unknown as IntegrationOperation;
    const block = operationBlock(integration, operation);
    const declared = new Set(allBlockErrors(block.errors).map((error) => error.code));
    expect([...thrownCodes(join(here, 'integrations', 'openapi-blocks.ts'), false)].filter((code) => !declared.has(code))).toEqual([]);
    expect(block.sideEffects).toBe(true);
  });

  it('describes each code once, with whether it is transient, and refuses a code it does not know', () => {
    for (const block of BLOCK_LIBRARY) {
      const errors = allBlockErrors(block.errors);
      expect(new Set(errors.map((error) => error.code)).size).toBe(errors.length);
      for (const error of errors)
        expect(error).toEqual({ code: expect.stringMatching(/^[A-Z][A-Z0-9_]+$/), description: expect.any(String), transient: expect.any(Boolean) });
    }
    expect(blockErrors('OUTBOUND_TIMEOUT', 'HTTP_STATUS').map((error) => error.transient)).toEqual([true, false]);
    expect(() => blockErrors('NO_SUCH_CODE')).toThrow(/NO_SUCH_CODE is not in block-errors.catalog.ts/);
  });

  it('marks transient an unmarked failure whose code the block declares transient, and leaves the rest to the retry rule', () => {
    const github = BLOCK_LIBRARY.find((block) => block.id === 'github.issue.create')!;
    const limited = asBlockError(github, new BlockError('GITHUB_RATE_LIMITED', 'rate limit', { status: 403 }));
    expect((limited as { transient?: boolean }).transient).toBe(true);
    // Declared permanent, or judged by its status: no mark, the engine reads details.status.
    const refused = asBlockError(github, new BlockError('GITHUB_INVALID_REQUEST', 'no', { status: 422 }));
    expect((refused as { transient?: boolean }).transient).toBeUndefined();
    const http = BLOCK_LIBRARY.find((block) => block.id === 'http.request')!;
    expect((asBlockError(http, new BlockError('HTTP_STATUS', 'busy', { status: 503 })) as { transient?: boolean }).transient).toBeUndefined();
    // The block's own mark wins.
    expect((asBlockError(github, markTransient(new BlockError('GITHUB_RATE_LIMITED', 'x'), false)) as { transient?: boolean }).transient).toBe(false);
  });
});
