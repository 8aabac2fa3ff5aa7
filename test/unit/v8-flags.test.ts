import { execFile } from 'node:child_process';
import { describe, expect, it, vi } from 'vitest';

const setFlags = vi.hoisted(() => vi.fn<(flags: string) => void>());
vi.mock('node:v8', async (importOriginal) => ({ ...(await importOriginal<typeof import('node:v8')>()), setFlagsFromString: setFlags }));

const { tuneV8ForEngine } = await import('../../src/engine/index.js');

/** Whether this Node's V8 knows the flags (setFlagsFromString ignores unknown ones silently; the command line does not). */
function nodeAccepts(flags: string): Promise<{ ok: boolean; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...flags.split(' '), '-e', '0'], (error, _stdout, stderr) => resolve({ ok: error === null, stderr }));
  });
}

describe('tuneV8ForEngine', () => {
  it('turns allocation-site pretenuring off, with a flag this V8 knows', async () => {
    tuneV8ForEngine();
    expect(setFlags).toHaveBeenCalledTimes(1);
    const flags = setFlags.mock.calls[0]![0];
    expect(flags).toBe('--no-allocation-site-pretenuring');
    expect(await nodeAccepts(flags)).toEqual({ ok: true, stderr: '' });
    // The check can fail: a misspelt flag is refused.
    expect((await nodeAccepts(`${flags}-misspelt`)).ok).toBe(false);
  });
});
