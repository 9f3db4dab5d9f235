// Values along links: picking a source-side key path, and building a run's complete inputs from the
// node's constants and the linked slot values (sink-side dict keys merged over the constant dict).
// Values are shared, never deep-copied: only a dict that receives sink-side keys is copied (shallowly).
import type { CompiledNode } from './graph.compiler.js';

export type Picked = { found: true; value: unknown } | { found: false; depth: number; parent: unknown };

/** `a.out.k1.0` picks `value.k1[0]`; `found: false` names how deep the path got. */
export function pickPath(value: unknown, path: readonly string[]): Picked {
  let current = value;
  for (let depth = 0; depth < path.length; depth++) {
    const key = path[depth]!;
    if (Array.isArray(current)) {
      const index = /^(0|[1-9]\d*)$/.test(key) ? Number(key) : -1;
      if (index < 0 || index >= current.length) return { found: false, depth, parent: current };
      current = current[index];
    } else if (typeof current === 'object' && current !== null && Object.prototype.hasOwnProperty.call(current, key)) {
      current = (current as Record<string, unknown>)[key];
    } else {
      return { found: false, depth, parent: current };
    }
    if (current === undefined) return { found: false, depth, parent: current };
  }
  return { found: true, value: current };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The inputs a run's block receives: the node's constants, each whole linked pin over its constant,
 * then each sink-side key set on a shallow copy of the pin's dict (the linked whole value, else the
 * constant dict, else `{}`).
 */
export function buildRunInputs(node: CompiledNode, slotValues: Record<string, unknown>): Record<string, unknown> {
  const inputs: Record<string, unknown> = { ...node.constants };
  let copied: Set<string> | null = null;
  for (const slot of node.slots) {
    if (slot.dictKey === null && Object.prototype.hasOwnProperty.call(slotValues, slot.key)) inputs[slot.pin] = slotValues[slot.key];
  }
  for (const slot of node.slots) {
    if (slot.dictKey === null || !Object.prototype.hasOwnProperty.call(slotValues, slot.key)) continue;
    copied ??= new Set();
    if (!copied.has(slot.pin)) {
      const base = inputs[slot.pin];
      inputs[slot.pin] = isPlainObject(base) ? { ...base } : {};
      copied.add(slot.pin);
    }
    (inputs[slot.pin] as Record<string, unknown>)[slot.dictKey] = slotValues[slot.key];
  }
  return inputs;
}

/** The value a slot had in a run's inputs (INCOMPLETE: by slot key; otherwise: inside the complete inputs). */
export function slotValueOf(node: CompiledNode, slotIndex: number, inputs: Record<string, unknown>, complete: boolean): { has: boolean; value: unknown } {
  const slot = node.slots[slotIndex]!;
  if (!complete || slot.dictKey === null) {
    const key = complete ? slot.pin : slot.key;
    return Object.prototype.hasOwnProperty.call(inputs, key) ? { has: true, value: inputs[key] } : { has: false, value: undefined };
  }
  const dict = inputs[slot.pin];
  return isPlainObject(dict) && Object.prototype.hasOwnProperty.call(dict, slot.dictKey)
    ? { has: true, value: dict[slot.dictKey] }
    : { has: false, value: undefined };
}
