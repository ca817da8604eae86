// Shared name lookups: concurrent lookups of one name are one getaddrinfo call, counted while it runs.

import t from 'tap';
import { lookupAll, lookupsRunning } from '../../src/probe/lookup.ts';

t.test('concurrent lookups of one name share one getaddrinfo call', async (t) => {
  const first = lookupAll('localhost');
  const second = lookupAll('localhost');
  t.equal(first.addresses, second.addresses, 'the second caller joins the first lookup');
  t.equal(lookupsRunning(), 1, 'one call in flight');
  t.notOk(first.waited, 'a free slot asks the resolver at once');
  const addresses = await first.addresses;
  t.ok(addresses.length > 0, 'localhost resolves from the hosts file');
  t.equal(lookupsRunning(), 0, 'nothing runs once it answered');
  t.not(lookupAll('localhost').addresses, first.addresses, 'answers are not cached: the next lookup asks again');
});

t.test('a resolver error reaches every caller', async (t) => {
  const one = lookupAll('no-such-name.invalid');
  const two = lookupAll('no-such-name.invalid');
  await t.rejects(one.addresses, { code: 'ENOTFOUND' });
  await t.rejects(two.addresses, { code: 'ENOTFOUND' });
});
