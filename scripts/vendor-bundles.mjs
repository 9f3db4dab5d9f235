// CommonJS packages of many files that `trellis` loads to check agent files (yaml: 72 files), written by
// `npm run build` as one file each into dist/src/vendor/, and the compiled sources' imports of them pointed
// there: Node resolves, stats and reads every required file, which cost `trellis validate` more than running
// the code (about 18 ms of its ~220 ms of CPU for yaml). The bundle holds the installed package's own files,
// unchanged, each run in its own function as Node runs it; the tests, which run the sources, use the package.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';

/** The packages bundled, by the name the sources import. */
export const VENDOR_PACKAGES = ['yaml', 'cron-parser', 'commander'];

/** Where a package's bundle goes, relative to dist/. */
export const vendorFile = (name) => join('src', 'vendor', `${name}.cjs`);

/**
 * The package `name` (as required from `root`) as one CommonJS file: each of its files that its own relative
 * requires reach, in a function with its own module, exports and require; other requires (node:, other
 * packages) go to Node's require from the bundle's place. Exports are copied by name at the end, so that
 * Node sees the same named exports as in the package.
 */
export function bundlePackage(name, root) {
  const entry = createRequire(join(root, 'package.json')).resolve(name);
  const modules = new Map();
  const add = (file) => {
    if (modules.has(file)) return modules.get(file).id;
    const module = { id: modules.size, file, requires: {} };
    modules.set(file, module);
    const source = readFileSync(file, 'utf8');
    // Its files would see the bundle's place, not their own: a package that reads files beside it is not bundled.
    const code = source.split('\n').filter((line) => !/^\s*(\*|\/\/|\/\*)/.test(line));
    if (code.some((line) => /\b__(dirname|filename)\b/.test(line))) throw new Error(`${name} cannot be bundled: ${file} uses __dirname or __filename`);
    module.source = file.endsWith('.json') ? `module.exports = ${source};` : source;
    const local = createRequire(file);
    for (const [, , specifier] of source.matchAll(/\brequire\((['"])(\.{1,2}\/[^'"]*)\1\)/g)) module.requires[specifier] = add(local.resolve(specifier));
    return module.id;
  };
  add(entry);
  const names = Object.keys(createRequire(join(root, 'package.json'))(name)).filter((key) => key !== '__esModule');
  const parts = [
    `// ${name} (${relative(root, dirname(entry)).split(sep).join('/')}, ${modules.size} files) as one file: scripts/vendor-bundles.mjs.`,
    "'use strict';",
    'const modules = [',
  ];
  for (const { file, source, requires } of modules.values()) {
    const path = JSON.stringify(relative(root, file).split(sep).join('/'));
    // In parentheses: V8 compiles the function with the file, so the compile cache keeps its code as it keeps a
    // package file's (a function compiled on its first call is compiled again in every process).
    parts.push(`[${path}, ${JSON.stringify(requires)}, (function (exports, require, module) {\n${source}\n})],`);
  }
  parts.push(
    '];',
    'const cache = [];',
    'function load(id) {',
    '  if (cache[id]) return cache[id].exports;',
    '  const module = (cache[id] = { exports: {} });',
    '  const [, requires, run] = modules[id];',
    '  const local = (specifier) => (specifier in requires ? load(requires[specifier]) : require(specifier));',
    '  run.call(module.exports, module.exports, local, module);',
    '  return module.exports;',
    '}',
    'const main = load(0);',
    ...names.map((key) => `exports${/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`} = main[${JSON.stringify(key)}];`),
    '',
  );
  return parts.join('\n');
}

/** A compiled file's code with its imports of the bundled packages pointed at their bundles (file: relative to dist/). */
export function useVendorBundles(code, file) {
  return code.replace(/(\bfrom\s*|\bimport\s*\(\s*)(['"])([^'"]+)\2/g, (whole, before, quote, specifier) => {
    if (!VENDOR_PACKAGES.includes(specifier)) return whole;
    const target = relative(dirname(file), vendorFile(specifier)).split(sep).join('/');
    return `${before}${quote}${target.startsWith('.') ? target : `./${target}`}${quote}`;
  });
}
