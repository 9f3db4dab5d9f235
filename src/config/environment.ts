// The process environment as a whole, for the few places that hand it on rather than read a setting from it
// (the CLI's io, child processes). Settings are read by the config loader only; this is the one other reader.

/** The environment the process was started with (the CLI hands it to the config loader). */
export function processEnvironment(): NodeJS.ProcessEnv {
  return process.env;
}

/**
 * The environment for a `git` child process run in a given folder: the process's own, without GIT_DIR and
 * GIT_WORK_TREE, so git finds the folder's repository whatever the server was started with.
 */
export function gitEnvironment(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.GIT_DIR;
  delete env.GIT_WORK_TREE;
  return env;
}
