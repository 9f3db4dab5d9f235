// The one ajv set-up of blocks (draft 2020-12, ajv-formats, the pin formats), made when a schema first needs
// compiling: `trellis validate` runs the build's precompiled validators (library/block-validators.ts) and
// loads none of ajv's compiler, which was a fifth of its start. The build makes the same set-up with
// source code kept, so a precompiled validator accepts and reports exactly what a compiled one does.
import { createRequire } from 'node:module';
import type { Ajv2020, CodeOptions, Format } from 'ajv/dist/2020.js';
import { PIN_FORMATS } from './pin-formats.js';

// ajv is CommonJS: required synchronously where a schema is compiled (compileSchema is synchronous).
const require = createRequire(import.meta.url);

/** The pin formats as ajv format definitions (name -> definition), beside ajv-formats' own. */
export function pinFormatDefinitions(): Record<string, Format> {
  return Object.fromEntries(
    Object.entries(PIN_FORMATS).map(([name, problem]) => [name, { type: 'string', validate: (value: string) => problem(value) === null }]),
  );
}

/**
 * A new ajv for block schemas. `code`: the build's extra code options (source kept, formats read from a
 * variable of the generated module); none at run time.
 */
export function newPinAjv(code: CodeOptions = {}): Ajv2020 {
  const { Ajv2020: Ajv } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;
  // code.optimize off: ajv's passes over the generated code cost more than they save for functions compiled
  // once per process; what the validators accept and report is the same.
  const ajv = new Ajv({ allErrors: true, useDefaults: true, verbose: true, strict: false, logger: false, code: { optimize: false, ...code } });
  addFormats(ajv);
  for (const [name, format] of Object.entries(pinFormatDefinitions())) ajv.addFormat(name, format);
  return ajv;
}

/** Every format a precompiled validator may name: ajv-formats' full set, then the pin formats (as newPinAjv adds them). */
export function precompiledFormats(): Record<string, Format> {
  const { fullFormats } = require('ajv-formats/dist/formats.js') as typeof import('ajv-formats/dist/formats.js');
  return { ...fullFormats, ...pinFormatDefinitions() };
}
