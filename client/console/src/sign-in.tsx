/** Sign-in: paste a token. A refusal from the hub comes back here with its reason. */
import { useState } from 'preact/hooks';
import type { Refusal } from '../../shared/messages.js';
import { tokenProblem } from './token-store.js';

export function SignIn({ refusal, onToken }: { refusal: Refusal | null; onToken: (token: string) => void }) {
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const submit = (e: Event) => {
    e.preventDefault();
    const p = tokenProblem(text);
    if (p !== undefined) {
      setProblem(p);
      return;
    }
    onToken(text.trim());
  };
  const shown = problem ?? (refusal === null ? null : `${refusal.title}. ${refusal.detail}`);
  return (
    <main class="sign-in">
      <form class="card" onSubmit={submit} aria-labelledby="sign-in-title" noValidate>
        <h1 id="sign-in-title">Pulse Hub console</h1>
        <p class="hint">Sign in with the access token your administrator gave you (a supervisor or admin token).</p>
        <label for="token">Access token</label>
        <textarea
          id="token"
          name="token"
          rows={4}
          spellcheck={false}
          autocomplete="off"
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
          aria-invalid={shown !== null}
          aria-describedby={shown === null ? undefined : 'sign-in-error'}
        />
        {shown === null ? null : (
          <p id="sign-in-error" class="error" role="alert">
            {shown}
          </p>
        )}
        <button type="submit" class="primary">
          Sign in
        </button>
      </form>
    </main>
  );
}
