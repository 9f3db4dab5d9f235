// The answer of POST /webhooks/{agent}/{node}/events/{key} for the OpenAPI document.
import { ANY_OBJECT, apiSchema } from '../common/api-docs.dto.js';

export const EVENT_ACCEPTED = apiSchema('EventAccepted', { ...ANY_OBJECT, description: 'Always {}: nothing tells whether anything waits.' });
