// The scheme table drives every list of schemes: URL parsing and the test-file options' refusals.

import t from 'tap';
import {
  oneOf,
  optionRefusal,
  SCHEME_NAMES,
  SCHEMES,
  schemeNames,
  schemesTaking,
  type TargetOption,
} from '../../src/model/schemes.ts';
import { parseTarget } from '../../src/model/target.ts';

t.test('a scheme and its s-variant are written once as X(s)', async (t) => {
  t.same(schemeNames(['tcp', 'http', 'https', 'redis'], '://'), ['tcp://', 'http(s)://', 'redis://']);
  t.same(schemeNames(['https']), ['https'], 'https alone stays https');
  t.equal(oneOf(['a']), 'a');
  t.equal(oneOf(['a', 'b', 'c']), 'a, b or c');
});

t.test('every scheme parses with its default port, or asks for one', async (t) => {
  for (const scheme of SCHEME_NAMES) {
    const descriptor = SCHEMES[scheme];
    const parsed = parseTarget(`${scheme}://example.test`);
    if ('noPort' in descriptor) {
      t.ok(parsed.ok, `${scheme}:// names no port`);
      t.not(parseTarget(`${scheme}://example.test:1`).ok, `${scheme}:// refuses a port`);
    } else if ('defaultPort' in descriptor) {
      t.match(parsed, { ok: true, value: { scheme, port: descriptor.defaultPort } }, `${scheme}:// default port`);
    } else t.match(parsed, { ok: false, error: `${scheme}:// targets need a port (${scheme}://host:PORT)` });
    const path = parseTarget(`${scheme}://example.test${'noPort' in descriptor ? '' : ':1'}/p`);
    t.equal(path.ok, descriptor.urlTail === 'request-path', `${scheme}:// takes a path: ${descriptor.urlTail}`);
  }
});

t.test('each test-file option is refused, with the schemes that take it, on every other scheme', async (t) => {
  const takers: Record<TargetOption, string> = {
    expectStatus: 'http(s) targets, not',
    denyStatus: 'http(s) targets, not',
    payload: 'udp targets, not',
    settle: 'tcp:// targets;',
  };
  for (const [option, text] of Object.entries(takers) as [TargetOption, string][]) {
    for (const scheme of SCHEME_NAMES) {
      const refusal = optionRefusal(option, scheme);
      if (schemesTaking(option).includes(scheme)) t.equal(refusal, undefined, `${scheme} takes ${option}`);
      else t.equal(refusal?.startsWith(`only applies to ${text}`), true, `${option} on ${scheme}: ${refusal}`);
    }
  }
});
