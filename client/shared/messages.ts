/** What a person is told when the hub will not show them figures. */
import type { PulseError } from '../sdk/src/index.js';
import { tokenExpiry } from '../sdk/src/index.js';

export interface Refusal {
  title: string;
  detail: string;
}

export function refusalOf(error: PulseError | null, token: string, now: number): Refusal {
  const exp = tokenExpiry(token);
  if (error?.code === 'token_expired' || (exp !== undefined && exp <= now)) {
    const when = exp === undefined ? '' : ` on ${new Date(exp).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' })}`;
    return { title: 'This token has expired', detail: `It expired${when}. Ask your Pulse Hub administrator for a new one.` };
  }
  if (error?.code === 'forbidden') {
    return { title: 'This token may not read live figures', detail: `The hub said: ${error.message}. Use a wallboard, supervisor or admin token.` };
  }
  return {
    title: 'This token was refused',
    detail: 'The hub does not accept it: it may be mistyped, signed for another hub, or revoked. Ask your Pulse Hub administrator for a new one.',
  };
}
