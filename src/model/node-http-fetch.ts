import http from 'node:http';
import https from 'node:https';

/** The part of `fetch` the model client uses: a whole JSON request and a whole text answer. */
export type HttpFetch = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string | undefined; signal: AbortSignal },
) => Promise<{ status: number; headers: { get(name: string): string | null }; text(): Promise<string> }>;

// Kept-alive sockets without a cap: concurrency is the caller's to set (--concurrency), as with fetch.
const agents = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
};

/**
 * `fetch`'s contract for one JSON call over node:http. Two reasons not to use the global `fetch`:
 * undici's fetch costs ~1 ms of CPU per call here, which at 32 concurrent 200 ms calls is what keeps a
 * curation stage below the model server's pace (bench/curate); and it has its own 300 s header and body
 * timeouts, which cut long generations under a larger `--timeout` with a message that names neither.
 * The only limit here is the caller's signal.
 */
export const nodeHttpFetch: HttpFetch = (url, init) =>
  new Promise((resolve, reject) => {
    const target = new URL(url);
    const transport = target.protocol === 'https:' ? https : http;
    const agent = target.protocol === 'https:' ? agents['https:'] : agents['http:'];
    const headers: Record<string, string | number> = { ...init.headers };
    if (init.body !== undefined) headers['content-length'] = Buffer.byteLength(init.body);
    const request = transport.request(
      target,
      { method: init.method, headers, agent, signal: init.signal },
      (response) => {
        const chunks: Buffer[] = [];
        let ended = false;
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          ended = true;
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: response.statusCode ?? 0,
            headers: {
              get: (name) => {
                const value = response.headers[name.toLowerCase()];
                return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
              },
            },
            text: async () => text,
          });
        });
        response.on('error', reject);
        response.on('close', () => {
          if (!ended) reject(new Error(`the connection to ${target.host} closed before the answer ended`));
        });
      },
    );
    request.on('error', reject);
    request.end(init.body);
  });
