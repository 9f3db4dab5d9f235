// Errors of the graphs API.
import { AppError, validationFailed } from '../common/errors.js';

export function graphNotFound(id: string): AppError {
  return new AppError('NOT_FOUND', `No graph "${id}" exists, or you may not see it. List the graphs you can see with GET /api/graphs.`, { graph: id });
}

export function graphVersionNotFound(id: string, version: number, latest: number): AppError {
  return new AppError('NOT_FOUND', `Graph "${id}" has no version ${version}; its versions are 1 to ${latest} (GET /api/graphs/${id}/versions).`, {
    graph: id,
    version,
  });
}

/** PUT or DELETE of a graph that comes from an agent file: the file is the source of truth. */
export function fileManaged(id: string, file: string | null, action: string): AppError {
  const where = file ? `the agent file ${file} (in the agents folder)` : 'its agent file';
  return new AppError(
    'FILE_MANAGED',
    `Graph "${id}" comes from ${where}, so it can't be ${action} through the API. Edit or delete that file and sync (a push to the agents repository, POST /api/agents/sync or trellis sync).`,
    { graph: id, file },
  );
}

export function graphNameTaken(id: string): AppError {
  return new AppError(
    'CONFLICT',
    `A graph named "${id}" already exists (names are unique across agent files and the API). Choose another name, or send a new version with PUT /api/graphs/${id} if it is yours.`,
    { graph: id },
  );
}

export function pinningNeedsAdmin(id: string): AppError {
  return new AppError(
    'FORBIDDEN',
    `Graph "${id}" comes from an agent file; pinning or unpinning it changes it for everyone, so only admins may. Ask an admin, or change the file.`,
    { graph: id },
  );
}

export function presetNameTaken(graph: string, name: string): AppError {
  return new AppError('CONFLICT', `You already have a preset named "${name}" for graph "${graph}". Choose another name.`, { graph, name });
}

export function versionProblem(message: string): AppError {
  return validationFailed([{ pointer: '/version', message }]);
}

export function badGraphCursor(): AppError {
  return validationFailed([
    { pointer: '/cursor', message: 'not a cursor from a previous page: pass the next_cursor of a previous answer, or leave it out to start over' },
  ]);
}
