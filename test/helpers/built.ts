// The built program for process tests (`bin/trellis.js`, `node dist/src/main.js`), built when a source is newer
// than dist/: see built-dist.js, which jest's global setup also uses to start a full run's build early.
export { buildIsCurrent, ensureBuilt, ROOT, SERVER_MAIN, TRELLIS_BIN, withBuildLock } from './built-dist.js';
