// Label selectors in their string form, as the API server parses the `labelSelector` query parameter.

import { badRequest } from './status.ts';

type Requirement = (labels: Readonly<Record<string, string>>) => boolean;

/** Parses `a=b,c!=d,e,!f` (equality-based selectors); set-based ones are not used by prober and answer 400. */
export function parseSelector(text: string | null): Requirement {
  if (!text) return () => true;
  const requirements = text.split(',').map((part): Requirement => {
    const term = part.trim();
    let match = /^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/.exec(term);
    if (match) {
      const [, key = '', op, value = ''] = match;
      return op === '!=' ? (labels) => labels[key] !== value : (labels) => labels[key] === value;
    }
    match = /^(!?)([\w./-]+)$/.exec(term);
    if (match) {
      const [, not, key = ''] = match;
      return not ? (labels) => !(key in labels) : (labels) => key in labels;
    }
    throw badRequest(`unable to parse requirement: ${term} (the fake API server knows equality-based selectors only)`);
  });
  return (labels) => requirements.every((requirement) => requirement(labels));
}
