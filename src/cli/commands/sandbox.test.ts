import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { memoryIO } from '../io.js';
import { registerSandboxCommand, sandboxServeFlagsSchema, serveSandbox } from './sandbox.js';

describe('deepeyes sandbox serve', () => {
  it('parses string flags from commander into typed options', () => {
    expect(
      sandboxServeFlagsSchema.parse({
        port: '0',
        maxSessions: '3',
        sessionTtl: '60',
        unsafeNoIsolation: true,
      }),
    ).toMatchObject({ host: '127.0.0.1', port: 0, maxSessions: 3, sessionTtl: 60, unsafeNoIsolation: true });
    expect(() => sandboxServeFlagsSchema.parse({ port: 'eighty' })).toThrow();
  });

  it('registers the serve subcommand with its flags', () => {
    const program = new Command('deepeyes');
    registerSandboxCommand(program, memoryIO());
    const serve = program.commands.find((command) => command.name() === 'sandbox')?.commands[0];
    expect(serve?.name()).toBe('serve');
    const flags = serve?.options.map((option) => option.long);
    expect(flags).toEqual(
      expect.arrayContaining([
        '--host',
        '--port',
        '--max-sessions',
        '--session-ttl',
        '--token',
        '--unsafe-no-isolation',
        '--process-limit',
        '--cpu-time-limit',
        '--max-output-chars',
        '--max-images',
        '--no-kernel-lane',
      ]),
    );
  });

  it('applies the limit flags to the kernels it serves', async () => {
    const io = memoryIO();
    const server = await serveSandbox(
      { port: 0, poolSize: 0, maxSessions: 1, maxOutputChars: '20', processLimit: '16', kernelLane: false },
      io,
    );
    try {
      const response = await fetch(`${server.url}/jupyter_sandbox`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          session_id: 'limits',
          code: 'import resource\nprint(resource.getrlimit(resource.RLIMIT_NPROC)[0])\nprint("x" * 50)',
        }),
      });
      const stdout = ((await response.json()) as { output: { stdout: string } }).output.stdout;
      expect(stdout.startsWith('16\n')).toBe(true);
      expect(stdout).toContain('[deepeyes: stdout truncated at 20 characters]');
    } finally {
      await server.close();
    }
  });

  it('serves the v1 API over real HTTP on a free port', async () => {
    const io = memoryIO();
    const server = await serveSandbox({ port: 0, poolSize: 0, maxSessions: 2, token: 'abc' }, io);
    try {
      expect(io.stdout.join('')).toContain(server.url);
      const response = await fetch(`${server.url}/jupyter_sandbox`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer abc' },
        body: JSON.stringify({ session_id: 'cli', code: 'print(6 * 7)' }),
      });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { output: { stdout: string } }).output.stdout).toBe('42\n');
    } finally {
      await server.close();
    }
  });
});
