// Error codes of the schedules API.
import { AppError, notFound } from '../../common/errors.js';

export const scheduleNotFound = (id: string): AppError =>
  new AppError('NOT_FOUND', `No schedule "${id}" exists, or you may not see it. List schedules with GET /api/schedules.`, { schedule_id: id });

export const graphNotFound = (id: string): AppError => notFound('graph', id);

export const graphInactive = (id: string): AppError =>
  new AppError(
    'CONFLICT',
    `Graph "${id}" is not active, so a schedule of it would never fire. Activate it first (PUT /api/graphs/${id}/versions/active, or sync its file).`,
    { graph_id: id },
  );

export const triggerScheduleNotDeletable = (id: string, graph: string, node: string | null): AppError =>
  new AppError(
    'CONFLICT',
    `Schedule "${id}" is the trigger.cron node "${node}" of graph "${graph}": remove the node from the agent to delete it, or pause it with PATCH /api/schedules/${id} {"paused": true}.`,
    { schedule_id: id, graph_id: graph, node_id: node },
  );

export const scheduleNotYours = (id: string): AppError =>
  new AppError('FORBIDDEN', `Schedule "${id}" belongs to someone else (or to an agent file): only its creator or an admin may change it.`, { schedule_id: id });
