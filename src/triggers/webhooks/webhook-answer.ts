// Sends a webhook answer: JSON for values, text as is (an `http_response` body may be either).
import type { Response } from 'express';

export interface Answer {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

export function sendAnswer(res: Response, answer: Answer): void {
  if (answer.status === 202 && Object.keys(answer.headers).length === 0) {
    // The hot path's own answer ({execution_id}): written at once, without Express's ETag over a POST's answer.
    const json = JSON.stringify(answer.body);
    res.writeHead(202, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(json) });
    res.end(json);
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
