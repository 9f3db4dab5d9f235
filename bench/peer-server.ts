// The two peers `npm run bench -- peers` measures Trellis against, each in its own process:
//   node dist/bench/peer-server.js bare              node:http + JSON.parse, nothing durable
//   node dist/bench/peer-server.js durable <pg-url>  the same + one INSERT ... RETURNING id through a pg Pool of 20
// Both answer 202 with a small JSON body, like Trellis's webhook intake; a body that is not JSON gets 400.
// It prints {"port": n} on stdout once listening, and closes on SIGTERM.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';

const [kind, databaseUrl] = process.argv.slice(2);
if (kind !== 'bare' && kind !== 'durable') throw new Error(`usage: peer-server.js bare | durable <postgres-url> (got "${kind ?? ''}")`);
if (kind === 'durable' && !databaseUrl) throw new Error('peer-server.js durable needs the database URL as its second argument');

const pool = kind === 'durable' ? new pg.Pool({ connectionString: databaseUrl, max: 20 }) : null;
pool?.on('error', (error) => console.error(`peer server: an idle database connection failed: ${error.message}`));
await pool?.query('CREATE TABLE IF NOT EXISTS peer_requests (id bigserial PRIMARY KEY, body jsonb NOT NULL, received_at timestamptz NOT NULL DEFAULT now())');

function answer(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      answer(res, 400, '{"error":"the body is not JSON"}');
      return;
    }
    if (!pool) {
      answer(res, 202, '{"accepted":true}');
      return;
    }
    pool.query<{ id: string }>('INSERT INTO peer_requests (body) VALUES ($1) RETURNING id', [JSON.stringify(body)]).then(
      (result) => answer(res, 202, `{"id":${result.rows[0]!.id}}`),
      (error: unknown) => answer(res, 500, JSON.stringify({ error: error instanceof Error ? error.message : String(error) })),
    );
  });
});

server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`));
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void pool?.end();
});
