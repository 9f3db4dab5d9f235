// `trellis keys create | credentials set | reviews list | reviews decide --server <url>`: the API key's own
// account on a running server. Secrets travel on stdin, never on the command line (shell history, `ps`).
import type { CliIo } from '../../agents/agents.command.js';
import { RemoteError, type RemoteClient } from './remote-client.js';
import { brief, UsageError, type RemoteIo } from './remote-session.js';

interface UserView {
  id: string;
  handle: string;
  role: string;
}

export interface RemoteKeyOptions {
  user?: string;
  scopes?: string;
  name: string;
  expiresAt?: string;
}

/** A key for the caller's own user (the API has no key for someone else: admins create users with their first key). */
export async function remoteKeysCreateCommand(client: RemoteClient, options: RemoteKeyOptions, io: CliIo): Promise<number> {
  const me = await client.get<UserView>('/api/user');
  if (options.user !== undefined && options.user !== me.handle) {
    throw new UsageError(
      `Over --server, keys create makes a key for the API key's own user (${me.handle}), not for ${options.user}. ` +
        `Use ${options.user}'s own key, have an admin create the user (POST /api/admin/users answers their first key), or run trellis keys create on the server's machine.`,
    );
  }
  const scopes = options.scopes
    ?.split(',')
    .map((scope) => scope.trim())
    .filter(Boolean);
  const created = await client.post<{ key: string; name: string; prefix: string; scopes: string[] }>('/api/user/api-keys', {
    json: { name: options.name, ...(scopes ? { scopes } : {}), ...(options.expiresAt ? { expires_at: options.expiresAt } : {}) },
  });
  io.err(`Created API key "${created.name}" (${created.prefix}...) for ${me.handle} with scopes ${created.scopes.join(', ')}. It is shown this once:\n`);
  io.out(`${created.key}\n`);
  return 0;
}

/** The secret fields from stdin: the bare secret for one-field types, else a JSON object of the fields. */
export function secretsFromStdin(type: string, text: string): Record<string, unknown> {
  const single: Record<string, string> = { api_key: 'key', webhook_secret: 'secret', secret_url: 'url' };
  const field = single[type];
  const trimmed = text.replace(/\r?\n$/, '');
  if (field) {
    if (!trimmed.trim()) throw new UsageError(`stdin is empty: pipe the ${field}, for example: printf %s "$TOKEN" | trellis credentials set <name> ...`);
    return { [field]: trimmed };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    parsed = null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new UsageError(
      `A ${type} credential has several secret fields: pipe them as one JSON object on stdin, for example {"username":"ada","password":"..."}`,
    );
  return parsed as Record<string, unknown>;
}

export interface CredentialSetOptions {
  provider?: string;
  type: string;
  hosts?: string;
}

/** Creates the credential, or replaces its secret fields when the caller already has one of that name. */
export async function credentialsSetCommand(client: RemoteClient, name: string, options: CredentialSetOptions, io: RemoteIo): Promise<number> {
  const text = await io.readStdin();
  if (text === null)
    throw new UsageError(
      `Pipe the secret on stdin (it is never read from a terminal or the command line): printf %s "$TOKEN" | trellis credentials set ${name} ...`,
    );
  const secrets = secretsFromStdin(options.type, text);
  const hosts = options.hosts
    ?.split(',')
    .map((host) => host.trim())
    .filter(Boolean);
  const subject = `credential ${name}`;
  try {
    if (!options.provider) throw new UsageError(`--provider is needed to create ${name} (openai, anthropic, github, smtp, slack, http, ...)`);
    await client.post('/api/integrations/credentials', {
      json: { name, provider: options.provider, type: options.type, secrets, ...(hosts ? { hosts } : {}) },
      subject,
    });
    io.err(`created credential ${name}\n`);
    return 0;
  } catch (error) {
    const exists = error instanceof RemoteError && error.status === 409;
    if (!exists && !(error instanceof UsageError)) throw error;
    try {
      await client.put(`/api/integrations/credentials/${encodeURIComponent(name)}`, { json: { secrets, ...(hosts ? { hosts } : {}) }, subject });
    } catch (replaceError) {
      // Not ours to replace: the first answer (409: the name is the operator's; or the missing --provider) says why.
      if (replaceError instanceof RemoteError && replaceError.status === 404) throw error;
      throw replaceError;
    }
    io.err(`replaced the secret fields of credential ${name}\n`);
    return 0;
  }
}

interface Review {
  id: string;
  execution_id: string;
  node_id: string;
  graph_id: string;
  title: string;
  status: string;
  decisions: string[];
  data: unknown;
  expires_at: string | null;
}

/** What a server without the reviews API (release 2's human.review) answers, said plainly. */
function withoutReviews(client: RemoteClient, error: unknown): never {
  if (error instanceof RemoteError && error.status === 404 && / has no (GET|POST) /.test(error.message)) {
    throw new RemoteError(`${client.target.server} has no reviews API (GET /api/reviews): it runs a release without human.review. Upgrade the server.`, 404);
  }
  throw error;
}

export async function reviewsListCommand(client: RemoteClient, status: string | undefined, json: boolean, io: CliIo): Promise<number> {
  const page = await client.get<{ items: Review[] }>('/api/reviews', { query: { status } }).catch((error: unknown) => withoutReviews(client, error));
  if (json) io.out(JSON.stringify(page, null, 2) + '\n');
  else
    for (const r of page.items)
      io.out(`${r.id}  ${r.status.padEnd(9)}  ${r.graph_id}/${r.node_id}  ${brief(r.title, 60)}  decisions: ${r.decisions.join(', ')}\n`);
  if (!json && page.items.length === 0) io.err('no reviews\n');
  return 0;
}

export async function reviewsDecideCommand(client: RemoteClient, id: string, decision: string, comment: string | undefined, io: CliIo): Promise<number> {
  const decided = await client
    .post<Review>(`/api/reviews/${encodeURIComponent(id)}`, { json: { decision, ...(comment ? { comment } : {}) }, subject: `review ${id}` })
    .catch((error: unknown) => withoutReviews(client, error));
  io.out(`${decided.id} ${decided.status}\n`);
  return 0;
}
