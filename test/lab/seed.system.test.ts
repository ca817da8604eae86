// The seed's whole story through the real lab: Traefik's namespace calls pippo.lan through Apache;
// case 1 (/count/get, through the time app) works before and after the NetworkPolicy, case 2
// (/redis/GET/time, webdis straight to Redis) works before and gets an error after.

import t from 'tap';
import { prepareRuntime } from '../../app/runtime.ts';
import { lab, labName, leftovers } from '../helpers/lab.ts';

t.test('lab demo: up, test, apply the NetworkPolicy, test again, down', async (t) => {
  await prepareRuntime();
  const name = labName();
  t.teardown(() => {
    lab(['down', '--name', name]);
  });
  const run = lab(['demo', '--name', name]);
  t.equal(run.status, 0, 'exit 0');
  const [before, after] = run.stdout.split(/The seed's checks from a-ingress-traefik, with/);
  const line = (text: string | undefined, path: string) =>
    (text ?? '').split('\n').find((l) => l.includes(` ${path} `)) ?? '';
  const time = /"time":"(\d{4}-\d\d-\d\dT[^"]+)"/.exec(line(before, '/count/set'))?.[1];
  t.ok(time, 'the time was stored');
  t.match(
    line(before, '/count/get'),
    new RegExp(`^ {2}works .*HTTP 200: \\{"time":"${time}"\\}`),
    'case 1 before: the time',
  );
  t.match(
    line(before, '/redis/GET/time'),
    new RegExp(`^ {2}works .*HTTP 200: \\{"GET":"${time}"\\}`),
    'case 2 before: the time, from Redis directly',
  );
  t.match(line(after, '/count/get'), /^ {2}works .*HTTP 200: \{"time":"\d{4}-/, 'case 1 after: still the time');
  t.match(line(after, '/redis/GET/time'), /^ {2}error .*HTTP 5\d\d/, 'case 2 after: an error');
  t.match(
    before,
    /16 cells: 12 pass, 0 fail, 0 error, 4 unchecked — exit 0/,
    'no policy: the model says all allowed, and all are',
  );
  t.match(
    after,
    /16 cells: 16 pass, 0 fail, 0 error, 0 unchecked — exit 0/,
    'with the policy: written intent, model and observation agree',
  );
  t.match(after, /│ apache +│ +✓ +│ +✓ +│ +✓ +│ +✗ +│/, 'apache reaches the app (case 1) but not redis (case 2)');
  t.match(after, /│ app +│ +✓ +│ +✓ +│ +✓ +│ +✓ +│/, 'the app still reaches redis');
  t.match(run.stdout, /Case 1 still works and case 2 gets an error, as the seed requires\./);
  t.same(leftovers(name), [], 'the demo took the lab down');
});
