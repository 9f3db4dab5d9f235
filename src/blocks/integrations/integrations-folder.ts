// Where the integrations folder is, apart from integration-blocks.ts (which loads the OpenAPI reader and the
// http block): `trellis validate` asks whether there is one before loading any of that.
import { join } from 'node:path';

/** The integrations folder: INTEGRATIONS_DIR, else `integrations` beside the agents folder. */
export function integrationsFolder(env: NodeJS.ProcessEnv, agentsDir: string, cwd: string): string {
  return env.INTEGRATIONS_DIR?.trim() ? join(cwd, env.INTEGRATIONS_DIR.trim()) : join(cwd, agentsDir, '..', 'integrations');
}
