// n8n nodes that reach other services and have a block here: HTTP Request, Slack, Send Email, GitHub (and its
// trigger), Execute Workflow. Credentials become names (n8n exports hold no secrets); headers that carry one
// are never written.
import { agentNameOf, escapeExpressions } from './import.helpers.js';
import type { N8nMapped, N8nNodeContext, N8nUnmapped } from './n8n.context.js';
import { convertParameter } from './n8n.expressions.js';

const asList = (value: unknown): Array<Record<string, unknown>> => (Array.isArray(value) ? (value as Array<Record<string, unknown>>) : []);
const inputRef = (context: N8nNodeContext) => context.scope.input?.[0] ?? null;

export function httpRequest(context: N8nNodeContext): (N8nMapped & { gate?: string }) | N8nUnmapped {
  const p = context.params;
  const id = context.take();
  context.add(id, { block: 'http.request', inputs: { method: String(p.method ?? p.requestMethod ?? 'GET').toUpperCase() } });
  context.set(id, 'url', p.url, 'url', true);
  const pairs = (value: unknown, what: string) => {
    const out: Record<string, unknown> = {};
    for (const entry of asList((value as { parameters?: unknown } | undefined)?.parameters)) {
      const name = String(entry.name ?? '');
      const converted = convertParameter(entry.value, context.scope);
      if (converted.kind !== 'constant') {
        context.lost.push(`${what} "${name}" is an expression; set it by hand`);
        continue;
      }
      if (/^(authorization|x-api-key|cookie|api[_-]?key|token)$/i.test(name))
        context.lost.push(`${what} "${name}" held a secret: its value was not written; use a credential`);
      else out[name] = converted.value;
    }
    return out;
  };
  const headers = p.sendHeaders ? pairs(p.headerParameters, 'header') : {};
  const query = p.sendQuery ? pairs(p.queryParameters, 'query parameter') : {};
  if (Object.keys(headers).length) context.nodes[id]!.inputs!.headers = escapeExpressions(headers);
  if (Object.keys(query).length) context.nodes[id]!.inputs!.query = escapeExpressions(query);
  if (p.sendBody) {
    if (p.specifyBody === 'json' && typeof p.jsonBody === 'string') {
      if (p.jsonBody.startsWith('=')) context.set(id, 'body', p.jsonBody, 'jsonBody', true);
      else {
        try {
          context.nodes[id]!.inputs!.json = escapeExpressions(JSON.parse(p.jsonBody));
        } catch {
          context.set(id, 'body', p.jsonBody, 'jsonBody', true);
        }
      }
    } else {
      const body = pairs(p.bodyParameters, 'body field');
      context.nodes[id]!.inputs!.json = escapeExpressions(body);
    }
  }
  if (p.authentication && p.authentication !== 'none') {
    const name = context.credential('auth', 'an http credential: api_key (sent as Bearer), user_password (Basic) or header (a custom header), with hosts');
    if (name) context.nodes[id]!.credentials = { auth: name };
  }
  return { id, outputs: [[{ ref: `${id}.json`, prefix: [] }]], gate: 'url' };
}

export function slack(context: N8nNodeContext): (N8nMapped & { gate?: string }) | N8nUnmapped {
  const p = context.params;
  if ((p.resource ?? 'message') !== 'message' || !['post', undefined].includes(p.operation as string | undefined)) {
    return {
      reasons: [`Slack ${String(p.resource)}.${String(p.operation)} has no equivalent (slack.post posts a message)`],
      todo: 'use http.request against the Slack API with a credential',
    };
  }
  const id = context.take();
  context.add(id, { block: 'slack.post' });
  let text: unknown = p.text;
  const attachments = asList(p.attachments);
  if ((text === undefined || text === '') && attachments.length) {
    const pieces = attachments.flatMap((a) => [a.title, a.text]).filter((t) => typeof t === 'string' && t !== '') as string[];
    text = pieces.some((t) => t.startsWith('=')) ? `=${pieces.map((t) => t.replace(/^=/, '')).join('\n')}` : pieces.join('\n');
    context.lost.push('its attachments became plain text (title and text); colours, images and fields were left out');
  }
  context.set(id, 'text', text, 'text', true);
  if (p.channel) context.lost.push(`channel "${String(p.channel)}": slack.post posts to the incoming webhook's own channel`);
  const name = context.credential('webhook', 'a Slack incoming-webhook URL (secret_url), not a bot token', 'slackApi');
  context.nodes[id]!.credentials = { webhook: name ?? 'slack-webhook' };
  if (!name) context.lost.push('it had no credential: the agent names "slack-webhook"');
  return { id, outputs: [[{ ref: `${id}.ok`, prefix: ['ok'] }]], gate: 'text' };
}

export function email(context: N8nNodeContext): (N8nMapped & { gate?: string }) | N8nUnmapped {
  const p = context.params;
  const id = context.take();
  context.add(id, { block: 'email.send' });
  context.set(id, 'from', p.fromEmail, 'fromEmail');
  context.set(id, 'to', p.toEmail, 'toEmail', true);
  context.set(id, 'subject', p.subject ?? '', 'subject', true);
  if (p.html || p.emailFormat === 'html') context.set(id, 'html', p.html, 'html');
  context.set(id, 'body', p.text ?? p.message ?? '', 'text');
  const name = context.credential('smtp', 'an smtp credential');
  context.nodes[id]!.credentials = { smtp: name ?? 'smtp' };
  return { id, outputs: [[{ ref: `${id}.message_id`, prefix: ['messageId'] }]], gate: 'subject' };
}

export function github(context: N8nNodeContext): (N8nMapped & { gate?: string }) | N8nUnmapped {
  const p = context.params;
  const repository = (owner: unknown, repo: unknown) =>
    typeof owner === 'string' && typeof repo === 'string' && !owner.startsWith('=') && !repo.startsWith('=') ? `${owner}/${repo}` : null;
  const repo = repository(p.owner, p.repository);
  const id = context.take();
  const name = context.credential('github', 'a GitHub token (api_key)', 'githubApi');
  if (p.resource === 'issue' && (p.operation ?? 'create') === 'create') {
    context.add(id, { block: 'github.issue.create', inputs: repo ? { repository: repo } : {} });
    context.set(id, 'title', p.title, 'title', true);
    context.set(id, 'body', p.body, 'body');
    const labels = asList(p.labels)
      .map((l) => l.label)
      .filter((l) => typeof l === 'string');
    if (labels.length) context.nodes[id]!.inputs!.labels = labels;
  } else if (p.resource === 'issue' && p.operation === 'createComment') {
    context.add(id, { block: 'github.comment', inputs: repo ? { repository: repo } : {} });
    context.set(id, 'number', p.issueNumber, 'issueNumber', true);
    context.set(id, 'body', p.body, 'body', true);
  } else {
    return {
      reasons: [`GitHub ${String(p.resource)}.${String(p.operation)} has no block here`],
      todo: 'use http.request against the GitHub API, or a github-api integration (integrations/github.yaml)',
    };
  }
  if (!repo) context.blocker ??= 'its owner/repository are expressions: set repository (owner/name) by hand';
  if (name) context.nodes[id]!.credentials = { github: name };
  return { id, outputs: [[{ ref: `${id}.url`, prefix: ['html_url'] }]], gate: 'body' };
}

export function githubTrigger(context: N8nNodeContext): N8nMapped {
  const p = context.params;
  const id = context.take();
  const events = (Array.isArray(p.events) ? p.events : ['*']).map(String).filter((e) => e !== '*');
  const repo = typeof p.owner === 'string' && typeof p.repository === 'string' ? `${p.owner}/${p.repository}` : undefined;
  context.add(id, { block: 'trigger.github', inputs: { events: events.length ? events : ['push'], ...(repo ? { repository: repo } : {}) } });
  if (!events.length) context.lost.push('it listened to every event ("*"): the trigger lists "push"; list the events you need');
  context.lost.push('GitHub deliveries come to /webhooks/github with the configured webhook secret (no per-node credential)');
  return { id, outputs: [[{ ref: `${id}.payload`, prefix: ['body'] }]] };
}

export function executeWorkflow(context: N8nNodeContext): (N8nMapped & { gate?: string }) | N8nUnmapped {
  const p = context.params;
  const ref = p.workflowId as { cachedResultName?: string; value?: unknown } | string | undefined;
  const title = typeof ref === 'object' ? ref?.cachedResultName : undefined;
  const agent = title ? agentNameOf(title, '') : '';
  if (!agent || !context.knownAgents.has(agent)) {
    return {
      reasons: [
        `it runs another n8n workflow (${title ? `"${title}"` : `id ${JSON.stringify(typeof ref === 'object' ? ref?.value : ref)}`}) that is not an agent here yet`,
      ],
      todo: `import that workflow first (trellis import n8n <its file>)${agent ? ` as ${agent}` : ''}, then run this import again`,
    };
  }
  const id = context.take();
  context.add(id, { block: 'agent.run', inputs: { agent } });
  const item = inputRef(context);
  if (item) context.link(item.ref, `${id}.inputs.item`);
  context.lost.push(`the item goes to the child agent as its input "item"; its outputs come back on ${id}.outputs`);
  return { id, outputs: [[{ ref: `${id}.outputs`, prefix: [] }]] };
}
