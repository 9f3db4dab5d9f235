// Types of bundles.js (plain JavaScript, since jest.config.js loads it without a TypeScript loader).
export type Layer = 'unit' | 'e2e';
export const BUNDLES: Record<Layer, number>;
export function bundlesEnabled(): boolean;
export function layerFiles(root: string, layer: Layer): string[];
export function standaloneFiles(root: string, layer: Layer): string[];
export function bundleFiles(root: string, layer: Layer, index: number): string[];
export function bundlePlan(root: string): Record<Layer, string[][]>;
export function bundlePath(layer: Layer, index: number): string;
