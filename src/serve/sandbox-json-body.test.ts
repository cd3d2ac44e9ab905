import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { installErrorHandling } from './http-errors.js';
import { parseJsonBody, useFastJsonParser } from './sandbox-json-body.js';

describe('JSON bodies', () => {
  it('parses plain JSON, including a "constructor" inside a string value', () => {
    expect(parseJsonBody('{"code":"x.constructor","images":["aGk="]}')).toEqual({
      code: 'x.constructor',
      images: ['aGk='],
    });
  });

  it('refuses prototype-poisoning keys at any depth', () => {
    expect(() => parseJsonBody('{"a":[{"__proto__":{"admin":true}}]}')).toThrow(/forbidden key "__proto__"/);
    expect(() => parseJsonBody('{"constructor":{"prototype":{}}}')).toThrow(/forbidden key/);
  });

  it('answers 400 with a message for malformed and empty bodies', async () => {
    const app = Fastify();
    useFastJsonParser(app);
    installErrorHandling(app, { serverName: 'sandbox server' });
    app.post('/echo', async (request) => request.body);
    const bad = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"a":',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('invalid-json');
    const empty = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload: '',
    });
    expect(empty.statusCode).toBe(400);
    const good = await app.inject({ method: 'POST', url: '/echo', payload: { ok: 1 } });
    expect(good.json()).toEqual({ ok: 1 });
    await app.close();
  });
});
