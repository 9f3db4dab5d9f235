// The output pins that come from a node's constants (BlockDefinition.dynamicOutputs), one function per block
// that has them, kept apart from the blocks' files (which load TypeBox): validation from the build's block
// manifest (block-manifest.ts) calls them without loading the block library. Each block uses its entry here;
// a test checks that every block's dynamicOutputs is this table's.
import { PIN_NAME } from '../pin-name.js';

type Constants = Record<string, unknown>;
type AgentOutputs = { agentOutputs(agent: string): string[] | undefined };

/** llm.classify's labels that cannot be output pins (they name its own pins). */
export const CLASSIFY_RESERVED = ['label', 'usage', 'error'];
/** agent.run's pins whatever the child: a child output of the same name is only in `outputs`. */
const AGENT_RUN_OWN_PINS = new Set(['outputs', 'error']);

export const DYNAMIC_OUTPUTS = {
  /** Each label is a pin. */
  'llm.classify': (constants: Constants): string[] =>
    Array.isArray(constants.labels)
      ? constants.labels.filter((l): l is string => typeof l === 'string' && PIN_NAME.test(l) && !CLASSIFY_RESERVED.includes(l))
      : [],
  /** Each key of `cases` is a pin. */
  'logic.switch': (constants: Constants): string[] => Object.keys((constants.cases as Record<string, unknown> | undefined) ?? {}),
  /** The child agent's outputs. */
  'agent.run': (constants: Constants, lookup: AgentOutputs): string[] =>
    (constants.agent ? (lookup.agentOutputs(constants.agent as string) ?? []) : []).filter((name) => !AGENT_RUN_OWN_PINS.has(name)),
} satisfies Record<string, (constants: Constants, lookup: AgentOutputs) => string[]>;
