// A start logs what a person needs at info; Nest's line per module, controller and route waits at debug.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

// One describe around the whole file: its hooks stay its own when it runs in a bundle (test/bundles).
describe('start-up logging', () => {
  interface LogLine {
    level: string;
    context?: string;
    msg: string;
  }

  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('startup-log');
  });

  afterAll(async () => {
    await database.drop();
  });

  /** Builds and initialises the whole api app with our logger at `level`, and answers what it logged. */
  async function startLog(level: string): Promise<LogLine[]> {
    const t = await createTestApp({ label: 'startup-log', database, role: 'api', captureLogs: { level, logger: 'ours' } });
    await t.close();
    return t.logs() as unknown as LogLine[];
  }

  const isRouteLine = (line: LogLine) => line.context === 'RouterExplorer' || line.context === 'RoutesResolver' || /^Mapped \{/.test(line.msg);

  describe('the start-up log', () => {
    it('has no route, module or Nest start-up line at info', async () => {
      const lines = await startLog('info');
      expect(lines.filter(isRouteLine)).toEqual([]);
      expect(lines.filter((line) => line.context === 'InstanceLoader' || line.context === 'NestFactory' || line.context === 'NestApplication')).toEqual([]);
    });

    it('still has every route line at debug, for whoever asks for it', async () => {
      const lines = await startLog('debug');
      const routes = lines.filter(isRouteLine);
      expect(routes.length).toBeGreaterThan(50);
      expect(routes.every((line) => line.level === 'debug')).toBe(true);
      expect(routes.map((line) => line.msg)).toEqual(expect.arrayContaining(['Mapped {/health, GET} route']));
    });
  });
});
