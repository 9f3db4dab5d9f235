// Types of built-dist.js (plain JavaScript: jest's global setup loads it without a TypeScript loader).
export const ROOT: string;
export const TRELLIS_BIN: string;
export const SERVER_MAIN: string;
export function buildIsCurrent(): boolean;
export function withBuildLock<T>(fn: () => Promise<T> | T): Promise<T>;
export function ensureBuilt(): Promise<void>;
