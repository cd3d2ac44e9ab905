import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeRequest = {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
};
export type FakeReply = {
  status?: number;
  json?: unknown;
  text?: string;
  body?: Uint8Array;
  headers?: Record<string, string>;
  delayMs?: number;
};

/**
 * A real HTTP server on 127.0.0.1 (port 0) for provider tests: every request is recorded and
 * answered by `handler`, so tests exercise the real fetch, headers, timeouts and retries.
 */
export async function startFakeServer(handler: (request: FakeRequest) => FakeReply | Promise<FakeReply>) {
  const requests: FakeRequest[] = [];
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', async () => {
      const url = new URL(incoming.url ?? '/', 'http://127.0.0.1');
      const request = {
        method: incoming.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: incoming.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(request);
      const reply = await handler(request);
      if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
      if (outgoing.destroyed) return;
      const payload =
        reply.json !== undefined
          ? JSON.stringify(reply.json)
          : reply.body
            ? Buffer.from(reply.body)
            : (reply.text ?? '');
      outgoing.writeHead(reply.status ?? 200, {
        'content-type':
          reply.json !== undefined ? 'application/json' : reply.body ? 'image/png' : 'text/plain',
        ...reply.headers,
      });
      outgoing.end(payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
