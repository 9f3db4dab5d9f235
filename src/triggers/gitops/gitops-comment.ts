// The pull-request comment, pure: the validation result, the plan (Markdown) and a Mermaid diagram of each
// changed agent, under a hidden marker by which the next push finds and updates the same comment.
import type { AgentsPlan } from '../../agents/agents-plan.js';

export const COMMENT_MARKER = '<!-- trellis:gitops-plan -->';

export interface CommentInput {
  repository: string;
  sha: string;
  folder: string;
  plan: AgentsPlan;
  planMarkdown: string;
  diagrams: Array<{ name: string; mermaid: string }>;
}

export function renderPullRequestComment(input: CommentInput): string {
  const invalid = input.plan.agents.filter((e) => e.action === 'invalid');
  const errors = invalid.reduce((n, e) => n + e.problems.filter((p) => p.severity === 'error').length, 0);
  const verdict = invalid.length
    ? `❌ **Validation failed**: ${invalid.length} invalid agent file${invalid.length === 1 ? '' : 's'} (${errors} error${errors === 1 ? '' : 's'}); a sync would skip ${invalid.length === 1 ? 'it' : 'them'} and keep the last good version. Fix the problems below.`
    : '✅ **Validation passed**: every agent file in the folder is valid.';
  const lines = [COMMENT_MARKER, `Trellis checked \`${input.folder}\` at ${input.sha.slice(0, 12)}.`, '', verdict, '', input.planMarkdown.trim(), ''];
  for (const { name, mermaid } of input.diagrams)
    lines.push(`<details><summary>Diagram of <code>${name}</code></summary>`, '', '```mermaid', mermaid.trim(), '```', '', '</details>', '');
  return lines.join('\n');
}

export function isOurComment(body: string | null | undefined): boolean {
  return typeof body === 'string' && body.includes(COMMENT_MARKER);
}
