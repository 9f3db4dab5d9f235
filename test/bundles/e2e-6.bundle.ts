// Bundle 6 of the e2e layer: a share of its spec files in one module registry (see bundles.js).
import { runBundle } from './run-bundle.js';

await runBundle(import.meta.url);
