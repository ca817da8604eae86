/* IMPORTANT
 * This snapshot file is auto-generated, but designed for humans.
 * It should be checked into source control and tracked carefully.
 * Re-generate by setting TAP_SNAPSHOT=1 and running tests.
 * Make sure to inspect the output below.  Do not ignore changes!
 */
'use strict'
exports[`test/report/renderers.test.ts > TAP > junit: one testcase per checked cell, named by rule, failures and errors > must match snapshot 1`] = `
<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="prober" tests="7" failures="1" errors="3" time="2.031">
  <testsuite name="prober.lab-redis-isolation" tests="7" failures="1" errors="3" skipped="0" time="2.031" timestamp="2026-01-01T00:00:00.000Z">
    <properties><property name="backend" value="lab"/><property name="context" value="prober-lab"/></properties>
    <testcase classname="prober.lab-redis-isolation.apache" name="apache → app (case 1)" time="0.013"></testcase>
    <testcase classname="prober.lab-redis-isolation.apache" name="apache → redis (case 2)" time="0.013">
      <failure message="expected deny by case 2, observed allow (pong)" type="mismatch">expected deny by case 2, observed allow (pong)
url: redis://redis-svc.d-redis.svc.cluster.local
observed: allow (pong)
attempts: 1</failure>
    </testcase>
    <testcase classname="prober.lab-redis-isolation.apache" name="apache → web" time="0.013">
      <error message="the check failed (dns); expected allow" type="dns">the check failed (dns); expected allow
url: tcp://web.x:80
observed: error (dns)
detail: ENOTFOUND web.x
attempts: 2</error>
    </testcase>
    <testcase classname="prober.lab-redis-isolation.app" name="app → redis" time="0.013"></testcase>
    <testcase classname="prober.lab-redis-isolation.app" name="app → web" time="0.013">
      <error message="the check failed (dns); expected allow" type="dns">the check failed (dns); expected allow
url: tcp://web.x:80
observed: error (dns)
detail: ENOTFOUND web.x
attempts: 2</error>
    </testcase>
    <testcase classname="prober.lab-redis-isolation.ingress" name="ingress → redis" time="0.013"></testcase>
    <testcase classname="prober.lab-redis-isolation.ingress" name="ingress → web" time="0.013">
      <error message="the check failed (dns); expected allow" type="dns">the check failed (dns); expected allow
url: tcp://web.x:80
observed: error (dns)
attempts: 2</error>
    </testcase>
  </testsuite>
</testsuites>

`

exports[`test/report/renderers.test.ts > TAP > markdown: a table with marks and a problems table > must match snapshot 1`] = `
### ⚠️ prober: lab-redis-isolation

Backend \`lab\` (prober-lab), started 2026-01-01T00:00:00.000Z, 2031 ms.

| from \\ to | app | redis | web |
|---|:-:|:-:|:-:|
| **apache** | ✓ | A | ! |
| **app** | a | ✓ | ! |
| **ingress** | d | ✗ | ! |

\`✓\` allowed, as expected · \`✗\` denied, as expected · \`A\` ALLOWED but expected deny · \`!\` could not decide (error) · \`a\` allowed, no expectation · \`d\` denied, no expectation

| cell | result | explanation | target |
|---|---|---|---|
| apache → redis \\(case 2\\) | fail | expected deny by case 2, observed allow \\(pong\\) | redis\\://redis-svc.d-redis.svc.cluster.local |
| apache → web | error | the check failed \\(dns\\); expected allow — ENOTFOUND web.x | tcp\\://web.x\\:80 |
| app → web | error | the check failed \\(dns\\); expected allow — ENOTFOUND web.x | tcp\\://web.x\\:80 |
| ingress → web | error | the check failed \\(dns\\); expected allow | tcp\\://web.x\\:80 |

**9 cells: 3 pass, 1 fail, 3 error, 2 unchecked — exit 2: the run could not decide**

`

exports[`test/report/renderers.test.ts > TAP > table: one mark per cell, legend, problems listed, summary line, no colour off a TTY > must match snapshot 1`] = `
lab-redis-isolation (lab: prober-lab)
┌───────────┬─────┬───────┬─────┐
│ from \\ to │ app │ redis │ web │
├───────────┼─────┼───────┼─────┤
│ apache    │  ✓  │   A   │  !  │
├───────────┼─────┼───────┼─────┤
│ app       │  a  │   ✓   │  !  │
├───────────┼─────┼───────┼─────┤
│ ingress   │  d  │   ✗   │  !  │
└───────────┴─────┴───────┴─────┘
✓ allowed, as expected   ✗ denied, as expected   A ALLOWED but expected deny   ! could not decide (error)   a allowed, no expectation   d denied, no expectation

A apache → redis (case 2): expected deny by case 2, observed allow (pong)
    redis://redis-svc.d-redis.svc.cluster.local · allow (pong)
! apache → web: the check failed (dns); expected allow
    tcp://web.x:80 · ENOTFOUND web.x · 2 attempts
! app → web: the check failed (dns); expected allow
    tcp://web.x:80 · ENOTFOUND web.x · 2 attempts
! ingress → web: the check failed (dns); expected allow
    tcp://web.x:80 · 2 attempts · error (dns)

9 cells: 3 pass, 1 fail, 3 error, 2 unchecked — exit 2: the run could not decide

`
