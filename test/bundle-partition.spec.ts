// A full run runs bundles (test/bundles/bundles.js) instead of the spec files: no spec may be left out of them,
// or be run twice, and every bundle the partition fills has its file.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { BUNDLES, bundleFiles, bundlePath, layerFiles, standaloneFiles, type Layer } from './bundles/bundles.js';

const ROOT = process.cwd();
const LAYERS: Layer[] = ['unit', 'e2e'];

describe('test bundles', () => {
  it.each(LAYERS)('run every %s spec exactly once, in a bundle or alone', (layer) => {
    const bundled = Array.from({ length: BUNDLES[layer] }, (_, i) => bundleFiles(ROOT, layer, i + 1)).flat();
    const alone = standaloneFiles(ROOT, layer);
    const runs = [...bundled, ...alone].sort();
    expect(new Set(runs).size).toBe(runs.length);
    expect(runs).toEqual(layerFiles(ROOT, layer));
    expect(layerFiles(ROOT, layer)).toContain(layer === 'unit' ? 'test/pyramid.spec.ts' : 'test/e2e/health.e2e-spec.ts');
  });

  it('has one file per bundle, and no other', () => {
    const expected = LAYERS.flatMap((layer) => Array.from({ length: BUNDLES[layer] }, (_, i) => bundlePath(layer, i + 1)));
    for (const file of expected) expect(existsSync(join(ROOT, file))).toBe(true);
    const onDisk = readdirSync(join(ROOT, 'test', 'bundles')).filter((name) => name.endsWith('.bundle.ts'));
    expect(onDisk.map((name) => join('test', 'bundles', name)).sort()).toEqual([...expected].sort());
  });
});
