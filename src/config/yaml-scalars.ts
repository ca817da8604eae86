// What a plain YAML scalar means to Kubernetes: a port of go-yaml v2's resolve() (YAML 1.1 rules).
//
// kubectl and the API server read YAML through sigs.k8s.io/yaml (YAMLToJSON), which decodes with
// go-yaml v2 (vendor/go.yaml.in/yaml/v2/resolve.go) and then turns map keys into strings (yaml.go,
// convertToJSONableObject). So `port: 010` is 8, `0b1010` is 10, `0o17` is 15, `1_000` is 1000,
// `yes`/`on`/`y` are true, while sexagesimal `1:20` stays a string (go-yaml never read base 60, unlike
// the yaml library's own 1.1 schema).

/** A plain scalar resolved as go-yaml v2 resolves it. */
export type Resolved =
  | { readonly kind: 'null'; readonly value: null }
  | { readonly kind: 'bool'; readonly value: boolean }
  /** `decimal` is exact where `value` (a double) is not, past 2^53: a map key keeps every digit. */
  | { readonly kind: 'int'; readonly value: number; readonly decimal: string }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'str'; readonly value: string };

const TRUE: Resolved = { kind: 'bool', value: true };
const FALSE: Resolved = { kind: 'bool', value: false };
const NULL: Resolved = { kind: 'null', value: null };

/** resolveMap: the words looked up whole, spelled exactly so (`True` is true, `tRUE` is a string). */
const WORDS = new Map<string, Resolved>([
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'].map((w) => [w, TRUE] as const),
  ...['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'].map((w) => [w, FALSE] as const),
  ...['', '~', 'null', 'Null', 'NULL'].map((w) => [w, NULL] as const),
  ...['.nan', '.NaN', '.NAN'].map((w) => [w, { kind: 'float', value: Number.NaN }] as const),
  ...['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'].map((w) => [w, { kind: 'float', value: Infinity }] as const),
  ...['-.inf', '-.Inf', '-.INF'].map((w) => [w, { kind: 'float', value: -Infinity }] as const),
]);

/** yamlStyleFloat in resolve.go. */
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
/** What strconv.ParseFloat accepts of a text starting with "." (no base prefix, so no underscores). */
const DOT_FLOAT = /^\.[0-9]+([eE][-+]?[0-9]+)?$/;

/** resolveTable: the first character says what a scalar may be; any other first character means a string. */
function hint(text: string): 'word' | 'dot' | 'number' | undefined {
  const c = text[0];
  if (c === undefined || 'yYnNtTfFoO~'.includes(c)) return 'word';
  if (c === '.') return 'dot';
  if (c === '+' || c === '-' || (c >= '0' && c <= '9')) return 'number';
  return undefined;
}

/** The value of a plain (unquoted, untagged) scalar, as go-yaml v2's resolve("", text) gives it. */
export function resolvePlain(text: string): Resolved {
  const kind = hint(text);
  if (kind === undefined) return { kind: 'str', value: text };
  const word = WORDS.get(text);
  if (word) return word;
  if (kind === 'dot') {
    const value = DOT_FLOAT.test(text) ? Number(text) : Number.NaN;
    if (Number.isFinite(value)) return { kind: 'float', value };
  } else if (kind === 'number') {
    // A timestamp (2001-12-14) stays its text: go-yaml v2 sets a timestamp decoded into interface{}
    // as the string it was "for backward compatibility" (decode.go), and none reads as a number.
    // Underscores are dropped anywhere, then Go's strconv reads 0x, 0o, 0b and a leading 0 (octal).
    const plain = text.replaceAll('_', '');
    const int = parseGoInt(plain);
    if (int !== undefined) return { kind: 'int', value: Number(int), decimal: int.toString() };
    if (YAML_FLOAT.test(plain)) {
      const value = Number(plain);
      // strconv.ParseFloat fails with ErrRange past the largest double: the text stays a string.
      if (Number.isFinite(value)) return { kind: 'float', value };
    }
    // resolve.go's further "0b"/"-0b" branches only succeed where ParseInt/ParseUint above already did.
  }
  return { kind: 'str', value: text };
}

const DIGITS: Record<number, RegExp> = { 2: /^[01]*$/, 8: /^[0-7]*$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ };
const PREFIX: Record<number, string> = { 2: '0b', 8: '0o', 10: '', 16: '0x' };
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

/** strconv.ParseInt(text, 0, 64), else strconv.ParseUint(text, 0, 64) (which takes no sign). */
function parseGoInt(text: string): bigint | undefined {
  const signed = text[0] === '+' || text[0] === '-';
  const body = signed ? text.slice(1) : text;
  if (body === '') return undefined;
  let base = 10;
  let digits = body;
  if (body[0] === '0') {
    const letter = body.length >= 3 ? body[1]?.toLowerCase() : undefined;
    base = letter === 'b' ? 2 : letter === 'x' ? 16 : 8;
    // "0b…", "0o…", "0x…"; otherwise a leading 0 alone means octal ("010" is 8, "0" is 0).
    digits = letter === 'b' || letter === 'o' || letter === 'x' ? body.slice(2) : body.slice(1);
  }
  if (!DIGITS[base]?.test(digits)) return undefined;
  const magnitude = BigInt(`${PREFIX[base]}${digits || '0'}`);
  const value = text[0] === '-' ? -magnitude : magnitude;
  if (value >= -INT64_MAX - 1n && value <= INT64_MAX) return value;
  return !signed && value <= UINT64_MAX ? value : undefined;
}

/**
 * A resolved map key as sigs.k8s.io/yaml spells it in JSON (convertToJSONableObject): ints in decimal,
 * floats as strconv.FormatFloat(f, 'g', -1, 32), booleans as true/false. A null is not a key
 * kubectl accepts ("unsupported map key"): undefined.
 */
export function keyText(key: Resolved): string | undefined {
  switch (key.kind) {
    case 'str':
      return key.value;
    case 'bool':
      return String(key.value);
    case 'int':
      return key.decimal;
    case 'float':
      return goFloat32(key.value);
    case 'null':
      return undefined;
  }
}

/** strconv.FormatFloat(f, 'g', -1, 32) with go-yaml's names for the infinities and NaN. */
function goFloat32(f: number): string {
  const single = Math.fround(f);
  if (Number.isNaN(single)) return '.nan';
  if (!Number.isFinite(single)) return single > 0 ? '.inf' : '-.inf';
  if (single === 0) return Object.is(single, -0) ? '-0' : '0';
  // The fewest digits that read back as the same float32.
  let exponential = single.toExponential(0);
  for (let p = 1; p <= 9 && Math.fround(Number(exponential)) !== single; p++) exponential = single.toExponential(p);
  const [mantissa = '', power = '0'] = exponential.split('e');
  const exp = Number(power);
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace(/[-.]/g, '');
  // %g with the shortest precision uses %e when the exponent is below -4 or at least 6.
  if (exp < -4 || exp >= 6) {
    const e = `${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
    return `${sign}${digits[0]}${digits.length > 1 ? `.${digits.slice(1)}` : ''}e${e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const whole = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const rest = digits.slice(exp + 1);
  return `${sign}${whole}${rest ? `.${rest}` : ''}`;
}
