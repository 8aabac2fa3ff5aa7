/** A refusal from the hub, said plainly, with its code for the administrator. */
import type { PulseError } from '../../sdk/src/index.js';

export function ErrorNote({ error, what }: { error: PulseError; what: string }) {
  const missing = error.code === 'not_found' && error.status === 404;
  return (
    <p class="error" role="alert">
      {missing ? `${what} is not available on this hub yet.` : `${what} could not be loaded: ${error.message}`} <span class="code">({error.code})</span>
    </p>
  );
}
