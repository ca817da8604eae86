// Turns an input's bytes into text as kubectl does: a byte-order mark decides UTF-8 or UTF-16, else UTF-8.
//
// kubectl reads -f files through unicode.BOMOverride(unicode.UTF8.NewDecoder())
// (k8s.io/cli-runtime/pkg/resource/visitor.go, FileVisitor.Visit), so a manifest Windows PowerShell's
// `>` wrote (UTF-16 LE with a BOM) applies. What kubectl cannot read is refused here with the reason,
// never read as one long string: a manifest skipped as "not a Kubernetes object" would drop its policies.
import { ConfigError } from './config-error.ts';

const UTF8_BOM = [0xef, 0xbb, 0xbf];
const UTF16LE_BOM = [0xff, 0xfe];
const UTF16BE_BOM = [0xfe, 0xff];
const UTF32LE_BOM = [0xff, 0xfe, 0x00, 0x00];
const UTF32BE_BOM = [0x00, 0x00, 0xfe, 0xff];

function startsWith(bytes: Uint8Array, mark: readonly number[]): boolean {
  return bytes.length >= mark.length && mark.every((byte, i) => bytes[i] === byte);
}

/**
 * The text of an input (`origin` names it in errors): UTF-8, with or without a BOM, or UTF-16 LE/BE
 * with a BOM; a BOM that starts a later line is dropped too. UTF-32 and text with NUL bytes (UTF-16
 * without a BOM, a binary file) are ConfigErrors. Invalid UTF-8 becomes U+FFFD, as Go's decoder makes it.
 */
export function decodeText(origin: string, bytes: Uint8Array): string {
  // UTF-32 LE begins with the UTF-16 LE mark: it is looked for first.
  if (startsWith(bytes, UTF32LE_BOM)) throw utf32(origin, 'LE');
  if (startsWith(bytes, UTF32BE_BOM)) throw utf32(origin, 'BE');
  let text: string;
  if (startsWith(bytes, UTF16LE_BOM)) text = new TextDecoder('utf-16le').decode(bytes.subarray(2));
  else if (startsWith(bytes, UTF16BE_BOM)) text = new TextDecoder('utf-16be').decode(bytes.subarray(2));
  else text = new TextDecoder('utf-8').decode(startsWith(bytes, UTF8_BOM) ? bytes.subarray(3) : bytes);
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    const line = text.slice(0, nul).split('\n').length;
    throw new ConfigError(
      origin,
      line,
      undefined,
      'the file holds NUL bytes: UTF-16 without a byte-order mark? Save it as UTF-8',
    );
  }
  // go-yaml skips a BOM that starts a line (scannerc.go: "Allow the BOM mark to start a line"), as
  // files saved with one and then concatenated have: read as a character, it would hide a key.
  return text.includes('\uFEFF') ? text.replace(/(^|\n)\uFEFF/g, '$1') : text;
}

function utf32(origin: string, order: 'LE' | 'BE'): ConfigError {
  return new ConfigError(
    origin,
    undefined,
    undefined,
    `the file is UTF-32 (${order}), which kubectl does not read: save it as UTF-8`,
  );
}
