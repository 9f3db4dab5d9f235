// n8n nodes that have an equivalent here, by node type. Each mapper fills its context with agent nodes
// and links and says which item each of its outputs passes on; what it cannot carry it reports.
import { escapeExpressions } from './import.helpers.js';
import type { N8nMapped, N8nNodeContext, N8nUnmapped } from './n8n.context.js';
import { conditionsJsonata } from './n8n.conditions.js';
import { convertParameter, relativeJsonata, type ItemSource } from './n8n.expressions.js';
import { email, executeWorkflow, github, githubTrigger, httpRequest, slack } from './n8n.services.js';

export type N8nMapper = (context: N8nNodeContext) => (N8nMapped & { gate?: string }) | N8nUnmapped;

const asList = (value: unknown): Array<Record<string, unknown>> => (Array.isArray(value) ? (value as Array<Record<string, unknown>>) : []);
const inputRef = (context: N8nNodeContext) => context.scope.input?.[0] ?? null;

function needsInput(context: N8nNodeContext): N8nUnmapped {
  return { reasons: [`${context.node.type} needs exactly one incoming connection here`], todo: 'connect one node into it, or rebuild the step by hand' };
}

/**
 * A json.query over the received item, then logic.condition nodes routing the item by its result: one
 * condition with yes/no for IF (`outcomes` [true]), one per output for Switch (result == index).
 */
function router(context: N8nNodeContext, code: string, outcomes: readonly unknown[], twoWay: boolean): N8nMapped {
  const item = inputRef(context)!;
  const query = context.take();
  context.add(query, { block: 'json.query', inputs: { expression: code } });
  context.link(item.ref, `${query}.data`);
  const items: ItemSource[] = [];
  outcomes.forEach((outcome, index) => {
    const branch = context.take(twoWay ? 'branch' : `output_${index}`);
    context.add(branch, { block: 'logic.condition', inputs: { operator: '==', right: outcome } });
    context.link(`${query}.result`, `${branch}.left`);
    context.link(item.ref, `${branch}.yes_value`);
    context.link(item.ref, `${branch}.no_value`);
    items.push([{ ref: `${branch}.yes`, prefix: item.prefix }]);
    if (twoWay) items.push([{ ref: `${branch}.no`, prefix: item.prefix }]);
  });
  return { id: query, outputs: items };
}

function ifNode(context: N8nNodeContext): N8nMapped | N8nUnmapped {
  const item = inputRef(context);
  if (!item) return needsInput(context);
  const code = conditionsJsonata(context.params.conditions, context.scope, item.ref, context.params.combineOperation);
  if ('why' in code) return { reasons: [`its condition cannot be carried: ${code.why}`], todo: 'rebuild it with json.query and logic.condition' };
  return router(context, code.code, [true], true);
}

function switchNode(context: N8nNodeContext): N8nMapped | N8nUnmapped {
  const item = inputRef(context);
  if (!item) return needsInput(context);
  const p = context.params;
  const tests: string[] = [];
  const rulesV3 = asList((p.rules as { values?: unknown } | undefined)?.values);
  if (rulesV3.length) {
    for (const rule of rulesV3) {
      const code = conditionsJsonata(rule.conditions, context.scope, item.ref);
      if ('why' in code) return { reasons: [`a rule cannot be carried: ${code.why}`], todo: 'rebuild it with json.query and logic.switch' };
      tests.push(code.code);
    }
  } else if (p.mode === 'expression') {
    return { reasons: ['its output is chosen by an expression'], todo: 'rebuild it with json.query and logic.switch' };
  } else {
    for (const rule of asList((p.rules as { rules?: unknown } | undefined)?.rules)) {
      const code = conditionsJsonata(
        { [String(p.dataType ?? 'string')]: [{ value1: p.value1, operation: rule.operation ?? 'equal', value2: rule.value2 }] },
        context.scope,
        item.ref,
      );
      if ('why' in code) return { reasons: [`a rule cannot be carried: ${code.why}`], todo: 'rebuild it with json.query and logic.switch' };
      tests.push(code.code);
    }
  }
  if (!tests.length) return { reasons: ['it has no rules'], todo: 'remove it, or add rules' };
  const code = tests.reduceRight((rest, test, index) => `(${test}) ? ${index} : ${rest}`, String(tests.length));
  return router(context, code, [...tests.keys(), tests.length], false);
}

function webhook(context: N8nNodeContext): N8nMapped {
  const id = context.take();
  const method = String(context.params.httpMethod ?? 'GET').toUpperCase();
  context.add(id, { block: 'trigger.webhook', inputs: { methods: [method] } });
  if (context.params.path) context.lost.push(`its path "${String(context.params.path)}": the webhook URL here is the agent's own (see runtime.md)`);
  if (context.params.authentication && context.params.authentication !== 'none') {
    context.lost.push(
      `its ${String(context.params.authentication)} authentication: map a webhook_secret credential to the trigger's "secret" field instead (signed deliveries)`,
    );
  }
  if (context.params.responseMode === 'responseNode') context.lost.push('it answers through a Respond to Webhook node (see that node)');
  return {
    id,
    outputs: [
      [
        { ref: `${id}.body`, prefix: ['body'] },
        { ref: `${id}.headers`, prefix: ['headers'] },
        { ref: `${id}.query`, prefix: ['query'] },
      ],
    ],
  };
}

function schedule(context: N8nNodeContext): N8nMapped | N8nUnmapped {
  const p = context.params;
  const rule = asList((p.rule as { interval?: unknown } | undefined)?.interval)[0] ?? asList((p.triggerTimes as { item?: unknown } | undefined)?.item)[0];
  let cron: string | null = null;
  const field = String(rule?.field ?? rule?.mode ?? 'days');
  const n = (key: string, fallback: number) => (typeof rule?.[key] === 'number' ? (rule[key] as number) : fallback);
  if (field === 'cronExpression' || field === 'custom') cron = String(rule?.expression ?? rule?.cronExpression ?? '');
  else if (field === 'minutes') cron = `*/${n('minutesInterval', 5)} * * * *`;
  else if (field === 'hours') cron = `${n('triggerAtMinute', 0)} */${n('hoursInterval', 1)} * * *`;
  else if (field === 'days' || field === 'everyDay')
    cron = `${n('triggerAtMinute', n('minute', 0))} ${n('triggerAtHour', n('hour', 0))} */${n('daysInterval', 1)} * *`;
  else if (field === 'everyHour') cron = `${n('minute', 0)} * * * *`;
  if (!cron) return { reasons: [`its "${field}" schedule is not carried`], todo: 'add a trigger.cron node with the cron expression' };
  const id = context.take();
  context.add(id, { block: 'trigger.cron', inputs: { schedule: cron.replace(/ \*\/1 \* \*$/, ' * * *') } });
  return { id, outputs: [[{ ref: `${id}.fired_at`, prefix: ['timestamp'] }]] };
}

/** Set / Edit Fields: a json.query building the object (merged over the item unless only the set fields are kept). */
function setNode(context: N8nNodeContext): N8nMapped | N8nUnmapped {
  const p = context.params;
  const item = inputRef(context);
  const entries: Array<[string, unknown]> = [];
  for (const a of asList((p.assignments as { assignments?: unknown } | undefined)?.assignments)) entries.push([String(a.name), a.value]);
  for (const f of asList((p.fields as { values?: unknown } | undefined)?.values))
    entries.push([String(f.name), f.stringValue ?? f.numberValue ?? f.booleanValue ?? f.objectValue ?? f.arrayValue]);
  for (const kind of ['string', 'number', 'boolean'])
    for (const v of asList((p.values as Record<string, unknown> | undefined)?.[kind])) entries.push([String(v.name), v.value]);
  if (p.mode === 'raw') return { reasons: ['its JSON mode is not carried'], todo: 'rebuild it with json.query' };
  const parts: string[] = [];
  for (const [name, value] of entries) {
    const converted = convertParameter(value, context.scope);
    let code: string | null = null;
    if (converted.kind === 'constant') code = JSON.stringify(converted.value ?? null);
    else if (converted.kind === 'link' && item) code = relativeJsonata(converted.from, item.ref);
    else if (converted.kind === 'template' && item) {
      const pieces = converted.template.split(/\{\{ (v\d+) \}\}/);
      const rendered = pieces.map((piece, i) => (i % 2 ? `$string(${relativeJsonata(converted.values[piece]!, item.ref) ?? 'null'})` : JSON.stringify(piece)));
      code = rendered.some((r) => r.includes('(null)')) ? null : rendered.filter((r) => r !== '""').join(' & ');
    }
    if (code === null)
      return { reasons: [`field "${name}": its value ${String(value)} is not a path into the item it receives`], todo: 'rebuild it with json.query' };
    parts.push(`${JSON.stringify(name)}: ${code}`);
  }
  const object = `{ ${parts.join(', ')} }`;
  const keepOthers = p.includeOtherFields === true || (p.keepOnlySet === false && entries.length > 0 && p.assignments === undefined);
  const id = context.take();
  context.add(id, { block: 'json.query', inputs: { expression: keepOthers && item ? `$merge([$, ${object}])` : object } });
  if (item) context.link(item.ref, `${id}.data`);
  else context.nodes[id]!.inputs!.data = {};
  return { id, outputs: [[{ ref: `${id}.result`, prefix: [] }]] };
}

function code(context: N8nNodeContext): N8nMapped | N8nUnmapped {
  const p = context.params;
  if (p.language === 'python' || p.language === 'pythonNative')
    return { reasons: ['Python code has no equivalent (code.js runs JavaScript)'], todo: 'rewrite it in JavaScript in a code.js node' };
  const body = String(p.jsCode ?? p.functionCode ?? '');
  const item = inputRef(context);
  const perItem = p.mode === 'runOnceForEachItem';
  const shim = [
    "// n8n Code node, imported: `input` is the one item it receives; $input, $json and items stand in for n8n's.",
    'const $json = input;',
    'const $input = { all: () => [{ json: input }], first: () => ({ json: input }), last: () => ({ json: input }), item: { json: input } };',
    'const items = $input.all();',
    `const out = (function () {\n${body}\n})();`,
    perItem
      ? 'return out && out.json !== undefined ? out.json : out;'
      : 'const list = Array.isArray(out) ? out.map((i) => (i && i.json !== undefined ? i.json : i)) : out;\nreturn Array.isArray(list) && list.length === 1 ? list[0] : list;',
  ].join('\n');
  const id = context.take();
  context.add(id, { block: 'code.js', inputs: { code: escapeExpressions(shim) } });
  if (item) context.link(item.ref, `${id}.input`);
  context.lost.push('it runs once on the one item it receives; n8n helpers other than $input, $json and items ($node, $env, helpers, await) are not available');
  return { id, outputs: [[{ ref: `${id}.result`, prefix: [] }]] };
}

function splitInBatches(context: N8nNodeContext): N8nMapped | N8nUnmapped {
  const item = inputRef(context);
  if (!item) return needsInput(context);
  const id = context.take();
  context.add(id, { block: 'list.iterate' });
  context.link(item.ref, `${id}.items`);
  context.lost.push('items come one at a time (list.iterate), not in batches; the loop back into this node is not needed');
  // n8n: output 0 is "done", output 1 is "loop".
  return { id, outputs: [null, [{ ref: `${id}.item`, prefix: [] }]] };
}

/** A chat message is one text from outside: an input node (API runs), since there is no chat trigger here. */
function chatTrigger(context: N8nNodeContext): N8nMapped {
  const id = context.take();
  context.add(id, { block: 'input', inputs: { name: 'chat_input', type: 'string', description: 'The chat message (n8n chatInput).' } });
  context.lost.push(
    'there is no chat trigger here: the message is the input "chat_input" of an API run (trellis run, POST /api/graphs/{id}/execute); no session memory',
  );
  return { id, outputs: [[{ ref: `${id}.value`, prefix: ['chatInput'] }]] };
}

function unmapped(reason: string, todo: string): N8nMapper {
  return () => ({ reasons: [reason], todo });
}

export const N8N_NODES: Readonly<Record<string, N8nMapper>> = {
  'n8n-nodes-base.webhook': webhook,
  'n8n-nodes-base.scheduleTrigger': schedule,
  'n8n-nodes-base.cron': schedule,
  'n8n-nodes-base.if': ifNode,
  'n8n-nodes-base.filter': ifNode,
  'n8n-nodes-base.switch': switchNode,
  'n8n-nodes-base.set': setNode,
  'n8n-nodes-base.code': code,
  'n8n-nodes-base.function': code,
  'n8n-nodes-base.httpRequest': httpRequest,
  'n8n-nodes-base.slack': slack,
  'n8n-nodes-base.emailSend': email,
  'n8n-nodes-base.github': github,
  'n8n-nodes-base.githubTrigger': githubTrigger,
  'n8n-nodes-base.executeWorkflow': executeWorkflow,
  'n8n-nodes-base.splitInBatches': splitInBatches,
  'n8n-nodes-base.respondToWebhook': unmapped(
    'no block here answers a webhook from the middle of a run',
    'return the answer as an output node; callers read the execution result (or use a webhook-response block once your version has one)',
  ),
  '@n8n/n8n-nodes-langchain.agent': unmapped(
    'the AI Agent node (with its model, memory and tool sub-nodes) has no equivalent block in this version',
    'use llm.chat for one model call, or an ai.agent block where your version has it',
  ),
  '@n8n/n8n-nodes-langchain.chatTrigger': chatTrigger,
};
