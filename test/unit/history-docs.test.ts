import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REPORT_KINDS, REPORT_KIND_SPECS, allReportColumns } from '../../src/store/index.js';

const doc = readFileSync(new URL('../../docs/history.md', import.meta.url), 'utf8');

describe('docs/history.md', () => {
  it('gives every report column with its formula', () => {
    for (const c of allReportColumns()) expect(doc).toContain(`| \`${c.key}\` | ${c.type} | ${c.formula} |`);
  });

  it('lists every kind with its columns in CSV order', () => {
    for (const k of REPORT_KINDS) expect(doc).toContain(`- \`${k}\` (${REPORT_KIND_SPECS[k].title}`);
    for (const k of REPORT_KINDS) expect(doc).toContain(REPORT_KIND_SPECS[k].columns.map((c) => `\`${c}\``).join(', '));
  });
});
