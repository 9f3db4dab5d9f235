// The WebSocket protocol (interfaces.md "WebSocket"): what a client may send, parsed and checked here so
// the session only sees well-formed actions; every refusal says what to send instead.

export const WsErrorCode = {
  BAD_MESSAGE: 'BAD_MESSAGE',
  UNKNOWN_ACTION: 'UNKNOWN_ACTION',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  TOO_MANY_SUBSCRIPTIONS: 'TOO_MANY_SUBSCRIPTIONS',
  INTERNAL: 'INTERNAL',
} as const;
export type WsErrorCode = (typeof WsErrorCode)[keyof typeof WsErrorCode];

export const WS_ACTIONS = ['auth', 'subscribe', 'unsubscribe'] as const;

/** What a subscription names: one execution, or every execution of one graph. */
export type WsTarget = { execution_id: string; graph_id?: undefined } | { graph_id: string; execution_id?: undefined };

export type WsAction = { action: 'auth'; token: string } | ({ action: 'subscribe' | 'unsubscribe' } & WsTarget);

export interface WsError {
  code: WsErrorCode;
  message: string;
}

/** Every message the server sends: `{event, data}`. */
export interface WsOutgoing {
  event: string;
  data: Record<string, unknown>;
}

export function wsError(code: WsErrorCode, message: string): WsOutgoing {
  return { event: 'error', data: { code, message } };
}

const TARGET_HINT = 'send {"action":"subscribe","execution_id":"<id>"} or {"action":"subscribe","graph_id":"<agent name>"}';

/** Parses one text frame into an action, or the error to answer. */
export function parseClientMessage(text: string): WsAction | WsError {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return { code: WsErrorCode.BAD_MESSAGE, message: `The message is not JSON. Send one JSON object per message, like {"action":"auth","token":"..."}.` };
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    return { code: WsErrorCode.BAD_MESSAGE, message: 'The message must be a JSON object with an "action", like {"action":"subscribe","execution_id":"..."}.' };
  }
  const fields = message as Record<string, unknown>;
  const action = fields.action;
  if (typeof action !== 'string' || !(WS_ACTIONS as readonly string[]).includes(action)) {
    const got = action === undefined ? 'no "action"' : `the action ${JSON.stringify(action)}`;
    return { code: WsErrorCode.UNKNOWN_ACTION, message: `The message has ${got}; the actions are: ${WS_ACTIONS.join(', ')}.` };
  }
  if (action === 'auth') {
    if (typeof fields.token !== 'string' || fields.token.trim() === '') {
      return {
        code: WsErrorCode.BAD_MESSAGE,
        message: 'The auth message needs a "token": a JWT or an API key (trl_...), like {"action":"auth","token":"trl_..."}.',
      };
    }
    return { action, token: fields.token.trim() };
  }
  const verb = action as 'subscribe' | 'unsubscribe';
  const execution = fields.execution_id;
  const graph = fields.graph_id;
  if (execution !== undefined && graph !== undefined) {
    return { code: WsErrorCode.BAD_MESSAGE, message: `Give either "execution_id" or "graph_id", not both: ${TARGET_HINT}.` };
  }
  if (typeof execution === 'string' && execution !== '') return { action: verb, execution_id: execution };
  if (typeof graph === 'string' && graph !== '') return { action: verb, graph_id: graph };
  return { code: WsErrorCode.BAD_MESSAGE, message: `The ${verb} message needs a non-empty "execution_id" or "graph_id" string: ${TARGET_HINT}.` };
}

export function isWsError(value: WsAction | WsError): value is WsError {
  return 'code' in value;
}

/** The token of `GET /ws?token=...`, if any (the URL itself is never logged). */
export function tokenFromUrl(url: string | undefined): string | null {
  if (!url) return null;
  const query = url.indexOf('?');
  if (query < 0) return null;
  const token = new URLSearchParams(url.slice(query + 1)).get('token');
  return token && token.trim() ? token.trim() : null;
}
