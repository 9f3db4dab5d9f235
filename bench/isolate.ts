// A measurement in a process of its own (issue 16: the server's resident memory under each load). A server
// measured after another in the same process starts from that one's high-water mark: V8 keeps the heap pages
// and compiled code it grew, glibc keeps freed memory in its arenas, and the kernel's peak can only be reset
// to the current resident set, not below it (webhooks in role all: ~269 MB alone, ~286 MB after role api).
// `inOwnProcess` runs one exported function of a bench module in a fresh child (the same Node, its command-line
// flags and environment, so the heap settings too) and answers what it answers; its progress lines come back
// through `say`.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { HEAP_SETTINGS_ENV, restartWithHeapSettings } from '../src/config/heap-settings.js';

type Message = { say: string } | { result: unknown } | { error: string };

/** Runs `module`'s export `name`, called with (`argument`, say), in a child process; answers its result. */
export async function inOwnProcess<T>(module: string, name: string, argument: unknown, say: (line: string) => void): Promise<T> {
  // The child must not restart itself: its IPC channel would not survive process.execve. It has the parent's
  // NODE_OPTIONS and MALLOC_ARENA_MAX already; a state other than `off` makes it set only the old generation's growth.
  const env = { ...process.env, [HEAP_SETTINGS_ENV]: process.env[HEAP_SETTINGS_ENV] ?? 'inherited' };
  const child = fork(fileURLToPath(import.meta.url), [module, name, JSON.stringify(argument)], { stdio: 'inherit', env });
  let answer: Message | undefined;
  child.on('message', (message: Message) => {
    if ('say' in message) say(message.say);
    else answer = message;
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (answer && 'result' in answer) return answer.result as T;
  throw new Error(answer && 'error' in answer ? answer.error : `${name} in ${module} exited (${code}) without an answer`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  restartWithHeapSettings();
  const [module, name, argument] = process.argv.slice(2) as [string, string, string];
  const send = (message: Message) => new Promise<void>((resolve) => process.send!(message, () => resolve()));
  const say = (line: string) => void send({ say: line });
  import(module)
    .then((exports: Record<string, (argument: unknown, say: (line: string) => void) => Promise<unknown>>) => exports[name]!(JSON.parse(argument), say))
    .then(
      (result) => send({ result }),
      (error: unknown) => send({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    )
    .then(() => process.exit(0));
}
