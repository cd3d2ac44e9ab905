import { spawn } from 'node:child_process';
import { UserError } from '../../errors.js';

/**
 * Runs a trainer in the foreground (`llamafactory-cli train x.yaml`, `python3 -m verl.trainer.main_ppo …`):
 * inherits stdio, forwards SIGINT/SIGTERM to it, and resolves with its exit code (128 + signal number
 * when it died of a signal), so `deepeyes train … --launch local` exits as the trainer did.
 */
export function runLocal(
  argv: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<number> {
  const [command, ...args] = argv;
  if (!command) return Promise.reject(new UserError('launch-empty', 'no command to run'));
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: 'inherit',
      env: { ...process.env, ...options.env },
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
    const forward = (signal: NodeJS.Signals) => () => void child.kill(signal);
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    const cleanup = () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      cleanup();
      reject(
        error.code === 'ENOENT'
          ? new UserError('launch-not-installed', `${command} is not installed (not found on PATH)`, {
              cause: error,
              hint:
                command === 'llamafactory-cli'
                  ? 'install LLaMA-Factory (pip install -e ".[torch,metrics,deepspeed]" in its checkout), or use --launch ray, or --print the YAML and run it yourself'
                  : `install ${command}, or use --launch ray`,
            })
          : error,
      );
    });
    child.on('exit', (code, signal) => {
      cleanup();
      const signals: Record<string, number> = { SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
      resolve(code ?? 128 + (signal ? (signals[signal] ?? 1) : 1));
    });
  });
}
