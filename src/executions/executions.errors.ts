// Errors of the execution API (codes map to statuses in common/errors.ts).
import { AppError } from '../common/errors.js';

export function executionNotFound(id: string): AppError {
  return new AppError('NOT_FOUND', `No execution "${id}" exists, or you may not see it. List yours with GET /api/executions.`, { execution_id: id });
}

export function graphNotFound(id: string, version?: number): AppError {
  return new AppError(
    'NOT_FOUND',
    version !== undefined
      ? `Agent "${id}" has no version ${version}, or you may not see it. List its versions with GET /api/graphs/${id}/versions.`
      : `No agent "${id}" exists, is active, or may be seen by you. List them with GET /api/graphs.`,
    { graph_id: id, ...(version !== undefined ? { version } : {}) },
  );
}

export function insufficientCredits(balance: number): AppError {
  return new AppError(
    'INSUFFICIENT_CREDITS',
    `Your credit balance is ${balance}: nothing can run. Ask an admin for a top-up (POST /api/admin/users/{user_id}/credits).`,
    { balance },
  );
}

export function badCursor(): AppError {
  return new AppError(
    'BAD_REQUEST',
    'The cursor is not one this list gave out: pass next_cursor from the previous page unchanged, or leave it out for the first page.',
    {},
  );
}

export function badWait(raw: string): AppError {
  return new AppError('BAD_REQUEST', `?wait=${raw} is not a duration of at most 60s: use text like 500ms, 5s or 60s.`, { wait: raw });
}

export function adminOnlyForFileAgent(graphId: string, what: string, pointer: string): AppError {
  return new AppError(
    'FORBIDDEN',
    `Only admins may ${what} of the file agent "${graphId}": a file agent runs what its reviewed file says. Run it with inputs on its active version, or ask an admin.`,
    { graph_id: graphId, pointer },
  );
}

/** POST /api/executions/{id}/retry of an execution that did not fail or was not cancelled (409). */
export function notRetriable(id: string, status: string): AppError {
  const what = status === 'COMPLETED' ? 'completed' : `is ${status}`;
  const hint =
    status === 'COMPLETED'
      ? `To run it again from the start, use POST /api/executions/${id}/rerun.`
      : `Wait for it to end, or stop it (POST /api/graphs/{graph_id}/executions/${id}/stop), then retry.`;
  return new AppError('CONFLICT', `Execution "${id}" ${what}: only a FAILED or CANCELLED execution can be retried from its failure. ${hint}`, {
    execution_id: id,
    status,
  });
}

/** version: latest, and the agent's active version no longer takes what the execution was started with (400). */
export function retryDoesNotFit(id: string, graphId: string, problems: string): AppError {
  return new AppError(
    'VALIDATION_FAILED',
    `The active version of "${graphId}" no longer fits execution "${id}": ${problems}. Retry with {"version": "same"}, or start a new run.`,
    { execution_id: id, graph_id: graphId, pointer: '/version' },
  );
}
