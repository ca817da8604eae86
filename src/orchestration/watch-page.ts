// The live page of `prober watch` (GET /): one self-contained document, its style and script inline
// and allowed by hash in a strict Content-Security-Policy (nothing else may load; it may fetch only
// its own /state.json). The state it starts from is embedded as a JSON data block, so the first
// paint needs no request; the script then polls /state.json every interval and redraws in place.

import { createHash } from 'node:crypto';
import { MARK_COLOURS } from '../report/svg.ts';
import { WATCH_PAGE_SCRIPT } from './watch-page-script.ts';
import type { PageState } from './watch-state.ts';

/** A cell's colour by state: the report's marks of the same meaning (svg.ts). */
export const STATE_COLOURS = {
  matched: MARK_COLOURS['✓']!,
  mismatched: MARK_COLOURS.A!,
  undecided: MARK_COLOURS['!']!,
  unchecked: MARK_COLOURS.d!,
} as const;

/** Pixels of one cell: 50 columns and the source names fit in a 1280-pixel window. */
export const CELL_PX = 18;

const STYLE = [
  'body{font:14px system-ui,sans-serif;margin:12px;color:#212121;background:#ffffff}',
  'h1{font-size:18px;margin:0 0 4px}h2{font-size:16px;margin:16px 0 4px}',
  '#status{color:#546e7a;font-size:12px}#status.stale{color:#e53935}',
  '.legend span{display:inline-block;margin-right:12px}',
  `.legend i{display:inline-block;width:${CELL_PX - 4}px;height:${CELL_PX - 4}px;vertical-align:middle;margin-right:4px;border:1px solid #b0bec5}`,
  '.verdict{display:inline-block;padding:0 6px;border-radius:3px;color:#ffffff;font-size:12px;margin-left:6px}',
  '.failure{color:#e53935}',
  '.wrap{overflow:auto;max-width:100%;max-height:85vh;border:1px solid #eceff1}',
  'table.matrix{border-collapse:collapse;table-layout:fixed}',
  `table.matrix td{width:${CELL_PX - 2}px;min-width:${CELL_PX - 2}px;height:${CELL_PX - 2}px;padding:0;border:1px solid #ffffff;text-align:center;font:10px/1 monospace;color:#ffffff;cursor:pointer;overflow:hidden}`,
  'table.matrix th{font:11px/1.1 monospace;font-weight:normal;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;padding:0 4px}',
  'table.matrix th.row{max-width:16em;text-align:right;position:sticky;left:0;background:#ffffff}',
  // Right to left around a left-to-right name: the ellipsis takes the name's start, its end stays in view.
  'table.matrix th.row,table.matrix th.col{direction:rtl}table.matrix th span{direction:ltr;unicode-bidi:isolate}',
  'table.matrix th.col{writing-mode:vertical-rl;transform:rotate(180deg);max-height:10em;height:10em;vertical-align:bottom;text-align:left;padding:4px 0}',
  `td.matched,.legend i.matched,.verdict.matched{background:${STATE_COLOURS.matched}}`,
  `td.mismatched,.legend i.mismatched,.verdict.mismatched{background:${STATE_COLOURS.mismatched}}`,
  `td.undecided,.legend i.undecided,.verdict.undecided{background:${STATE_COLOURS.undecided}}`,
  `table.matrix td.unchecked,.legend i.unchecked{background:${STATE_COLOURS.unchecked};color:#546e7a}`,
  'td.none{background:#ffffff;cursor:default}',
  'td.recent,.legend i.recent{box-shadow:inset 0 0 0 2px #212121}',
  'td.selected{outline:2px solid #1e88e5;outline-offset:-1px}',
  '#detail{position:fixed;right:12px;bottom:12px;width:26em;max-height:60vh;overflow:auto;background:#fafafa;border:1px solid #b0bec5;padding:8px 12px;font-size:13px;box-shadow:0 2px 6px #90a4ae}',
  '#detail[hidden]{display:none}#detail h3{margin:0 0 6px;font-size:14px;word-break:break-all}',
  '#detail dt{font-weight:bold;margin-top:4px}#detail dd{margin:0 0 0 8px;word-break:break-word}',
  '#detail table{border-collapse:collapse;font-size:12px}#detail td{border:1px solid #cfd8dc;padding:1px 4px}',
  '#detail button{float:right}',
].join('\n');

const hash = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/** The page's Content-Security-Policy: its own inline style and script (by hash) and requests to itself, nothing else. */
export const WATCH_PAGE_CSP = [
  "default-src 'none'",
  `script-src ${hash(WATCH_PAGE_SCRIPT)}`,
  `style-src ${hash(STYLE)}`,
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * JSON made safe inside a `<script type="application/json">` block: `<` (so no `</script>` or
 * `<!--` can end or bend it), `>` and `&` as \u escapes, and the two line separators JavaScript once
 * treated as line ends. JSON.parse reads them back unchanged.
 */
export function embeddedJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The whole page, starting from `state`. Every name is drawn by the script as text (textContent), never as markup. */
export function watchPage(state: PageState): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<title>prober watch</title>',
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<h1>prober watch</h1>',
    '<p id="status"></p>',
    '<p class="legend"><span><i class="matched"></i>matched</span><span><i class="mismatched"></i>mismatched</span>' +
      '<span><i class="undecided"></i>undecided</span><span><i class="unchecked"></i>unchecked</span>' +
      '<span><i class="recent unchecked"></i>flipped lately</span> Letters: what was observed (A allow, D deny, ! error). Click a cell for its history.</p>',
    '<main id="tests"></main>',
    '<aside id="detail" hidden></aside>',
    `<script type="application/json" id="state">${embeddedJson(state)}</script>`,
    `<script>${WATCH_PAGE_SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
