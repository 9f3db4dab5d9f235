// The rule for pin names, apart from pins.ts: the registry and the build's block manifest check names without
// loading TypeBox (most of what loading the block library costs the CLI).

/** Pin names, input and output alike (spec/blocks.md). */
export const PIN_NAME = /^[a-z][a-z0-9_]{0,62}$/;
