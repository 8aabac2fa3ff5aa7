/**
 * Where the console keeps the signed-in token: this tab's sessionStorage (gone when the tab
 * closes). A `?token=` in the link is moved there and taken out of the address bar, so it is not
 * left in the history or shown over a shoulder.
 */
const KEY = 'pulse-hub.console.token';

export function takeToken(): string | null {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl !== null && fromUrl.trim() !== '') {
    sessionStorage.setItem(KEY, fromUrl.trim());
    url.searchParams.delete('token');
    history.replaceState(null, '', url.pathname + url.search + url.hash);
  }
  return sessionStorage.getItem(KEY);
}

export function keepToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(KEY);
}

/** Why a pasted text cannot be a token, or undefined when it looks like one. */
export function tokenProblem(text: string): string | undefined {
  const t = text.trim();
  if (t === '') return 'Paste your access token first.';
  if (/\s/.test(t)) return 'A token has no spaces or line breaks: paste it in one piece.';
  if (t.split('.').length !== 3) return 'This is not a token: an access token has three parts separated by dots (a JWT).';
  return undefined;
}
