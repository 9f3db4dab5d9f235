// The one error config loading throws: every problem found (not only the first), each naming the file or
// environment variable, the key and the reason, so an operator fixes them all in one go.
export interface ConfigProblem {
  file: string;
  key: string;
  reason: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(
      `Trellis cannot start: the configuration has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n` +
        problems.map((p) => `  ${p.file}: ${p.key}: ${p.reason}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}
