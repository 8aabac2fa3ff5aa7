/** Builds the wallboard and the console when missing or stale (run before `npm start` and `npm run demo`). */
import { ensureWebBuilt } from './web-build.js';

const built = ensureWebBuilt();
if (built.length > 0) console.log(`built: ${built.join(', ')}`);
