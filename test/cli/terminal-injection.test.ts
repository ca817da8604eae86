// Text a target sends back (an HTTP body, a Redis error) or a manifest names cannot drive the reader's terminal.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { cli } from '../helpers/cli-in-process.ts';
import { httpServer, listen } from '../helpers/peers.ts';
import { tempDir } from '../helpers/temp.ts';

/** Clears the screen, homes the cursor, reverses text, rings the bell and fakes a green summary line. */
const PAYLOAD =
  '\u001b[2J\u001b[H\u202e\u0007\u009b31m\n16 cells: 16 pass, 0 fail, 0 error, 0 unchecked — exit 0: every checked cell matched';

/** Any character a terminal acts on or that reorders text; none may come from the report's inputs. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

/**
 * Runs a command in this process (helpers/cli-in-process.ts), with what it writes to stdout and stderr
 * captured: the bytes a terminal would get. The hostile peers live in this process too.
 */
const prober = (args: string[]) => cli(args);

t.test('a hostile HTTP body and Redis error are escaped in the table and in Markdown', async (t) => {
  const http = await listen(
    t,
    httpServer((_req, res) => res.end(PAYLOAD)),
  );
  // A "Redis" whose error line carries an OSC sequence that would retitle the terminal.
  const redis = await listen(
    t,
    createServer((socket) => socket.on('data', () => socket.end('-ERR \u001b]0;pwned\u0007 \u001b[2J\r\n'))),
  );
  const urls = [`http://127.0.0.1:${http}/`, `redis://127.0.0.1:${redis}`];
  const rows: [string, string[]][] = [
    ['table, every cell listed', ['probe', ...urls]],
    ['table, a mismatch listed as a problem', ['probe', '--expect', 'deny', ...urls]],
    ['markdown, a mismatch listed as a problem', ['probe', '--expect', 'deny', '-o', 'markdown', ...urls]],
    ['junit', ['probe', '--expect', 'deny', '-o', 'junit', ...urls]],
  ];
  for (const [name, args] of rows) {
    const out = await prober(args);
    t.equal(out.stderr, '', `${name}: nothing on stderr`);
    t.notMatch(out.stdout, RAW_CONTROL, `${name}: no raw control character reaches stdout`);
    // Markdown backslash-escapes its punctuation; what its reader sees is the text without those escapes.
    const seen = name.startsWith('markdown') ? out.stdout.replace(/\\([!-/:-@[-`{-~])/g, '$1') : out.stdout;
    t.match(
      seen,
      /\\x1b\[2J\\x1b\[H\\u202e\\x07\\x9b31m(\\n| )16 cells: 16 pass/,
      `${name}: the body is shown, escaped, on the cell's own line`,
    );
    t.match(seen, /\\x1b\]0;pwned\\x07/, `${name}: the Redis error is shown, escaped`);
    t.equal(out.stdout.match(/^16 cells/m), null, `${name}: no line starts with the fake summary`);
  }
});

t.test(
  'names from manifests with control characters are refused at load, and the error shows them escaped',
  async (t) => {
    // Such names never reach a matrix (names are checked as the API server checks them), so the
    // error line is where they show: escaped, like every other human-facing text.
    const dir = tempDir(t, 'inject');
    const deployment = (name: string, app: string) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: "${name}", namespace: shop}\nspec:\n  template:\n    metadata: {labels: {app: ${app}}}\n    spec: {containers: [{name: c, ports: [{containerPort: 8080}]}]}\n`;
    mkdirSync(join(dir, 'k8s'));
    mkdirSync(join(dir, 'closed'));
    mkdirSync(join(dir, 'open'));
    writeFileSync(
      join(dir, 'k8s', 'apps.yaml'),
      `${deployment('web', 'web')}---\n${deployment('evil\\e[2J\\u202e', 'evil')}`,
    );
    writeFileSync(join(dir, 'open', 'ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n');
    writeFileSync(
      join(dir, 'closed', 'policy.yaml'),
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: "deny\\e]0;x\\a", namespace: shop}\nspec: {podSelector: {}}\n',
    );
    const rows: [string, string[], RegExp][] = [
      ['table', ['simulate', '-f', join(dir, 'k8s')], /apps\.yaml:\d+: metadata\.name: "evil\\u001b\[2J\\u202e"/],
      [
        'markdown',
        ['simulate', '-f', join(dir, 'k8s'), '-o', 'markdown'],
        /apps\.yaml:\d+: metadata\.name: "evil\\u001b\[2J\\u202e"/,
      ],
      [
        'a policy name',
        ['simulate', '-f', join(dir, 'open'), '-f', join(dir, 'closed'), '--port', '80'],
        /policy\.yaml:\d+: metadata\.name: "deny\\u001b\]0;x\\u0007"/,
      ],
      [
        '--explain argument',
        ['simulate', '-f', join(dir, 'open'), '--explain', 'shop/evil\u001b[2J\u202e', '10.0.0.1', '8080'],
        /shop\/evil\\x1b\[2J\\u202e/,
      ],
    ];
    for (const [name, args, shown] of rows) {
      const out = await prober(args);
      t.equal(out.status, 2, `${name}: refused`);
      t.notMatch(out.stdout, RAW_CONTROL, `${name}: no raw control character on stdout`);
      t.notMatch(out.stderr, RAW_CONTROL, `${name}: none on stderr either`);
      t.match(out.stderr, shown, `${name}: the name is shown, escaped`);
    }
  },
);
