// The process's root logger: pino JSON lines, each with the request id of the request it belongs to, secrets
// redacted. Apart from logger.ts (Nest's side) so that a server can log while its database starts, before Nest loads.
import { pino, type Logger } from 'pino';
import { errorSerializer } from './log-serializers.js';
import { currentRequestId } from './request-context.js';

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Errors are printed without SQL or driver parameters (a write's bound values: node data, secrets).
      serializers: { err: errorSerializer, error: errorSerializer },
      mixin() {
        const requestId = currentRequestId();
        return requestId ? { request_id: requestId } : {};
      },
      // Secrets must never reach a log line, whatever object is logged.
      redact: {
        paths: [
          '*.password',
          '*.secret',
          '*.token',
          '*.api_key',
          '*.authorization',
          '*.Authorization',
          '*["x-api-key"]',
          'req.headers.authorization',
          'req.headers["x-api-key"]',
          // Credential shapes: stored secrets, OAuth2 tokens, PKCE verifiers and client secrets.
          'secrets',
          '*.secrets',
          'access_token',
          '*.access_token',
          'refresh_token',
          '*.refresh_token',
          'code_verifier',
          '*.code_verifier',
          'client_secret',
          '*.client_secret',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
