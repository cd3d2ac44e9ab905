import type { FastifyInstance } from 'fastify';
import { HttpError } from './http-errors.js';

/** Keys that could reach an object's prototype if a body were merged into another object. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * JSON.parse, then refuse prototype-poisoning keys by walking the parsed keys.
 * fastify's default parser finds them by running regexes over the whole text, which
 * costs ~10 ms on a request carrying a 3 MB base64 image; the walk costs nothing there.
 */
export function parseJsonBody(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, 'invalid-json', `The body is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const current = pending.pop();
    if (current === null || typeof current !== 'object') continue;
    if (Array.isArray(current)) {
      pending.push(...current);
      continue;
    }
    for (const [key, item] of Object.entries(current)) {
      if (FORBIDDEN_KEYS.has(key)) {
        throw new HttpError(400, 'invalid-json', `The body has a forbidden key "${key}"`);
      }
      pending.push(item);
    }
  }
  return value;
}

/** Replaces the app's application/json parser with {@link parseJsonBody}. */
export function useFastJsonParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    try {
      // As fastify's own parser does, an empty body with this content type is refused.
      if (text === '') throw new HttpError(400, 'invalid-json', 'The body is empty but says it is JSON');
      done(null, parseJsonBody(text));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}
