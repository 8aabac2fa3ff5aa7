/**
 * REST calls with the client's token: JSON in and out, every refusal a `PulseError` carrying the
 * hub's `{ error: { code, message } }`.
 */
import { errorBodyOf, PulseError } from './errors.js';

export type Query = Record<string, string | readonly string[] | undefined>;

export type FetchLike = (input: string, init: { method: string; headers: Record<string, string>; body?: string }) => Promise<Response>;

export interface HttpOptions {
  baseUrl: string;
  token: () => Promise<string>;
  fetch: FetchLike;
}

export interface PulseHttp {
  /** GET a JSON resource, e.g. `getJson('/v1/history', { from, to, granularity: 'hour' })`. */
  getJson<T>(path: string, query?: Query): Promise<T>;
  /** GET a file (CSV, PDF): its bytes and content type, e.g. for a download. */
  getBlob(path: string, query?: Query): Promise<Blob>;
  /** POST JSON and read the JSON answer. */
  postJson<T>(path: string, body: unknown): Promise<T>;
}

function urlOf(baseUrl: string, path: string, query: Query | undefined): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    search.set(key, typeof value === 'string' ? value : value.join(','));
  }
  const qs = search.toString();
  return `${baseUrl.replace(/\/+$/, '')}${path}${qs === '' ? '' : `?${qs}`}`;
}

async function refusal(res: Response): Promise<PulseError> {
  const text = await res.text().catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const error = typeof body === 'object' && body !== null && 'error' in body ? errorBodyOf(body.error) : undefined;
  if (error !== undefined) return PulseError.fromBody(error, res.status);
  return new PulseError('bad_response', `the hub answered ${res.status} ${res.statusText} without an error body`, { status: res.status });
}

export function createHttp({ baseUrl, token, fetch }: HttpOptions): PulseHttp {
  async function send(method: string, path: string, query: Query | undefined, body: unknown): Promise<Response> {
    const headers: Record<string, string> = { Authorization: `Bearer ${await token()}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(urlOf(baseUrl, path, query), { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    } catch (err) {
      throw new PulseError('network', `the hub could not be reached: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    if (!res.ok) throw await refusal(res);
    return res;
  }
  async function json<T>(res: Response): Promise<T> {
    try {
      return (await res.json()) as T;
    } catch (err) {
      throw new PulseError('bad_response', 'the hub answered with a body that is not JSON', { status: res.status, cause: err });
    }
  }
  return {
    getJson: async (path, query) => json(await send('GET', path, query, undefined)),
    getBlob: async (path, query) => (await send('GET', path, query, undefined)).blob(),
    postJson: async (path, body) => json(await send('POST', path, undefined, body)),
  };
}
