import { describe, expect, it } from 'vitest';
import { memoryIO } from './io.js';
import { buildProgram, COMMANDS } from './main.js';

describe('lazily loaded commands', () => {
  it('each table summary is the loaded command’s own description, under the same name', async () => {
    const program = await buildProgram(memoryIO());
    const loaded = program.commands.map((command) => [command.name(), command.description()]);
    expect(loaded).toEqual(COMMANDS.map((entry) => [entry.name, entry.summary]));
  });

  it('loads only the command the arguments name; the others are listed by summary', async () => {
    const program = await buildProgram(memoryIO(), ['eval', '--bench', 'vstar']);
    const withOptions = program.commands.filter((command) => command.options.length > 0).map((c) => c.name());
    expect(withOptions).toEqual(['eval']);
    const help = await buildProgram(memoryIO(), ['help', 'report']);
    expect(help.commands.find((c) => c.name() === 'report')?.options.length).toBeGreaterThan(0);
  });

  it('`deepeyes --help` lists every command without loading any', async () => {
    const io = memoryIO();
    const program = (await buildProgram(io, ['--help'])).exitOverride();
    await expect(program.parseAsync(['--help'], { from: 'user' })).rejects.toThrow();
    const text = io.stdout.join('');
    for (const entry of COMMANDS) expect(text).toMatch(new RegExp(`\\n  ${entry.name} `));
    expect(program.commands.every((command) => command.options.length === 0)).toBe(true);
  });
});
