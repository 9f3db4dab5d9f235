// `llm.chat`: one chat completion; yields the answer's text and the tokens it used.
import { defineBlock, Type } from '../../pins.js';
import { conversation, openLlmSession } from './llm-provider.js';
import { LLM_BLOCK_BASE, LLM_INPUTS, USAGE_OUTPUT } from './llm.pins.js';
import { blockErrors, OUTBOUND_ERRORS } from '../../block-errors.catalog.js';

const ID = 'llm.chat';

export const llmChatBlock = defineBlock({
  ...LLM_BLOCK_BASE,
  id: ID,
  description:
    'Asks a language model (OpenAI, Anthropic, or any OpenAI-compatible server such as Ollama or vLLM) and yields its answer as text, ' +
    'with the tokens used. The prompt is appended to messages as the last user message. Costs credits by model (config/costs.yaml); ' +
    'a retried or re-run attempt makes a new, billed request.',
  inputs: LLM_INPUTS,
  outputs: {
    text: Type.String({ description: "The model's answer." }),
    usage: USAGE_OUTPUT,
  },
  errors: blockErrors(
    'CREDENTIAL_UNRESOLVED',
    'LLM_AUTH_FAILED',
    'LLM_FORBIDDEN',
    'LLM_NOT_FOUND',
    'LLM_RATE_LIMITED',
    'LLM_BAD_REQUEST',
    'LLM_UNAVAILABLE',
    'LLM_TIMEOUT',
    'LLM_UNREACHABLE',
    'LLM_MALFORMED_ANSWER',
    'LLM_REFUSED',
    ...OUTBOUND_ERRORS,
  ),
  async *run(inputs, context) {
    const session = openLlmSession(ID, inputs, context);
    const answer = await session.complete(conversation(ID, inputs));
    yield ['text', answer.text] as const;
    yield ['usage', answer.usage] as const;
  },
});
