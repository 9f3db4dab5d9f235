// Errors of sync and plan.
import { AppError } from '../common/errors.js';

export function agentsFolderMissing(folder: string): AppError {
  return new AppError(
    'AGENTS_FOLDER_MISSING',
    `The agents folder ${folder} does not exist (or is not a folder), so there is nothing to sync. Set AGENTS_DIR to the folder of your agent files, or create it.`,
    { folder },
    409,
  );
}
