// Pull-request and push feedback, pure: the comment (validation result, plan, Mermaid diagram of each changed
// agent, under a hidden marker by which the next push finds and updates it) and the check run (conclusion,
// summary with the plan, the diagrams, one annotation per problem at its file, line and column). Both fit
// GitHub's limits (65,535 characters): a plan too long is cut with a note saying how to see it whole.
import type { AgentsPlan } from '../../agents/agents-plan.js';
import type { CheckAnnotation, CheckRunWrite } from './gitops-github.client.js';

export const COMMENT_MARKER = '<!-- trellis:gitops-plan -->';
/** The check run on pull-request heads, and the one (or the commit status context) on pushed commits. */
export const PR_CHECK_NAME = 'Trellis agents plan';
export const PUSH_CHECK_NAME = 'Trellis agents sync';
/** GitHub refuses a comment body, check summary or text past 65,535 characters; keep a margin for the frame. */
const MAX_PART = 60_000;
/** How much of a plan's Markdown to render for a check or comment: past MAX_PART it is cut anyway (renderPlanMarkdown's maxChars). */
export const PLAN_MARKDOWN_LIMIT = MAX_PART + 10_000;
/**
 * Past this many new versions, a pull request's plan leaves out what changed and the credits: each changing
 * agent's table row is at least 33 characters, so the table alone passes PLAN_MARKDOWN_LIMIT and the check and
 * the comment are cut before the credits and the details would start.
 */
export const DETAILED_VERSIONS = 2_500;

export interface FeedbackInput {
  sha: string;
  folder: string;
  plan: AgentsPlan;
  planMarkdown: string;
  diagrams: Array<{ name: string; mermaid: string }>;
  /** Changed agents drawn in no diagram (past the first few). */
  diagramsLeftOut?: number;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Text cut at `max` characters on a line end, with a note on what was left out. */
export function fitted(text: string, max = MAX_PART): string {
  if (text.length <= max) return text;
  const cut = text.lastIndexOf('\n', max - 200);
  return `${text.slice(0, cut > 0 ? cut : max - 200)}\n\n_… cut here: GitHub takes at most 65,535 characters. The whole plan: \`trellis plan\` or GET /api/agents/plan._\n`;
}

function invalidCount(plan: AgentsPlan): { files: number; errors: number; integrations: number } {
  const invalid = plan.agents.filter((e) => e.action === 'invalid');
  const integrations = (plan.integrations ?? []).filter((e) => e.action === 'invalid');
  const errors = [...invalid, ...integrations].reduce((n, e) => n + e.problems.filter((p) => p.severity === 'error').length, 0);
  return { files: invalid.length, errors, integrations: integrations.length };
}

export function verdictLine(plan: AgentsPlan): string {
  const { files, errors, integrations } = invalidCount(plan);
  if (!files && integrations)
    return `❌ **Validation failed**: ${plural(integrations, 'invalid integration')} (${plural(errors, 'error')}); a sync would keep ${integrations === 1 ? 'its' : 'their'} last good version. Fix the problems below.`;
  const also = integrations ? ` ${plural(integrations, 'integration')} too.` : '';
  return files
    ? `❌ **Validation failed**: ${plural(files, 'invalid agent file')} (${plural(errors, 'error')}); a sync would skip ${files === 1 ? 'it' : 'them'} and keep the last good version.${also} Fix the problems below.`
    : '✅ **Validation passed**: every agent file in the folder is valid.';
}

function diagramSections({ diagrams, diagramsLeftOut }: FeedbackInput): string {
  const lines: string[] = [];
  for (const { name, mermaid } of diagrams)
    lines.push(`<details><summary>Diagram of <code>${name}</code></summary>`, '', '```mermaid', mermaid.trim(), '```', '', '</details>', '');
  if (diagramsLeftOut) lines.push(`_… and ${plural(diagramsLeftOut, 'more changed agent')} not drawn here: \`trellis render <agent>\` draws one._`, '');
  return lines.join('\n');
}

export function renderPullRequestComment(input: FeedbackInput): string {
  const head = [COMMENT_MARKER, `Trellis checked \`${input.folder}\` at ${input.sha.slice(0, 12)}.`, '', verdictLine(input.plan), ''].join('\n');
  const plan = fitted(input.planMarkdown.trim(), MAX_PART - head.length);
  const diagrams = diagramSections(input);
  const room = MAX_PART + 5_000 - head.length - plan.length;
  return `${head}\n${plan}\n\n${diagrams.length <= room ? diagrams : `_${plural(input.diagrams.length, 'diagram')} left out: the comment would pass GitHub's size limit._\n`}`;
}

/** The comment left when a later push makes the pull request stop touching the folder. */
export function renderNoLongerTouchingComment(folder: string, sha: string): string {
  return [COMMENT_MARKER, `Trellis: as of ${sha.slice(0, 12)} this pull request no longer changes \`${folder}/\`; nothing to plan.`, ''].join('\n');
}

/**
 * One annotation per problem, at its file (relative to the repository: `folder` is the agents folder's path
 * in it) and line, and column, which GitHub takes on one line only.
 */
export function annotations(plan: AgentsPlan, folder: string): CheckAnnotation[] {
  const found: CheckAnnotation[] = [];
  for (const entry of plan.agents) {
    if (!entry.file) continue;
    for (const problem of entry.problems) {
      const line = problem.line ?? 1;
      found.push({
        path: `${folder}/${entry.file}`,
        start_line: line,
        end_line: line,
        ...(problem.column !== undefined ? { start_column: problem.column, end_column: problem.column } : {}),
        annotation_level: problem.severity === 'error' ? 'failure' : 'warning',
        title: `${entry.name}: ${problem.severity}`,
        message: problem.message,
      });
    }
  }
  return found;
}

/** The check run of a pull request's head: failure when a file is invalid, success otherwise. */
export function renderPullRequestCheck(input: FeedbackInput): CheckRunWrite {
  const { files, errors, integrations } = invalidCount(input.plan);
  const failed = [files ? plural(files, 'invalid agent file') : '', integrations ? plural(integrations, 'invalid integration') : ''].filter(Boolean);
  const title = failed.length ? `${failed.join(', ')}, ${plural(errors, 'error')}` : 'Every agent file is valid';
  const summary = fitted(`${verdictLine(input.plan)}\n\n${input.planMarkdown.trim()}\n`);
  const text = input.diagrams.length ? fitted(diagramSections(input)) : undefined;
  return {
    status: 'completed',
    conclusion: files || integrations ? 'failure' : 'success',
    title,
    summary,
    ...(text ? { text } : {}),
    annotations: annotations(input.plan, input.folder),
  };
}

/** A push's result on the pushed commit: what was synced, and each skipped file with its problems. */
export function renderPushCheck(plan: AgentsPlan, folder: string, status: 'applied' | 'skipped', reason: string | null, planMarkdown: string): CheckRunWrite {
  const skipped = plan.agents.filter((e) => e.action === 'invalid');
  const title =
    status === 'skipped' ? 'Not synced' : skipped.length ? `Synced; ${plural(skipped.length, 'invalid file')} skipped (last good version kept)` : 'Synced';
  const head = status === 'skipped' ? `⚠️ **Not synced:** ${reason ?? ''}` : verdictLine(plan);
  return {
    status: 'completed',
    conclusion: status === 'skipped' ? 'neutral' : skipped.length ? 'failure' : 'success',
    title,
    summary: fitted(`${head}\n\n${planMarkdown.trim()}\n`),
    annotations: annotations(plan, folder),
  };
}

/** The one-line form of a push's result, for a commit status (140 characters) and the log. */
export function pushStatusLine(plan: AgentsPlan, folder: string, status: 'applied' | 'skipped'): string {
  if (status === 'skipped') return 'Trellis did not sync this commit (see the server log)';
  const skipped = plan.agents.filter((e) => e.action === 'invalid').map((e) => (e.file ? `${folder}/${e.file}` : e.name));
  if (!skipped.length) return `Synced: ${plan.summary.create} created, ${plan.summary.update} updated, ${plan.summary.remove} removed`;
  return `Synced; ${plural(skipped.length, 'invalid file')} skipped: ${skipped.join(', ')}`;
}
