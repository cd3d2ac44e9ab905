// Process entry point; kept apart from main.ts so tests can import the program without running it.
import { main } from './main.js';

const code = await main(process.argv);
// Commands close what they open; exiting here guards against a stray handle keeping the CLI alive.
process.exit(code);
