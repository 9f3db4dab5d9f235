// A local HTTP server for execution tests: counts requests per path, answers each with a status decided
// per request, or holds it open (never answering) until released or the client hangs up.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What to do with the n-th request (1-based) to a path: a status to answer, or 'hold'. */
export type PeerPlan = (path: string, n: number) => number | 'hold';

export interface HttpPeer {
  url: string;
  /** Requests seen per path. */
  count(path: string): number;
  /** Requests held open whose client hung up (an aborted block). */
  aborted(path: string): number;
  /** Answers every held request with `status`. */
  releaseAll(status?: number): void;
  setPlan(plan: PeerPlan): void;
  close(): Promise<void>;
}

export async function startHttpPeer(plan: PeerPlan = () => 200): Promise<HttpPeer> {
  let current = plan;
  const counts = new Map<string, number>();
  const aborts = new Map<string, number>();
  const held = new Set<ServerResponse>();
  const answer = (res: ServerResponse, status: number, path: string) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ path, status }));
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const n = (counts.get(path) ?? 0) + 1;
    counts.set(path, n);
    req.resume();
    const what = current(path, n);
    if (what !== 'hold') return answer(res, what, path);
    held.add(res);
    res.on('close', () => {
      if (held.delete(res)) aborts.set(path, (aborts.get(path) ?? 0) + 1);
    });
    (res as ServerResponse & { path?: string }).path = path;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    count: (path) => counts.get(path) ?? 0,
    aborted: (path) => aborts.get(path) ?? 0,
    releaseAll(status = 200) {
      for (const res of [...held]) {
        held.delete(res);
        answer(res, status, (res as ServerResponse & { path?: string }).path ?? '/');
      }
    },
    setPlan(next) {
      current = next;
    },
    async close() {
      for (const res of held) res.destroy();
      held.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
