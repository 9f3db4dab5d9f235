// A local GitHub REST server for the GitOps tests and bench, backed by a real bare repository: pulls, git
// trees and blobs (read with the git binary), check runs, issue comments (with their author), commit
// statuses, the authenticated user, and GitHub App installation tokens minted for a JWT signed by the app's
// key. It answers GitHub's shapes and limits (50 annotations per request, 65,535-character outputs) and
// records every request, so tests count calls and see exactly what was written.
import { execFileSync } from 'node:child_process';
import { createVerify, randomBytes, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { applyCheckUpdate, checkRunJson, type CheckRun } from './github-checks.js';
import { commitFile, fileSha, refSha, updateRef } from './github-git.js';

export interface FakeApp {
  id: number;
  slug: string;
  publicKey: KeyObject;
  installationId: number;
  /** How long a minted installation token lives (GitHub: one hour). */
  tokenLifetimeMs?: number;
}

export interface PullState {
  number: number;
  state: 'open' | 'closed';
  head: { sha: string; ref: string };
  base: { sha: string; ref: string };
}

export interface IssueComment {
  id: number;
  issue: number;
  body: string;
  user: { login: string; type: string };
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
}

type Json = Record<string, unknown>;

export type { Annotation, CheckRun } from './github-checks.js';

export class FakeGithub {
  readonly requests: RecordedRequest[] = [];
  readonly pulls = new Map<number, PullState>();
  readonly comments: IssueComment[] = [];
  readonly checkRuns: CheckRun[] = [];
  /** Pull requests opened through the API. */
  readonly opened: Array<{ number: number; title: string; body: string; head: string; base: string }> = [];
  readonly statuses: Array<{ sha: string; state: string; context: string; description: string }> = [];
  /** Installation tokens minted: token -> expiry. */
  readonly installationTokens = new Map<string, number>();
  private server: Server | null = null;
  private nextId = 1000;
  private blobCache = new Map<string, Buffer>();

  constructor(
    readonly fullName: string,
    private readonly bareDir: string,
    /** Personal tokens and the login each belongs to. */
    private readonly tokens: Record<string, string>,
    private readonly app?: FakeApp,
  ) {}

  /** Where it listens (after listen()). */
  baseUrl = '';

  async listen(): Promise<string> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        const answer = () => {
          try {
            this.route(req, res, body);
          } catch (error) {
            send(res, 500, { message: String(error) });
          }
        };
        const barrier = this.barrier;
        if (!barrier || !barrier.path.test(`${req.method} ${req.url}`)) return answer();
        barrier.held.push(answer);
        if (barrier.held.length >= barrier.count) this.releaseBarrier();
        else barrier.timer ??= setTimeout(() => this.releaseBarrier(), barrier.ms);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  /**
   * Holds requests matching `path` ("METHOD /url") until `count` of them are waiting, or `ms` passed since the
   * first: lets a test line up two clients' reads, so a missing lock between them shows as a race.
   */
  holdUntil(path: RegExp, count: number, ms: number): void {
    this.barrier = { path, count, ms, held: [], timer: null };
  }

  private barrier: { path: RegExp; count: number; ms: number; held: Array<() => void>; timer: NodeJS.Timeout | null } | null = null;

  private releaseBarrier(): void {
    if (!this.barrier) return;
    if (this.barrier.timer) clearTimeout(this.barrier.timer);
    const held = this.barrier.held;
    this.barrier.held = [];
    this.barrier.timer = null;
    for (const answer of held) answer();
  }

  async close(): Promise<void> {
    this.barrier = null;
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** Requests whose path starts with the repository's `/repos/<owner>/<name>` + `suffix`. */
  count(method: string, suffix = ''): number {
    return this.requests.filter((r) => r.method === method && r.path.startsWith(`/repos/${this.fullName}${suffix}`)).length;
  }

  private login(req: IncomingMessage): { login: string; type: string; app: boolean } | null {
    const [scheme, token] = (req.headers.authorization ?? '').split(' ');
    if (!token || !/^(token|bearer)$/i.test(scheme ?? '')) return null;
    if (this.tokens[token]) return { login: this.tokens[token], type: 'User', app: false };
    const expiry = this.installationTokens.get(token);
    if (this.app && expiry !== undefined && expiry > Date.now()) return { login: `${this.app.slug}[bot]`, type: 'Bot', app: true };
    return null;
  }

  /** A JWT signed (RS256) by the app's private key, issued by the app id, not expired, at most 10 minutes long. */
  private appJwt(req: IncomingMessage): boolean {
    const token = (req.headers.authorization ?? '').replace(/^bearer /i, '');
    const [header, payload, signature] = token.split('.');
    if (!this.app || !header || !payload || !signature) return false;
    const verifier = createVerify('RSA-SHA256').update(`${header}.${payload}`);
    if (!verifier.verify(this.app.publicKey, Buffer.from(signature, 'base64url'))) return false;
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { iss?: unknown; exp?: number; iat?: number };
    const now = Math.floor(Date.now() / 1000);
    return String(claims.iss) === String(this.app.id) && (claims.exp ?? 0) > now && (claims.exp ?? 0) - (claims.iat ?? 0) <= 660;
  }

  private route(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const url = new URL(req.url!, 'http://github.local');
    const method = req.method ?? 'GET';
    this.requests.push({ method, path: url.pathname, query: url.search });
    const body = (raw ? JSON.parse(raw) : {}) as Json;
    const path = url.pathname;

    if (path.startsWith('/app') || path === `/repos/${this.fullName}/installation`) return this.routeApp(req, res, method, path);
    const who = this.login(req);
    if (!who) return send(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    if (method === 'GET' && path === '/user')
      return who.app ? send(res, 403, { message: 'Resource not accessible by integration' }) : send(res, 200, { login: who.login, type: who.type });
    const prefix = `/repos/${this.fullName}`;
    if (!path.toLowerCase().startsWith(prefix.toLowerCase())) return send(res, 404, { message: 'Not Found' });
    const rest = path.slice(prefix.length);
    let m: RegExpExecArray | null;

    if (method === 'GET' && (m = /^\/pulls\/(\d+)$/.exec(rest))) {
      const pull = this.pulls.get(Number(m[1]));
      return pull ? send(res, 200, { ...pull, url: `${prefix}/pulls/${pull.number}` }) : send(res, 404, { message: 'Not Found' });
    }
    if (method === 'GET' && (m = /^\/git\/trees\/(.+)$/.exec(rest))) return this.tree(res, decodeURIComponent(m[1]!), url.searchParams.has('recursive'));
    if (method === 'GET' && (m = /^\/git\/blobs\/([0-9a-f]{40})$/.exec(rest))) {
      const blob = this.blobs([m[1]!]).get(m[1]!);
      if (!blob) return send(res, 404, { message: 'Not Found' });
      return send(res, 200, { sha: m[1], size: blob.length, encoding: 'base64', content: blob.toString('base64') });
    }
    if (rest === '/check-runs' && method === 'POST') {
      if (!who.app) return send(res, 403, { message: 'You must authenticate via a GitHub App.' });
      const run: CheckRun = {
        id: this.nextId++,
        name: String(body.name),
        head_sha: String(body.head_sha),
        status: 'queued',
        conclusion: null,
        output: { title: null, summary: null, text: null },
        annotations: [],
        app: { slug: this.app!.slug },
      };
      const error = applyCheckUpdate(run, body);
      if (error) return send(res, 422, { message: error });
      this.checkRuns.push(run);
      return send(res, 201, checkRunJson(run));
    }
    if (method === 'PATCH' && (m = /^\/check-runs\/(\d+)$/.exec(rest))) {
      const run = this.checkRuns.find((r) => r.id === Number(m![1]));
      if (!run) return send(res, 404, { message: 'Not Found' });
      if (!who.app) return send(res, 403, { message: 'You must authenticate via a GitHub App.' });
      const error = applyCheckUpdate(run, body);
      return error ? send(res, 422, { message: error }) : send(res, 200, checkRunJson(run));
    }
    if (method === 'GET' && (m = /^\/commits\/([^/]+)\/check-runs$/.exec(rest))) {
      const name = url.searchParams.get('check_name');
      const runs = this.checkRuns.filter((r) => r.head_sha === m![1] && (!name || r.name === name)).reverse();
      return send(res, 200, { total_count: runs.length, check_runs: runs.map(checkRunJson) });
    }
    if ((m = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      const issue = Number(m[1]);
      if (method === 'GET')
        return send(
          res,
          200,
          this.comments.filter((c) => c.issue === issue),
        );
      const comment: IssueComment = { id: this.nextId++, issue, body: String(body.body), user: { login: who.login, type: who.type } };
      this.comments.push(comment);
      return send(res, 201, comment);
    }
    if ((m = /^\/issues\/comments\/(\d+)$/.exec(rest))) {
      const comment = this.comments.find((c) => c.id === Number(m![1]));
      if (!comment) return send(res, 404, { message: 'Not Found' });
      if (comment.user.login !== who.login) return send(res, 403, { message: 'Must have admin rights to Repository.' });
      if (method === 'PATCH') {
        comment.body = String(body.body);
        return send(res, 200, comment);
      }
      if (method === 'DELETE') {
        this.comments.splice(this.comments.indexOf(comment), 1);
        res.writeHead(204).end();
        return;
      }
    }
    if (method === 'GET' && (m = /^\/git\/ref\/(heads\/.+)$/.exec(decodeURIComponent(rest)))) {
      const sha = refSha(this.bareDir, `refs/${m[1]}`);
      return sha ? send(res, 200, { ref: `refs/${m[1]}`, object: { sha, type: 'commit' } }) : send(res, 404, { message: 'Not Found' });
    }
    if (method === 'POST' && rest === '/git/refs') {
      if (refSha(this.bareDir, String(body.ref))) return send(res, 422, { message: 'Reference already exists' });
      updateRef(this.bareDir, String(body.ref), String(body.sha));
      return send(res, 201, { ref: body.ref, object: { sha: body.sha, type: 'commit' } });
    }
    if ((m = /^\/contents\/(.+)$/.exec(rest))) {
      const path = decodeURIComponent(m[1]!);
      if (method === 'GET') {
        const sha = fileSha(this.bareDir, url.searchParams.get('ref') ?? 'HEAD', path);
        if (!sha) return send(res, 404, { message: 'Not Found' });
        return send(res, 200, { type: 'file', path, sha, encoding: 'base64', content: this.blobs([sha]).get(sha)!.toString('base64') });
      }
      if (method === 'PUT') {
        if (fileSha(this.bareDir, `refs/heads/${String(body.branch)}`, path) && !body.sha) return send(res, 422, { message: '"sha" wasn\'t supplied.' });
        const text = Buffer.from(String(body.content), 'base64').toString('utf8');
        const commit = commitFile(this.bareDir, String(body.branch), path, text, String(body.message));
        return send(res, 201, { content: { path, sha: fileSha(this.bareDir, commit, path) }, commit: { sha: commit } });
      }
    }
    if (method === 'POST' && rest === '/pulls') {
      const head = refSha(this.bareDir, `refs/heads/${String(body.head)}`);
      const base = refSha(this.bareDir, `refs/heads/${String(body.base)}`);
      if (!head || !base) return send(res, 422, { message: 'Validation Failed: head or base does not exist' });
      const number = this.nextId++;
      this.pulls.set(number, { number, state: 'open', head: { sha: head, ref: String(body.head) }, base: { sha: base, ref: String(body.base) } });
      this.opened.push({ number, title: String(body.title), body: String(body.body), head: String(body.head), base: String(body.base) });
      return send(res, 201, { number, html_url: `https://github.com/${this.fullName}/pull/${number}`, state: 'open' });
    }
    if (method === 'POST' && (m = /^\/statuses\/([0-9a-f]{40})$/.exec(rest))) {
      const status = { sha: m[1]!, state: String(body.state), context: String(body.context ?? 'default'), description: String(body.description ?? '') };
      if (!['error', 'failure', 'pending', 'success'].includes(status.state)) return send(res, 422, { message: 'Validation Failed' });
      if (status.description.length > 140) return send(res, 422, { message: 'description is too long (maximum is 140 characters)' });
      this.statuses.push(status);
      return send(res, 201, { id: this.nextId++, ...status });
    }
    send(res, 404, { message: `Not Found (no route ${method} ${path})` });
  }

  private routeApp(req: IncomingMessage, res: ServerResponse, method: string, path: string): void {
    if (!this.appJwt(req)) return send(res, 401, { message: 'A JSON web token could not be decoded' });
    const app = this.app!;
    if (method === 'GET' && path === '/app') return send(res, 200, { id: app.id, slug: app.slug, name: app.slug });
    if (method === 'GET' && path === `/repos/${this.fullName}/installation`) return send(res, 200, { id: app.installationId, app_id: app.id });
    if (method === 'POST' && path === `/app/installations/${app.installationId}/access_tokens`) {
      const token = `ghs_${randomBytes(18).toString('hex')}`;
      const expires = Date.now() + (app.tokenLifetimeMs ?? 3_600_000);
      this.installationTokens.set(token, expires);
      return send(res, 201, { token, expires_at: new Date(expires).toISOString().replace(/\.\d{3}Z$/, 'Z'), permissions: { checks: 'write' } });
    }
    send(res, 404, { message: 'Not Found' });
  }

  private tree(res: ServerResponse, ref: string, recursive: boolean): void {
    let listing: string;
    try {
      const args = ['ls-tree', '-z', '-l', '--full-tree', ...(recursive ? ['-r', '-t'] : []), ref];
      listing = execFileSync('git', args, { cwd: this.bareDir, encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      return send(res, 404, { message: 'Not Found' });
    }
    const sha = execFileSync('git', ['rev-parse', `${ref}^{tree}`], { cwd: this.bareDir, encoding: 'utf8' }).trim();
    const tree = listing
      .split('\0')
      .filter(Boolean)
      .map((line) => {
        const [meta, path] = line.split('\t') as [string, string];
        const [mode, type, object, size] = meta.split(/\s+/) as [string, string, string, string];
        return { path, mode, type, sha: object, ...(type === 'blob' ? { size: Number(size) } : {}), url: `/repos/${this.fullName}/git/${type}s/${object}` };
      });
    send(res, 200, { sha, url: `/repos/${this.fullName}/git/trees/${sha}`, tree, truncated: false });
  }

  private blobs(shas: string[]): Map<string, Buffer> {
    const missing = shas.filter((sha) => !this.blobCache.has(sha));
    if (missing.length) {
      const out = execFileSync('git', ['cat-file', '--batch'], { cwd: this.bareDir, input: `${missing.join('\n')}\n`, maxBuffer: 1 << 30 });
      let at = 0;
      while (at < out.length) {
        const eol = out.indexOf(10, at);
        const [sha, type, size] = out.subarray(at, eol).toString('utf8').split(' ');
        at = eol + 1;
        if (type !== 'blob') continue;
        this.blobCache.set(sha!, Buffer.from(out.subarray(at, at + Number(size))));
        at += Number(size) + 1;
      }
    }
    return new Map(shas.filter((sha) => this.blobCache.has(sha)).map((sha) => [sha, this.blobCache.get(sha)!]));
  }
}

function send(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(value));
}
