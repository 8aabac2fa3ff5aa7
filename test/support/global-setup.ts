/** Vitest global setup: the browser tests load the built pages from the hub. */
import { ensureWebBuilt } from '../../scripts/web-build.js';

export default function setup(): void {
  ensureWebBuilt();
}
