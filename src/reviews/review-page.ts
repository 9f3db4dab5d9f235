// The small HTML page of a review link (release-2.md section 3): title, body, data, and approve / reject
// buttons that POST back to the same link. Everything the agent wrote is escaped: the body is Markdown
// rendered without raw HTML, images become links, and links are http(s) only with rel="noreferrer noopener".
import type { ReviewRow } from './reviews.repository.js';

/** The headers of every answer of a review link (page, decision, 404). */
export const REVIEW_PAGE_HEADERS: Record<string, string> = {
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
};

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
pre{background:#f4f4f4;padding:.75rem;overflow:auto}button{font-size:1rem;padding:.5rem 1.25rem;margin-right:.75rem}
label{display:block;margin:1rem 0 .25rem}textarea{width:100%;min-height:4rem}`;

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Inline Markdown on escaped text: code, bold, italic, links (http(s) only) and images (as links). */
function inline(raw: string): string {
  const codes: string[] = [];
  // Placeholders are private-use characters, removed from the text first so none can be forged.
  let text = raw
    .replace(/[\uE000\uE001]/g, '')
    .replace(/`([^`]+)`/g, (_m, code: string) => `\uE000${codes.push(`<code>${escapeHtml(code)}</code>`) - 1}\uE000`);
  const links: string[] = [];
  text = text.replace(/(!?)\[([^\]]*)\]\(([^)\s]+)\)/g, (_m, bang: string, label: string, url: string) => {
    const shown = bang ? `image: ${label || url}` : label;
    if (!/^https?:\/\//i.test(url)) return `\uE001${links.push(escapeHtml(shown)) - 1}\uE001`;
    return `\uE001${links.push(`<a href="${escapeHtml(url)}" rel="noreferrer noopener">${escapeHtml(shown)}</a>`) - 1}\uE001`;
  });
  text = escapeHtml(text)
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/\*([^*]+)\*/g, '<em>$1</em>');
  return text.replace(/\uE001(\d+)\uE001/g, (_m, i: string) => links[Number(i)]!).replace(/\uE000(\d+)\uE000/g, (_m, i: string) => codes[Number(i)]!);
}

/** Markdown to HTML with no raw HTML: headings, paragraphs, lists, fenced code, and the inline forms above. */
export function renderMarkdown(markdown: string): string {
  const out: string[] = [];
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  let paragraph: string[] = [];
  let list: string[] = [];
  const flush = () => {
    if (paragraph.length) out.push(`<p>${inline(paragraph.join(' '))}</p>`);
    if (list.length) out.push(`<ul>${list.map((item) => `<li>${inline(item)}</li>`).join('')}</ul>`);
    paragraph = [];
    list = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('```')) {
      flush();
      const code: string[] = [];
      while (++i < lines.length && !lines[i]!.startsWith('```')) code.push(lines[i]!);
      out.push(`<pre><code>${escapeHtml(code.join('\n'))}</code></pre>`);
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    const item = /^\s*[-*]\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      const level = Math.min(6, heading[1]!.length + 1);
      out.push(`<h${level}>${inline(heading[2]!)}</h${level}>`);
    } else if (item) {
      if (paragraph.length) flush();
      list.push(item[1]!);
    } else if (line.trim() === '') flush();
    else {
      if (list.length) flush();
      paragraph.push(line.trim());
    }
  }
  flush();
  return out.join('\n');
}

function page(title: string, main: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main>${main}</main></body></html>`;
}

/** The review with approve / reject buttons (edit stays API-only); the form posts to the same link. */
export function reviewPage(row: ReviewRow, action: string): string {
  const buttons = row.decisions
    .filter((d) => d === 'approve' || d === 'reject')
    .map((d) => `<button type="submit" name="decision" value="${d}">${d === 'approve' ? 'Approve' : 'Reject'}</button>`)
    .join('');
  return page(
    row.title,
    `<h1>${escapeHtml(row.title)}</h1>
<p>Agent <strong>${escapeHtml(row.graph_id)}</strong>, node <code>${escapeHtml(row.node_id)}</code>; open until ${escapeHtml(new Date(row.expires_at).toISOString())}.</p>
<section aria-label="Details">${renderMarkdown(row.body)}</section>
<h2>Data</h2><pre><code>${escapeHtml(JSON.stringify(row.data ?? null, null, 2))}</code></pre>
<form method="post" action="${escapeHtml(action)}"><label for="comment">Comment (optional)</label><textarea id="comment" name="comment" maxlength="10000"></textarea><p>${buttons}</p></form>`,
  );
}

export function decidedPage(status: string): string {
  return page('Review decided', `<h1>Thank you</h1><p role="status">The review is ${escapeHtml(status)}.</p>`);
}

export function notFoundPage(): string {
  return page('Not found', '<h1>Not found</h1><p>This review link is unknown, or the review is closed.</p>');
}
