// Kubernetes resource quantities (`10m`, `96Mi`, `1.5`, `2G`) as the fake's admission plugins need them:
// parsed to a number of base units, summed, compared and printed back in canonical form.

const BINARY: Readonly<Record<string, number>> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50 };
const DECIMAL: Readonly<Record<string, number>> = { m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15 };

/** A quantity: its value in base units (cores, bytes) and whether it was written with a binary suffix. */
export interface Quantity {
  readonly value: number;
  readonly binary: boolean;
}

/** Parses `500m`, `0.5`, `96Mi`, `1e3`; throws on anything else. */
export function parseQuantity(text: string): Quantity {
  const match = /^([+-]?[0-9.]+(?:[eE][+-]?\d+)?)(Ki|Mi|Gi|Ti|Pi|m|k|M|G|T|P)?$/.exec(text.trim());
  if (!match)
    throw new Error(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
  const number = Number(match[1]);
  const suffix = match[2] ?? '';
  const binary = suffix in BINARY;
  return { value: number * (binary ? (BINARY[suffix] as number) : (DECIMAL[suffix] as number)), binary };
}

/** The canonical form `resource.Quantity.String()` prints: `1`, `500m`, `192Mi`, `1500M`. */
export function formatQuantity(quantity: Quantity): string {
  const { value, binary } = quantity;
  if (value === 0) return '0';
  if (binary && Number.isInteger(value)) {
    for (const [suffix, size] of Object.entries(BINARY).reverse())
      if (value % size === 0) return `${value / size}${suffix}`;
    return String(value);
  }
  if (!Number.isInteger(value)) return `${Math.round(value * 1000)}m`;
  for (const [suffix, size] of Object.entries(DECIMAL).reverse())
    if (size >= 1 && value % size === 0) return `${value / size}${suffix}`;
  return String(value);
}

/** The sum, in the format of the first operand (as `Quantity.Add` keeps the receiver's). */
export function addQuantities(a: Quantity | undefined, b: Quantity): Quantity {
  return a ? { value: Math.round((a.value + b.value) * 1e9) / 1e9, binary: a.binary } : b;
}
