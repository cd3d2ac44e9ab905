#!/usr/bin/env node
// The `deepeyes` command, straight from a checkout: tsx compiles the TypeScript CLI in this same process
// (its ESM loader hook), so the installed command is one process. Signals reach the CLI itself — once — and
// the CLI's own handlers stop servers, kernels and evaluations cleanly; no launcher can be killed alone and
// leave its child orphaned.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/entry.ts');
