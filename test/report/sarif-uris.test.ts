// SARIF artifact URIs are valid URI references that lead back to the file, whatever its name holds:
// `#` and `?` would start a fragment or a query, `%` an escape, a colon in the first segment a scheme.

import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import type { Finding } from '../../src/model/lint.ts';
import { renderSarif } from '../../src/report/sarif.ts';
import { sarifSchemaErrors } from '../helpers/sarif-schema.ts';

/** RFC 3986 characters outside a query and a fragment: unreserved, sub-delims, `:`, `@`, `/` and %XX escapes. */
const URI_PATH = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-F]{2})*$/;

const RELATIVE = ['a#b.yaml', 'q?x=1.yaml', '100%.yaml', '100%25.yaml', 'with space/p.yaml', 'café/ünï 日本.yaml'];
const COLON_FIRST = ['x:y.yaml', 'C:/not/a/drive.yaml'];
const ABSOLUTE = ['/abs/p#q?.yaml', '/abs/100% ü.yaml', '/abs/plain.yaml'];

function finding(file: string): Finding {
  return {
    id: 'PL001',
    severity: 'warning',
    subject: `NetworkPolicy shop/${file}`,
    message: 'selects no pod',
    hint: 'fix it',
    location: { file, line: 3 },
  };
}

const uris = (t: Test, files: readonly string[]) => {
  const log = JSON.parse(
    renderSarif({ findings: files.map(finding), policies: files.length, workloads: 0, services: 0 }, '0.1.0'),
  );
  t.same(sarifSchemaErrors(log), [], 'the log is valid SARIF 2.1.0');
  return log.runs[0].results.map(
    (r: any) => r.locations[0].physicalLocation.artifactLocation as { uri: string; uriBaseId?: string },
  );
};

t.test('a relative path is a relative reference against %SRCROOT% that resolves to the same file', async (t) => {
  const files = [...RELATIVE, ...COLON_FIRST];
  for (const [i, location] of uris(t, files).entries()) {
    const file = files[i]!;
    t.equal(location.uriBaseId, '%SRCROOT%', file);
    t.match(location.uri, URI_PATH, `${file}: only characters a URI path may hold (${location.uri})`);
    t.notMatch(location.uri.split('/')[0], /:/, `${file}: no colon in the first segment, which would read as a scheme`);
    const url = new URL(location.uri, 'file:///checkout/');
    t.equal(url.search + url.hash, '', `${file}: no query, no fragment`);
    t.equal(fileURLToPath(url), `/checkout/${file}`, `${file}: resolves to the file`);
  }
});

t.test('./ and backslashes are taken off a relative path', async (t) => {
  t.same(
    uris(t, ['./policies/np.yaml', 'policies\\win.yaml']).map((l: { uri: string }) => l.uri),
    ['policies/np.yaml', 'policies/win.yaml'],
  );
});

t.test('an absolute path is a file URI of the same file', async (t) => {
  for (const [i, location] of uris(t, ABSOLUTE).entries()) {
    const file = ABSOLUTE[i]!;
    t.equal(location.uriBaseId, undefined, file);
    t.match(location.uri, /^file:\/\//, file);
    t.match(location.uri.slice('file:'.length), URI_PATH, `${file}: ${location.uri}`);
    t.equal(fileURLToPath(location.uri), file, `${file}: resolves to the file`);
  }
});
