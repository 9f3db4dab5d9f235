// The committed agents/agent.schema.json (what editors load) must be what `trellis schema` prints now.
import { describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { defaultDeps } from '../../src/agents/agents.command.js';
import { findAgentFiles } from '../../src/agent-format/agent.files.js';
import { renderAgentSchema } from '../../src/agent-format/agent.schema.js';

const COMMITTED = join(process.cwd(), 'agents', 'agent.schema.json');
const REFRESH = 'UPDATE_AGENT_SCHEMA=1 npm test -- test/agents/schema-drift.spec.ts (or: npm run build && node bin/trellis.js schema > agents/agent.schema.json)';

describe('agents/agent.schema.json', () => {
  it('matches the schema generated from the block registry', async () => {
    const generated = renderAgentSchema(await defaultDeps.blocks());
    if (process.env.UPDATE_AGENT_SCHEMA === '1') writeFileSync(COMMITTED, generated);
    const committed = readFileSync(COMMITTED, 'utf8');
    if (committed !== generated) {
      throw new Error(`agents/agent.schema.json is out of date with the block registry (a block or pin changed). Refresh it with:\n  ${REFRESH}`);
    }
  });

  it('accepts every example agent', () => {
    const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(JSON.parse(readFileSync(COMMITTED, 'utf8')) as object);
    const files = findAgentFiles(join(process.cwd(), 'agents'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const file of files) {
      const ok = validate(parse(readFileSync(file, 'utf8')));
      expect({ file, errors: ok ? [] : validate.errors }).toEqual({ file, errors: [] });
    }
  });
});
