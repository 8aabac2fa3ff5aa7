/**
 * `npm start`: one hub node from the environment. With nothing set, the embedded default: PGlite
 * in ./.data, the event log in its events table, a development signing secret (see the banner).
 */
import { runNode } from './node/run.js';

await runNode();
