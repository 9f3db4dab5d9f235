// Many agent files parsed at once (a pull request touching thousands of them): YAML parsing is most of the
// work, so it runs on worker threads, one slice of the files each, and the event loop stays free meanwhile.
// A worker answers each text's data when the document has nothing to report (cleanDocumentData); the
// others, and every text of a worker that fails, are parsed here as parseAgentYaml always does.
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { cleanAgentSource, cleanDocumentData, parseAgentYaml, PARSE_OPTIONS, type AgentSource } from './agent.parser.js';

/** Below this many texts, starting workers costs more than it saves. */
export const POOL_MIN_TEXTS = 400;
const MAX_WORKERS = 4;

export interface AgentText {
  text: string;
  /** Display path, as parseAgentYaml takes it. */
  file?: string;
}

type WorkerAnswer = Array<{ data: unknown } | null>;

function parseWorkerMain(clean: typeof cleanDocumentData): void {
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const yaml = require((workerData as { yamlPath: string }).yamlPath) as typeof import('yaml');
  const options = (workerData as { options: typeof PARSE_OPTIONS }).options;
  parentPort!.once('message', (texts: string[]) => parentPort!.postMessage(texts.map((text) => clean(yaml, yaml.parseDocument(text, options)))));
}

/** The worker's program as source text (the test runner cannot load .ts files into a worker). */
function workerSource(): string {
  return `(${parseWorkerMain.toString()})(${cleanDocumentData.toString()});`;
}

/** One worker's answer for `texts`: each clean document's data, null for the others. */
export function parseInWorker(texts: string[]): Promise<WorkerAnswer> {
  const yamlPath = createRequire(import.meta.url).resolve('yaml');
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerSource(), { eval: true, workerData: { yamlPath, options: PARSE_OPTIONS } });
    worker.once('message', (answer: WorkerAnswer) => {
      resolve(answer);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the parse worker stopped (exit code ${code})`)));
    worker.postMessage(texts);
  });
}

/** Each text parsed as parseAgentYaml would, in order; on `workers` threads when there are many. */
export async function parseAgentTexts(items: readonly AgentText[], workers = Math.min(MAX_WORKERS, availableParallelism())): Promise<AgentSource[]> {
  if (items.length < POOL_MIN_TEXTS || workers < 1) return items.map((item) => parseAgentYaml(item.text, item.file));
  const size = Math.ceil(items.length / workers);
  const slices = Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
  const answers = await Promise.all(slices.map((slice) => parseInWorker(slice.map((item) => item.text)).catch((): WorkerAnswer => slice.map(() => null))));
  return slices.flatMap((slice, i) =>
    slice.map((item, k) => {
      const clean = answers[i]![k];
      return clean ? cleanAgentSource(item.text, clean.data, item.file) : parseAgentYaml(item.text, item.file);
    }),
  );
}
