/**
 * CloudWatch Logs' JSON filter-pattern semantics, for the subset the product's
 * metric filters use, so tests can run the synthesized filters over the lines
 * the Lambdas really write:
 *
 *   { <expr> }   expr := term ('||' term)* ; term := factor ('&&' factor)*
 *   factor := '(' expr ')' | $.field ('=' | '!=') "string with * wildcards"
 *
 * A string comparison matches only a field that exists and holds a string (so
 * `$.f = "*"` means "f is a string"). Anything outside this subset throws, so a
 * filter the tests cannot read fails them instead of passing unread.
 */
type Node = { kind: 'or' | 'and'; parts: Node[] } | { kind: 'cmp'; path: string[]; negate: boolean; value: RegExp };

const tokenize = (pattern: string): string[] => {
  const tokens: string[] = [];
  const re = /\s*(\{|\}|\(|\)|&&|\|\||!=|=|"(?:[^"\\]|\\.)*"|\$(?:\.[A-Za-z_][A-Za-z0-9_]*)+)/y;
  let at = 0;
  while (at < pattern.length) {
    if (/^\s*$/.test(pattern.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(pattern);
    if (!m) throw new Error(`filter pattern outside the supported subset at "${pattern.slice(at, at + 20)}"`);
    tokens.push(m[1]);
    at = re.lastIndex;
  }
  return tokens;
};

const glob = (quoted: string): RegExp => {
  const text = JSON.parse(quoted) as string;
  return new RegExp(
    `^${text
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    's',
  );
};

export const parseFilterPattern = (pattern: string): Node => {
  const tokens = tokenize(pattern);
  let i = 0;
  const expect = (t: string) => {
    if (tokens[i] !== t) throw new Error(`expected ${t} at token ${i} of ${pattern}`);
    i++;
  };
  const expr = (): Node => {
    const parts = [term()];
    while (tokens[i] === '||') {
      i++;
      parts.push(term());
    }
    return parts.length === 1 ? parts[0] : { kind: 'or', parts };
  };
  const term = (): Node => {
    const parts = [factor()];
    while (tokens[i] === '&&') {
      i++;
      parts.push(factor());
    }
    return parts.length === 1 ? parts[0] : { kind: 'and', parts };
  };
  const factor = (): Node => {
    if (tokens[i] === '(') {
      i++;
      const inner = expr();
      expect(')');
      return inner;
    }
    const selector = tokens[i++];
    const op = tokens[i++];
    const value = tokens[i++];
    if (!selector?.startsWith('$.') || (op !== '=' && op !== '!=') || !value?.startsWith('"')) {
      throw new Error(`unsupported comparison "${selector} ${op} ${value}" in ${pattern}`);
    }
    return { kind: 'cmp', path: selector.slice(2).split('.'), negate: op === '!=', value: glob(value) };
  };
  expect('{');
  const root = expr();
  expect('}');
  if (i !== tokens.length) throw new Error(`trailing tokens in ${pattern}`);
  return root;
};

const field = (record: unknown, path: string[]): unknown =>
  path.reduce<unknown>((v, k) => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined), record);

const evaluate = (node: Node, record: unknown): boolean => {
  switch (node.kind) {
    case 'or':
      return node.parts.some((p) => evaluate(p, record));
    case 'and':
      return node.parts.every((p) => evaluate(p, record));
    case 'cmp': {
      const v = field(record, node.path);
      if (typeof v !== 'string') return false;
      return node.value.test(v) !== node.negate;
    }
  }
};

/** Whether a log line (the raw event text) matches a JSON filter pattern. Lines that are not JSON never match. */
export const matchesFilter = (pattern: string, line: string): boolean => {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return false;
  }
  return evaluate(parseFilterPattern(pattern), record);
};

export interface MetricFilterSpec {
  readonly FilterPattern: string;
  readonly MetricTransformations: ReadonlyArray<{
    readonly MetricName: string;
    readonly MetricNamespace: string;
    readonly MetricValue: string;
    readonly Dimensions?: ReadonlyArray<{ readonly Key: string; readonly Value: string }>;
  }>;
}

/**
 * The data points CloudWatch would publish for `lines` through `filters`, summed
 * by metric and dimensions, as "Namespace/Metric{k=v,...}" → sum.
 */
export const publishedMetrics = (filters: readonly MetricFilterSpec[], lines: readonly string[]): Record<string, number> => {
  const sums: Record<string, number> = {};
  for (const line of lines) {
    for (const filter of filters) {
      if (!matchesFilter(filter.FilterPattern, line)) continue;
      const record = JSON.parse(line) as unknown;
      for (const t of filter.MetricTransformations) {
        const dims = (t.Dimensions ?? []).map((d) => `${d.Key}=${String(field(record, d.Value.replace(/^\$\./, '').split('.')))}`);
        const key = `${t.MetricNamespace}/${t.MetricName}{${dims.join(',')}}`;
        // A `$.field` value is the line's number there, as CloudWatch reads it; a line without one publishes nothing.
        const value = t.MetricValue.startsWith('$.') ? field(record, t.MetricValue.slice(2).split('.')) : Number(t.MetricValue);
        if (typeof value !== 'number') continue;
        sums[key] = (sums[key] ?? 0) + value;
      }
    }
  }
  return sums;
};
