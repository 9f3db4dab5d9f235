// Credits per attempt of an LLM block, by model, from config/costs.yaml (`models`, `default_model_cost`).

export interface ModelCosts {
  models: Record<string, number>;
  default_model_cost: number;
}

/** A dated snapshot or alias of a listed model: gpt-4o-2024-08-06, claude-sonnet-4-5-20250929, x-latest. */
const SNAPSHOT_SUFFIX = /^-(\d{4}-\d{2}-\d{2}|\d{8}|latest)$/;

/**
 * The model's cost: its own entry, else the entry of the model it is a dated snapshot of, else the
 * default. A model given through a link (unknown before the run) costs the default.
 */
export function modelCost(inputs: { model?: unknown }, costs: ModelCosts): number {
  const listed = listedModel(inputs.model, costs.models);
  return listed !== undefined ? costs.models[listed]! : costs.default_model_cost;
}

/** The `models` entry a model is priced by (itself, or the model it is a dated snapshot of); undefined when none. */
export function listedModel(value: unknown, models: Record<string, number>): string | undefined {
  const model = typeof value === 'string' ? value.trim() : '';
  if (!model) return undefined;
  if (models[model] !== undefined) return model;
  let best: string | undefined;
  for (const name of Object.keys(models)) {
    if (model.startsWith(name) && SNAPSHOT_SUFFIX.test(model.slice(name.length)) && (!best || name.length > best.length)) best = name;
  }
  return best;
}
