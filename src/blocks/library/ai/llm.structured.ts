// `llm.structured`: asks for JSON that fits a JSON Schema, checks the answer with ajv, and on a misfit
// asks once more with the validation problems; a second misfit fails clearly.
import type { JsonSchema } from '../../block.types.js';
import { BlockError, invalidPin } from '../../blocks.errors.js';
import { compileDataSchema, problemsFromErrors, schemaProblem } from '../../pin-validation.js';
import { anyValue, defineBlock, dict } from '../../pins.js';
import { askWithOneCorrection, conversation, openLlmSession, type AnswerCheck, type LlmAnswer } from './llm-provider.js';
import { LlmErrorCode } from './llm.errors.js';
import { LLM_BLOCK_BASE, LLM_INPUTS, USAGE_OUTPUT } from './llm.pins.js';
import { blockErrors, OUTBOUND_ERRORS, LLM_ERRORS } from '../../block-errors.catalog.js';

const ID = 'llm.structured';

export const llmStructuredBlock = defineBlock({
  ...LLM_BLOCK_BASE,
  id: ID,
  description:
    'Asks a language model for JSON that fits `schema` (a JSON Schema) and yields it as `object`, checked against the schema. ' +
    'An answer that does not fit is sent back once with the problems; a second misfit fails the node. ' +
    'Costs credits by model (config/costs.yaml); a retried or re-run attempt makes new, billed requests.',
  inputs: {
    ...LLM_INPUTS,
    schema: dict(anyValue(), { description: 'The JSON Schema the answer must fit, e.g. {type: object, properties: {...}, required: [...]}.' }),
  },
  outputs: {
    object: anyValue({ description: 'The answer, valid against the schema.' }),
    usage: USAGE_OUTPUT,
  },
  errors: blockErrors('CREDENTIAL_UNRESOLVED', ...OUTBOUND_ERRORS, ...LLM_ERRORS),
  async *run(inputs, context) {
    const problem = schemaProblem(inputs.schema);
    if (problem) throw invalidPin(ID, 'schema', `is not a usable JSON Schema: ${problem}`);
    const validate = compileDataSchema(inputs.schema);
    const wrapped = inputs.schema.type !== 'object';
    // Providers want an object at the root; any other schema is asked for as {value: <schema>}.
    const askFor: JsonSchema = wrapped
      ? { type: 'object', properties: { value: inputs.schema }, required: ['value'], additionalProperties: false }
      : inputs.schema;
    const base = conversation(ID, inputs);
    const instruction = `Answer with JSON only (no prose, no code fences) that fits this JSON Schema:\n${JSON.stringify(askFor)}`;
    const call = { system: base.system ? `${base.system}\n\n${instruction}` : instruction, messages: base.messages, jsonSchema: askFor };

    const session = openLlmSession(ID, inputs, context);
    const { value, usage } = await askWithOneCorrection(session, call, (answer): AnswerCheck<unknown> => {
      const checked = check(answer, wrapped, validate);
      if (checked.ok) return checked;
      return {
        ok: false,
        feedback: `Your answer does not fit the JSON Schema: ${checked.problem}. Answer again with JSON only that fits the schema exactly.`,
        failure: (used) =>
          new BlockError(
            LlmErrorCode.INVALID_ANSWER,
            `The model's answer did not fit the schema, twice: ${checked.problem}. Its last answer began: ${answer.text.slice(0, 300)}. ` +
              'Make the schema simpler or the prompt clearer, or use a stronger model.',
            { model: inputs.model, problem: checked.problem, usage: used },
          ),
      };
    });
    yield ['object', value] as const;
    yield ['usage', usage] as const;
  },
});

type Checked = { ok: true; value: unknown } | { ok: false; problem: string };

function check(answer: LlmAnswer, wrapped: boolean, validate: ReturnType<typeof compileDataSchema>): Checked {
  let value: unknown;
  if (answer.json !== undefined) {
    value = answer.json;
  } else {
    const parsed = parseJsonAnswer(answer.text);
    if (!parsed.ok) return parsed;
    value = parsed.value;
  }
  if (wrapped) {
    if (value === null || typeof value !== 'object' || !('value' in value)) return { ok: false, problem: 'expected an object {"value": ...}' };
    value = (value as { value: unknown }).value;
  }
  if (validate(value)) return { ok: true, value };
  return {
    ok: false,
    problem: problemsFromErrors(validate.errors)
      .map((p) => p.message)
      .join('; '),
  };
}

/** JSON from a text answer, tolerating a ```json fence around it. */
export function parseJsonAnswer(text: string): Checked {
  const fenced = /^\s*```(?:json)?\s*\n?([\s\S]*?)\n?```\s*$/i.exec(text);
  const body = (fenced ? fenced[1]! : text).trim();
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch (error) {
    return { ok: false, problem: `the answer is not valid JSON (${(error as Error).message})` };
  }
}
