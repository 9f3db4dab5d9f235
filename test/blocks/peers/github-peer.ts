// A local stand-in for GitHub's REST API (the routes our blocks use), answering GitHub's real shapes:
// JSON bodies, 201s, the diff media type, base64 contents, and its 401/404/422 and rate-limit answers.
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { sendJson, startHttpPeer, type HttpPeer, type RecordedRequest } from './http-peer.js';

export interface PeerIssue {
  title: string;
  body: string | null;
  labels: string[];
  comments: string[];
  pull: boolean;
}

export interface GithubPeer extends HttpPeer {
  /** The one repository that exists: `acme/app`. */
  issues: Map<number, PeerIssue>;
  files: Map<string, Buffer>;
  diffs: Map<number, string>;
  token: string;
  /** Answer every request with GitHub's 403 primary rate-limit answer. */
  rateLimited: boolean;
  /** Requests to hang forever (abort tests): a path prefix. */
  hangOn: string | null;
}

const DOCS = 'https://docs.github.com/rest';

export async function startGithubPeer(token = 'ghp_testtoken123'): Promise<GithubPeer> {
  let nextId = 5000;
  const html = (path: string) => `https://github.com/acme/app${path}`;
  const labelObjects = (names: string[]) =>
    names.map((name, i) => ({
      id: 100 + i,
      node_id: `LA_${i}`,
      url: `https://api.github.com/repos/acme/app/labels/${name}`,
      name,
      color: 'ededed',
      default: false,
      description: null,
    }));

  const peer = await startHttpPeer((req: RecordedRequest, res: ServerResponse) => {
    const url = new URL(req.url, 'http://github.test');
    const path = url.pathname;
    if (state.hangOn && path.startsWith(state.hangOn)) return;
    const auth = req.headers.authorization ?? '';
    if (auth.replace(/^(token|bearer) /i, '') !== state.token) {
      return sendJson(res, 401, { message: 'Bad credentials', documentation_url: DOCS, status: '401' });
    }
    if (state.rateLimited) {
      const reset = Math.floor(Date.now() / 1000) + 600;
      return sendJson(
        res,
        403,
        { message: 'API rate limit exceeded for user ID 1234.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' },
        {
          'x-ratelimit-limit': '5000',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(reset),
          'x-ratelimit-used': '5000',
          'x-ratelimit-resource': 'core',
        },
      );
    }
    const notFound = () => sendJson(res, 404, { message: 'Not Found', documentation_url: DOCS, status: '404' });
    const repo = /^\/repos\/([^/]+)\/([^/]+)(\/.*)$/.exec(path);
    if (!repo || repo[1] !== 'acme' || repo[2] !== 'app') return notFound();
    const rest = repo[3]!;
    let m: RegExpExecArray | null;

    if (req.method === 'POST' && rest === '/issues') {
      const body = req.json as { title?: string; body?: string; labels?: string[] };
      if (!body?.title?.trim()) {
        return sendJson(res, 422, {
          message: 'Validation Failed',
          errors: [{ resource: 'Issue', code: 'missing_field', field: 'title' }],
          documentation_url: DOCS,
          status: '422',
        });
      }
      const number = Math.max(0, ...state.issues.keys()) + 1;
      state.issues.set(number, { title: body.title, body: body.body ?? null, labels: body.labels ?? [], comments: [], pull: false });
      return sendJson(res, 201, {
        id: nextId++,
        node_id: 'I_x',
        number,
        title: body.title,
        body: body.body ?? null,
        state: 'open',
        labels: labelObjects(body.labels ?? []),
        html_url: html(`/issues/${number}`),
        url: `https://api.github.com/repos/acme/app/issues/${number}`,
      });
    }
    if ((m = /^\/issues\/(\d+)\/comments$/.exec(rest)) && req.method === 'POST') {
      const issue = state.issues.get(Number(m[1]));
      if (!issue) return notFound();
      const body = (req.json as { body?: string }).body ?? '';
      issue.comments.push(body);
      const id = nextId++;
      return sendJson(res, 201, {
        id,
        node_id: 'IC_x',
        body,
        html_url: html(`/${issue.pull ? 'pull' : 'issues'}/${m[1]}#issuecomment-${id}`),
        user: { login: 'trellis-bot', id: 1 },
        created_at: new Date().toISOString(),
        updated_at: new Date().toISOString(),
      });
    }
    if ((m = /^\/issues\/(\d+)\/labels$/.exec(rest)) && req.method === 'POST') {
      const issue = state.issues.get(Number(m[1]));
      if (!issue) return notFound();
      for (const label of (req.json as { labels: string[] }).labels) if (!issue.labels.includes(label)) issue.labels.push(label);
      return sendJson(res, 200, labelObjects(issue.labels));
    }
    if ((m = /^\/pulls\/(\d+)$/.exec(rest)) && req.method === 'GET') {
      const number = Number(m[1]);
      const issue = state.issues.get(number);
      if (!issue?.pull) return notFound();
      if (/application\/vnd\.github(\.v3)?\.diff/.test(req.headers.accept ?? '')) {
        const diff = state.diffs.get(number) ?? '';
        res.writeHead(200, { 'content-type': 'application/vnd.github.diff; charset=utf-8', 'content-length': Buffer.byteLength(diff) });
        return void res.end(diff);
      }
      return sendJson(res, 200, {
        id: 900 + number,
        number,
        state: 'open',
        title: issue.title,
        body: issue.body,
        user: { login: 'octocat', id: 1 },
        labels: labelObjects(issue.labels),
        head: { ref: 'feature', sha: 'a'.repeat(40) },
        base: { ref: 'main', sha: 'b'.repeat(40) },
        additions: 120,
        deletions: 30,
        changed_files: 4,
        html_url: html(`/pull/${number}`),
      });
    }
    if ((m = /^\/contents\/(.+)$/.exec(rest)) && req.method === 'GET') {
      const filePath = decodeURIComponent(m[1]!);
      const ref = url.searchParams.get('ref') ?? 'main';
      if (state.files.has(filePath + '/')) {
        return sendJson(res, 200, [{ type: 'file', name: 'a.md', path: `${filePath}/a.md`, sha: 'c'.repeat(40), size: 3 }]);
      }
      const content = state.files.get(ref === 'main' ? filePath : `${filePath}@${ref}`);
      if (!content) return notFound();
      const sha = createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
      if (/application\/vnd\.github(\.v3)?\.raw/.test(req.headers.accept ?? '')) {
        res.writeHead(200, { 'content-type': 'application/vnd.github.raw', 'content-length': content.length });
        return void res.end(content);
      }
      const large = content.length > 1024 * 1024;
      const base64 = content.toString('base64').replace(/(.{60})/g, '$1\n');
      return sendJson(res, 200, {
        type: 'file',
        encoding: large ? 'none' : 'base64',
        size: content.length,
        name: filePath.split('/').pop(),
        path: filePath,
        content: large ? '' : base64,
        sha,
        url: `https://api.github.com/repos/acme/app/contents/${filePath}?ref=${ref}`,
        html_url: html(`/blob/${ref}/${filePath}`),
      });
    }
    return notFound();
  });
  const state: GithubPeer = Object.assign(peer, {
    issues: new Map<number, PeerIssue>(),
    files: new Map<string, Buffer>(),
    diffs: new Map<number, string>(),
    token,
    rateLimited: false,
    hangOn: null as string | null,
  });
  return state;
}
