// `${{ }}` at run time (release-2.md section 2): the block runner the platform injects, wrapped so that
// each attempt first evaluates the expressions of its node's constants against {vars, with, execution,
// trigger}, strips the reserved `with` pin, and then runs the block (whose own input check validates each
// result against its pin). Linear-time expressions are evaluated here (sandbox/linear-jsonata.ts); any
// other runs in the sandbox pool, bounded like all user computation. A failure is EXPRESSION_FAILED,
// naming the path; links never carry expressions (a value that arrives with `${{` stays text).
import jsonata from 'jsonata';
import { expressionPins, isUriPin } from '../blocks/block-expressions.js';
import type { BlockContext, BlockDefinition, BlockLookup, JsonSchema } from '../blocks/block.types.js';
import { runSandboxed } from '../blocks/block-sandbox.js';
import { WITH_PIN, eachString } from '../agent-format/agent-expressions.rules.js';
import { hasExpression, parseTemplate, type ExpressionTemplate, type TemplatePart } from '../agent-format/expression-template.js';
import type { AgentDefinition } from '../agent-format/graph.types.js';
import { isLinearJsonata } from '../sandbox/linear-jsonata.js';
import { DEFAULT_SANDBOX_SETTINGS } from '../sandbox/sandbox.types.js';
import type { BlockAttemptFn } from './engine/block-attempt.js';
import { EngineError, EngineErrorCode } from './engine/engine.errors.js';

/** One string constant holding expressions: where it is (pin first) and how it reads. */
export interface ExpressionSite {
  path: ReadonlyArray<string | number>;
  template: ExpressionTemplate;
  /** Compiled once; set when the expression runs in linear time (evaluated inline). */
  inline: Map<number, jsonata.Expression>;
}

/** What expressions read besides `with`: fixed for one execution. */
export interface ExpressionScope {
  vars: Record<string, unknown>;
  /** `id` empty: the run's own (the in-memory runner makes its ids as it goes). */
  execution: { id: string; source: string; started_at: string; trigger_replayed: boolean };
  /** What the trigger node yielded, when the run came from one; null otherwise. */
  trigger: Record<string, unknown> | null;
}

/** Sources that start from a trigger event as it happened; any other run with a trigger event replays one. */
const LIVE_TRIGGER_SOURCES: ReadonlySet<string> = new Set(['webhook', 'github', 'schedule']);

/** `execution.trigger_replayed`: the run came from a stored or given trigger event (re-run, execute API, CLI). */
export function isReplayed(source: string, triggerNode: string | null): boolean {
  return triggerNode !== null && !LIVE_TRIGGER_SOURCES.has(source);
}

/** Node id -> its sites. Empty for versions stored before expressions existed (their `${{` stays text). */
export function compileExpressions(definition: AgentDefinition, blocks: BlockLookup): Map<string, ExpressionSite[]> {
  const sites = new Map<string, ExpressionSite[]>();
  for (const [id, node] of Object.entries(definition.nodes)) {
    const block = blocks.get(node.block);
    if (!block) continue;
    const allowed = expressionPins(block);
    const schemas = (block.inputSchema.properties ?? {}) as Record<string, JsonSchema>;
    const list: ExpressionSite[] = [];
    for (const [pin, value] of Object.entries(node.inputs)) {
      if (!allowed[pin]) continue;
      eachString(value, [pin], (text, path) => {
        if (!hasExpression(text)) return;
        const parsed = parseTemplate(text, path.length === 1 && isUriPin(schemas[pin]));
        // Validation refuses these; a stored version that still has one fails the node when it runs.
        if ('error' in parsed) throw new Error(`node "${id}" ${path.join('.')}: ${parsed.error.message}`);
        list.push({ path, template: parsed.ok, inline: inlineExpressions(parsed.ok.parts) });
      });
    }
    if (list.length) sites.set(id, list);
  }
  return sites;
}

function inlineExpressions(parts: TemplatePart[]): Map<number, jsonata.Expression> {
  const inline = new Map<number, jsonata.Expression>();
  parts.forEach((part, i) => {
    if (part.kind === 'expression' && isLinearJsonata(part.ast)) inline.set(i, jsonata(part.source));
  });
  return inline;
}

/** The block runner with expressions evaluated first (and `with` removed) for nodes that have sites. */
export function withExpressions(run: BlockAttemptFn, sites: ReadonlyMap<string, ExpressionSite[]>, scope: ExpressionScope): BlockAttemptFn {
  return (request) => {
    const nodeSites = sites.get(request.context.nodeId);
    const hasWith = Object.hasOwn(request.inputs, WITH_PIN);
    if (!nodeSites && !hasWith) return run(request);
    return (async function* () {
      const { [WITH_PIN]: withValues, ...inputs } = request.inputs;
      const execution = { ...scope.execution, id: scope.execution.id || request.context.executionId };
      const data = { vars: scope.vars, with: withValues ?? {}, execution, trigger: scope.trigger };
      for (const site of nodeSites ?? []) setAt(inputs, site.path, await evaluateSite(site, data, request.context, request.block));
      yield* run({ ...request, inputs });
    })();
  };
}

async function evaluateSite(site: ExpressionSite, data: unknown, context: BlockContext, block: BlockDefinition): Promise<unknown> {
  const where = `${context.nodeId}.inputs.${site.path.join('.')}`;
  const values: unknown[] = [];
  for (const [i, part] of site.template.parts.entries()) {
    if (part.kind === 'text') {
      values.push(part.text);
      continue;
    }
    const value = await evaluate(part.source, site.inline.get(i), data, context, where, block);
    if (site.template.whole) return value;
    values.push(part.encode ? encodeURIComponent(asText(value)) : asText(value));
  }
  return values.join('');
}

/** Strings as they are; numbers, booleans and null as JSON; objects and lists as compact JSON. */
function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

async function evaluate(
  source: string,
  inline: jsonata.Expression | undefined,
  data: unknown,
  context: BlockContext,
  where: string,
  block: BlockDefinition,
): Promise<unknown> {
  const fail = (why: string, details: Record<string, unknown> = {}) =>
    new EngineError(EngineErrorCode.EXPRESSION_FAILED, `The expression \${{ ${source} }} in ${where} (${block.id}) ${why}`, { path: where, ...details });
  let json: string;
  if (inline) {
    let result: unknown;
    try {
      result = (await inline.evaluate(data)) as unknown;
    } catch (error) {
      throw fail(`failed: ${sentence((error as { message?: string }).message ?? String(error))}`);
    }
    if (result === undefined) throw fail('gave no value (a name it reads is missing?).');
    json = JSON.stringify(result);
    const max = (context.settings.sandbox ?? DEFAULT_SANDBOX_SETTINGS).maxValueBytes;
    if (json.length > max) throw fail(`gave ${json.length} bytes, more than executor.max_value_bytes (${max}).`);
  } else {
    // Wrapped so that "no value" (undefined) comes back apart from null, which JSON alone cannot tell.
    const wrapped = `($trellis_result := (\n${source}\n); $exists($trellis_result) ? {"value": $trellis_result} : {})`;
    const outcome = await runSandboxed({ kind: 'jsonata', expression: wrapped, data }, context);
    if (outcome.kind === 'error') throw fail(`failed: ${sentence(outcome.message)}`, outcome.code ? { jsonata_code: outcome.code } : {});
    if (outcome.kind === 'timeout') throw fail('ran past sandbox.timeout and was stopped; make it do less work.');
    if (outcome.kind === 'memory') throw fail('used more than sandbox.memory and was stopped.');
    if (outcome.kind === 'too_large') throw fail(`gave ${outcome.bytes} bytes, more than executor.max_value_bytes.`);
    if (outcome.kind !== 'ok') throw new EngineError(EngineErrorCode.CANCELLED, 'The run was stopped.');
    const answer = JSON.parse(outcome.json) as { value?: unknown };
    if (!Object.hasOwn(answer, 'value')) throw fail('gave no value (a name it reads is missing?).');
    return answer.value;
  }
  return JSON.parse(json) as unknown;
}

function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

function setAt(target: Record<string, unknown>, path: ReadonlyArray<string | number>, value: unknown): void {
  let holder: Record<string | number, unknown> = target;
  for (const step of path.slice(0, -1)) {
    const next = holder[step];
    const copy = Array.isArray(next) ? [...(next as unknown[])] : { ...(next as Record<string, unknown>) };
    holder[step] = copy;
    holder = copy as Record<string | number, unknown>;
  }
  holder[path[path.length - 1]!] = value;
}
