// Where the CLI's remote mode sends its requests: `--server`/`--api-key` on the command line, else
// TRELLIS_SERVER and TRELLIS_API_KEY. The environment is read here, in config/, as everywhere else.

export interface RemoteFlags {
  server?: string;
  apiKey?: string;
}

export interface RemoteSettings {
  /** The server's base URL, without a trailing slash; null when neither flag nor variable names one. */
  server: string | null;
  apiKey: string | null;
}

/** Flags win over the environment; blank values count as unset. */
export function remoteSettings(flags: RemoteFlags, env: NodeJS.ProcessEnv): RemoteSettings {
  const server = flags.server?.trim() || env.TRELLIS_SERVER?.trim() || null;
  const apiKey = flags.apiKey?.trim() || env.TRELLIS_API_KEY?.trim() || null;
  return { server: server ? server.replace(/\/+$/, '') : null, apiKey };
}

/** Whether the environment alone selects the remote mode (TRELLIS_SERVER set and not blank). */
export function serverFromEnvironment(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.TRELLIS_SERVER?.trim());
}
