// Sends a webhook answer: JSON for values, text as is (an `http_response` body may be either).
import type { ServerResponse } from 'node:http';
import type { Response } from 'express';

export interface Answer {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

/** The hot path's own answer (202 {execution_id}, no headers of its own), which Node's API alone writes. */
export function isPlainAcceptance(answer: Answer): boolean {
  return answer.status === 202 && Object.keys(answer.headers).length === 0;
}

/** A plain acceptance, written at once (without Express's ETag over a POST's answer). */
export function writeAcceptance(res: ServerResponse, answer: Answer): void {
  const json = JSON.stringify(answer.body);
  res.writeHead(202, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(json) });
  res.end(json);
}

export function sendAnswer(res: Response, answer: Answer): void {
  if (isPlainAcceptance(answer)) {
    writeAcceptance(res, answer);
    return;
  }
  res.status(answer.status);
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
  if (typeof answer.body === 'string' && !hasContentType(answer.headers)) {
    res.type('text/plain').send(answer.body);
  } else if (typeof answer.body === 'string') {
    res.send(answer.body);
  } else {
    res.json(answer.body ?? null);
  }
}

function hasContentType(headers: Record<string, string>): boolean {
  return Object.keys(headers).some((name) => name.toLowerCase() === 'content-type');
}
