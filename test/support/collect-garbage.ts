import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full collection, for tests that check what is let go (with weak references). Vitest runs
 * without --expose-gc: the flag set at run time gives a fresh context its `gc` function.
 */
export function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}
