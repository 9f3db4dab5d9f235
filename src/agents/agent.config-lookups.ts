// What `trellis validate` can check without a database: credential names of config/credentials.yaml
// and the channels of config/notifications.yaml. A configuration that does not load is said, not fatal.
import { ConfigError, loadConfig } from '../config/config.loader.js';
import type { ValidationContext } from '../agent-format/agent.context.js';
import type { CliIo } from './agents.command.js';

export function configLookups(io: CliIo): Omit<ValidationContext, 'blocks'> {
  let config;
  try {
    config = loadConfig({ env: io.env, cwd: io.cwd });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(`note: the configuration does not load, so credential names and notification channels are not checked:\n${error.message}\n`);
    return {};
  }
  const credentials = config.credentials;
  const channels = Object.keys(config.notificationChannels);
  return {
    credentials: {
      describe: 'config/credentials.yaml',
      check(name) {
        const found = credentials[name];
        // A user's own database credential of that name may exist: not certain without a database.
        return found ? { found: true, certain: true, provider: found.provider, type: found.type } : { found: false, certain: false };
      },
    },
    channels: { names: () => channels },
    // server.public_url is not checked here: a deployment often sets it in its environment, which a checkout's
    // CI does not see; sync, plan and POST /api/agents/validate check it against the server's own configuration.
  };
}
