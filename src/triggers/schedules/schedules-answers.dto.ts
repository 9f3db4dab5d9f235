// Answer shapes of the schedules API for the OpenAPI document; schedules-api.service.ts builds them.
import { ANY_OBJECT, apiSchema, nullable, pageOf, TIME } from '../../common/api-docs.dto.js';

export const SCHEDULE = apiSchema('Schedule', {
  type: 'object',
  required: ['id', 'kind', 'graph_id', 'cron', 'timezone', 'paused', 'active', 'next_fire_times', 'created_at'],
  properties: {
    id: { type: 'string' },
    kind: { type: 'string', enum: ['trigger', 'adhoc'], description: 'trigger: a trigger.cron node; adhoc: made through the API.' },
    graph_id: { type: 'string' },
    node_id: nullable({ type: 'string' }),
    cron: { type: 'string', example: '0 9 * * 1-5' },
    timezone: { type: 'string', example: 'Europe/Paris' },
    inputs: ANY_OBJECT,
    payload: {},
    user_id: nullable({ type: 'string' }),
    paused: { type: 'boolean' },
    paused_reason: nullable({ type: 'string' }),
    active: { type: 'boolean', description: 'False when the graph is inactive: the schedule does not fire.' },
    next_fire_times: { type: 'array', items: TIME },
    last_fired_at: nullable(TIME),
    created_at: TIME,
  },
});

export const SCHEDULE_PAGE = apiSchema('SchedulePage', pageOf(SCHEDULE));
