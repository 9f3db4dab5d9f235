// A real SMTP server on 127.0.0.1 (the `smtp-server` package) that requires AUTH, receives messages and
// keeps each with its envelope and raw text, so tests check what actually arrived.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  mailFrom: string;
  rcptTo: string[];
  raw: string;
  /** Header name (lower case) -> value, unfolded. */
  headers: Record<string, string>;
}

export interface SmtpPeer {
  host: string;
  port: number;
  received: ReceivedMail[];
  /** Recipients the server refuses (550). */
  refuse: Set<string>;
  /** Sessions that reached DATA (also those that never finish). */
  dataStarted: number;
  /** Never answer DATA (abort tests). */
  hangOnData: boolean;
  close(): Promise<void>;
}

export async function startSmtpPeer(credentials = { username: 'mailer', password: 's3cret' }): Promise<SmtpPeer> {
  const peer: Omit<SmtpPeer, 'port' | 'close'> = { host: '127.0.0.1', received: [], refuse: new Set(), dataStarted: 0, hangOnData: false };
  const server = new SMTPServer({
    logger: false,
    banner: 'trellis test peer',
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, callback) {
      if (auth.username === credentials.username && auth.password === credentials.password) return callback(null, { user: auth.username });
      const error = Object.assign(new Error('Invalid username or password'), { responseCode: 535 });
      callback(error);
    },
    onRcptTo(address, _session, callback) {
      if (peer.refuse.has(address.address)) {
        return callback(Object.assign(new Error(`<${address.address}>: Recipient address rejected: User unknown`), { responseCode: 550 }));
      }
      callback();
    },
    onData(stream, session, callback) {
      peer.dataStarted++;
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (peer.hangOnData) return;
        const raw = Buffer.concat(chunks).toString('utf8');
        const mailFrom = session.envelope.mailFrom;
        peer.received.push({
          mailFrom: mailFrom ? mailFrom.address : '',
          rcptTo: session.envelope.rcptTo.map((r: { address: string }) => r.address),
          raw,
          headers: parseHeaders(raw),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return Object.assign(peer, {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

function parseHeaders(raw: string): Record<string, string> {
  const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}
