// Generated documents (docs/openapi.json, docs/blocks.md) are compared with what the code makes; with
// TRELLIS_WRITE_DOCS=1 (npm run docs:generate) the tests write them instead.
export const GENERATED_DOCS_WRITE = process.env.TRELLIS_WRITE_DOCS === '1';
