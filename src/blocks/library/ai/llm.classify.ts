// `llm.classify`: asks a model to pick one of a constant list of labels for a text. Each label is also
// an output pin: the text travels on the pin of the chosen label, so an agent branches on it.
import { BlockError } from '../../blocks.errors.js';
import { defineBlock, dynamicPin, optional, PIN_NAME, Type } from '../../pins.js';
import { askWithOneCorrection, conversation, openLlmSession, type AnswerCheck } from './llm-provider.js';
import { LlmErrorCode } from './llm.errors.js';
import { LLM_BLOCK_BASE, LLM_INPUTS, USAGE_OUTPUT } from './llm.pins.js';
import { blockErrors, OUTBOUND_ERRORS, LLM_ERRORS } from '../../block-errors.catalog.js';
import { CLASSIFY_RESERVED, DYNAMIC_OUTPUTS } from '../dynamic-outputs.js';

const ID = 'llm.classify';
/** Output pins a label can't take. */
const RESERVED = CLASSIFY_RESERVED;

export const llmClassifyBlock = defineBlock({
  ...LLM_BLOCK_BASE,
  id: ID,
  description:
    'Asks a language model which one of `labels` fits `text`; yields `label`, and the text on the output pin named after the chosen label ' +
    '(each label is an output pin, so `labels` must be a constant). An answer that is not a label is sent back once; a second miss fails the node. ' +
    'Costs credits by model (config/costs.yaml); a retried or re-run attempt makes new, billed requests.',
  inputs: {
    ...LLM_INPUTS,
    prompt: optional(Type.String({ description: 'Extra instructions for the classification (optional).' })),
    text: Type.String({ description: 'The text to classify.' }),
    labels: Type.Array(
      Type.String({
        pattern: PIN_NAME.source,
        not: { enum: RESERVED },
        'x-expected': 'a label of lower-case letters, digits and _ (starting with a letter), other than label, usage and error',
      }),
      { minItems: 2, uniqueItems: true, description: 'The labels to choose from (a constant list); each is also an output pin.' },
    ),
  },
  outputs: {
    label: Type.String({ description: 'The chosen label.' }),
    usage: USAGE_OUTPUT,
  },
  yields: { dynamic: 'sometimes' },
  dynamicOutputs: DYNAMIC_OUTPUTS['llm.classify'],
  errors: blockErrors('CREDENTIAL_UNRESOLVED', ...OUTBOUND_ERRORS, ...LLM_ERRORS),
  async *run(inputs, context) {
    const labels = inputs.labels;
    const list = labels.join(', ');
    const instruction = `Classify the text into exactly one of these labels: ${list}. Answer with the label only, nothing else.`;
    const base = conversation(ID, inputs, `Text to classify:\n"""\n${inputs.text}\n"""\n\nAnswer with one of: ${list}`);
    const call = { system: base.system ? `${base.system}\n\n${instruction}` : instruction, messages: base.messages };

    const session = openLlmSession(ID, inputs, context);
    const { value: label, usage } = await askWithOneCorrection(session, call, (answer): AnswerCheck<string> => {
      const picked = pickLabel(answer.text, labels);
      if (picked) return { ok: true, value: picked };
      return {
        ok: false,
        feedback: `That is not one of the labels. Answer with exactly one of: ${list}, and nothing else.`,
        failure: (used) =>
          new BlockError(
            LlmErrorCode.INVALID_ANSWER,
            `The model answered "${answer.text.slice(0, 200)}", which is not one of the labels (${list}), twice. Make the labels or the prompt clearer, or use a stronger model.`,
            { model: inputs.model, labels, answer: answer.text.slice(0, 500), usage: used },
          ),
      };
    });
    yield ['label', label] as const;
    yield [dynamicPin(label), inputs.text] as const;
    yield ['usage', usage] as const;
  },
});

/** The label an answer names: exactly (ignoring case, quotes and punctuation), else the only label it mentions. */
export function pickLabel(answer: string, labels: readonly string[]): string | null {
  const cleaned = answer
    .trim()
    .replace(/^[\s"'`*_.:(-]+|[\s"'`*_.!:)-]+$/g, '')
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  const exact = labels.find((label) => label === cleaned);
  if (exact) return exact;
  const text = answer.toLowerCase();
  const mentioned = labels.filter((label) => new RegExp(`(^|[^a-z0-9_])${label}($|[^a-z0-9_])`).test(text));
  return mentioned.length === 1 ? mentioned[0]! : null;
}
