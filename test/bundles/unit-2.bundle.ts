// Bundle 2 of the unit layer: a share of its spec files in one module registry (see bundles.js).
import { runBundle } from './run-bundle.js';

await runBundle(import.meta.url);
