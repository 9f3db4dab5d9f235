// `npm run build`: compiles the files tsconfig.build.json includes into dist/ with SWC, the compiler jest already
// runs every test through (same decorator and metadata settings as jest.config.js), in about 2 s of CPU where tsc
// took 28. SWC strips types without checking them: `npm run typecheck` (tsc --noEmit, part of `npm test` and of
// CI) is the type check. The output folders are written afresh and swapped in whole, so a removed source (a
// migration above all) leaves nothing behind in dist/.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundlePackage, useVendorBundles, VENDOR_PACKAGES, vendorFile } from './vendor-bundles.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(root, 'dist');

/** A tsconfig glob ("src/**\/*.ts", "test/**") as a regular expression over '/'-separated relative paths. */
function globRegExp(glob) {
  const source = glob
    .split('/')
    .map((part) => (part === '**' ? '(?:.*/)?' : `${part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}/`))
    .join('')
    .replace(/\/$/, '');
  return new RegExp(`^${source.replace(/\(\?:\.\*\/\)\?$/, '.*')}$`);
}

/** The build's inputs: what tsconfig.build.json's include matches and its exclude does not, relative to the root. */
export function buildInputs() {
  const { include, exclude = [] } = JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8'));
  const included = include.map(globRegExp);
  const excluded = exclude.map(globRegExp);
  const folders = [...new Set(include.map((glob) => glob.split('/')[0]))];
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (!entry.name.endsWith('.d.ts') && included.some((re) => re.test(path)) && !excluded.some((re) => re.test(path))) files.push(path);
    }
  };
  for (const folder of folders) if (existsSync(join(root, folder))) walk(folder);
  return { folders, files: files.sort() };
}

const OPTIONS = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'es6' },
  sourceMaps: true,
  inlineSourcesContent: false,
  swcrc: false,
  configFile: false,
};

/**
 * The block manifest (src/blocks/library/block-manifest.ts) beside the compiled library, from the compiled
 * library itself, and its precompiled input validators: `trellis validate` reads them instead of loading every
 * block and compiling schemas. Answers why it failed, or null.
 */
async function writeBlockManifest(next) {
  const folder = join(next, 'src', 'blocks', 'library');
  if (!existsSync(join(folder, 'block-manifest.js'))) return null;
  try {
    const { BLOCK_LIBRARY } = await import(pathToFileURL(join(folder, 'index.js')).href);
    const { blockManifest, BLOCK_MANIFEST_FILE } = await import(pathToFileURL(join(folder, 'block-manifest.js')).href);
    // Every schema compiles, checked against the meta-schema: the manifest's blocks skip that check when used.
    const { BlocksRegistry } = await import(pathToFileURL(join(next, 'src', 'blocks', 'blocks.registry.js')).href);
    new BlocksRegistry(BLOCK_LIBRARY);
    const manifest = blockManifest(BLOCK_LIBRARY);
    writeFileSync(join(folder, BLOCK_MANIFEST_FILE), JSON.stringify(manifest));
    // The manifest's input schemas as precompiled validators (src/blocks/library/block-validators.ts), from the
    // manifest itself: `trellis validate` runs them without ajv's compiler.
    const { blockValidatorsModule, BLOCK_VALIDATORS_FILE } = await import(pathToFileURL(join(folder, 'block-validators.js')).href);
    writeFileSync(join(folder, BLOCK_VALIDATORS_FILE), blockValidatorsModule(manifest));
    return null;
  } catch (error) {
    return `src/blocks/library/block-manifest.json and its validators: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** Compiles every input into dist/; prints each file that does not compile and answers false. */
export async function build() {
  const started = Date.now();
  // Loaded here, not with the module: `npm start` imports this file for buildInputs() on every start.
  const { default: swc } = await import('@swc/core');
  const { folders, files } = buildInputs();
  // Compiled beside dist/'s folders, then swapped in by rename: a process started from dist/ meanwhile (a test's
  // child, a second server) finds the old build or the new one, never a half-written one.
  const next = join(OUT, `.build-${process.pid}`);
  rmSync(next, { recursive: true, force: true });
  const failures = [];
  await Promise.all(
    files.map(async (file) => {
      const target = join(next, file.replace(/\.ts$/, '.js'));
      try {
        const { code, map } = await swc.transformFile(join(root, file), {
          ...OPTIONS,
          filename: file,
          sourceFileName: relative(dirname(join(OUT, file)), join(root, file))
            .split(sep)
            .join('/'),
        });
        mkdirSync(dirname(target), { recursive: true });
        const built = useVendorBundles(code, file.replace(/\.ts$/, '.js'));
        writeFileSync(target, `${built}\n//# sourceMappingURL=${target.split(sep).pop()}.map\n`);
        if (map) writeFileSync(`${target}.map`, map);
      } catch (error) {
        failures.push(`${file}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }),
  );
  for (const name of failures.length === 0 ? VENDOR_PACKAGES : []) {
    try {
      mkdirSync(dirname(join(next, vendorFile(name))), { recursive: true });
      writeFileSync(join(next, vendorFile(name)), bundlePackage(name, root));
    } catch (error) {
      failures.push(`${vendorFile(name)}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (failures.length === 0) {
    const failure = await writeBlockManifest(next);
    if (failure) failures.push(failure);
  }
  if (failures.length > 0) {
    rmSync(next, { recursive: true, force: true });
    console.error(`build: ${failures.length} file(s) did not compile (dist/ is left as it was):\n${failures.join('\n')}`);
    return false;
  }
  for (const folder of folders) {
    const current = join(OUT, folder);
    const old = join(OUT, `.old-${process.pid}-${folder}`);
    if (existsSync(current)) renameSync(current, old);
    if (existsSync(join(next, folder))) renameSync(join(next, folder), current);
    rmSync(old, { recursive: true, force: true });
  }
  rmSync(next, { recursive: true, force: true });
  console.error(`build: ${files.length} files compiled into dist/ in ${Date.now() - started} ms (types are checked by npm run typecheck)`);
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url) && !(await build())) process.exitCode = 1;
