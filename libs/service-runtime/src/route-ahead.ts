/**
 * Serves one hot route straight from node:http, ahead of Express and Nest: the server's request listener (the
 * Express app) is wrapped so that `method path` (any query string aside) goes to `handler` and every other
 * request to the app as before. For a route whose own work is small next to the framework's per-request
 * pipeline (the Stripe webhook); everything else stays in Nest.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { INestApplication } from '@nestjs/common';

export type RawHandler = (req: IncomingMessage, res: ServerResponse) => void;

export function routeAheadOfFramework(
  app: INestApplication,
  method: string,
  path: string,
  handler: RawHandler,
): void {
  const server = app.getHttpServer() as Server;
  const framework = server.listeners('request') as RawHandler[];
  if (framework.length === 0) throw new Error('the HTTP server has no request listener to wrap');
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === method && pathOf(req.url) === path) return handler(req, res);
    for (const listener of framework) listener(req, res);
  });
}

function pathOf(url: string | undefined): string {
  if (url === undefined) return '';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
