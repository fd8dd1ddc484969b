import { createHash } from 'node:crypto';

/**
 * Renders the subset of Braze's Liquid that docs/recipes/braze.liquid uses, to
 * check the recipe's logic (what is hashed, in what order, how the link is put
 * together) against the token vectors. It is not Braze: `{{content_blocks.${…}}}`
 * and `{{custom_attribute.${…}}}` come from `inputs`, `'now'` is `now`, and the
 * filters are Braze's as documented: append, sha2 (SHA-256, lowercase hex),
 * plus, date (strftime's %s %Y %m %d %H %M %S, in UTC), url_param_escape.
 */
export const renderLiquidSubset = (template: string, inputs: Record<string, string>, now: Date): string => {
  const vars: Record<string, string> = {};
  const braze = (text: string) =>
    text.replace(/\{\{(content_blocks|custom_attribute)\.\$\{(\w+)\}\}\}/g, (_m, _kind, name: string) => {
      if (!(name in inputs)) throw new Error(`no input ${name}`);
      return inputs[name];
    });
  const pad = (n: number) => String(n).padStart(2, '0');
  const strftime = (date: Date, format: string) =>
    format.replace(
      /%([sYmdHMS])/g,
      (_m, c: string) =>
        ({
          s: String(Math.floor(date.getTime() / 1000)),
          Y: String(date.getUTCFullYear()),
          m: pad(date.getUTCMonth() + 1),
          d: pad(date.getUTCDate()),
          H: pad(date.getUTCHours()),
          M: pad(date.getUTCMinutes()),
          S: pad(date.getUTCSeconds()),
        })[c]!,
    );
  const operand = (text: string): string => {
    const t = text.trim();
    const quoted = /^'(.*)'$/.exec(t);
    if (quoted) return quoted[1];
    if (/^\d+$/.test(t)) return t;
    if (!(t in vars)) throw new Error(`unknown variable ${t}`);
    return vars[t];
  };
  const filters = (expression: string): string => {
    const [head, ...rest] = expression.split('|');
    let value = braze(head.trim()) === head.trim() ? operand(head) : braze(head.trim());
    for (const filter of rest) {
      const [name, arg] = filter.split(':').map((s) => s.trim());
      const argument = arg === undefined ? '' : operand(filter.slice(filter.indexOf(':') + 1));
      switch (name) {
        case 'append':
          value += argument;
          break;
        case 'sha2':
          value = createHash('sha256').update(value, 'utf8').digest('hex');
          break;
        case 'plus':
          value = String(Number(value) + Number(argument));
          break;
        case 'date':
          value = strftime(value === 'now' ? now : new Date(Number(value) * 1000), argument);
          break;
        case 'url_param_escape':
          value = encodeURIComponent(value);
          break;
        default:
          throw new Error(`filter ${name} is outside the subset`);
      }
    }
    return value;
  };
  const body = template.replace(/\{% comment %\}[\s\S]*?\{% endcomment %\}/g, '');
  const out: string[] = [];
  for (const line of body.split('\n')) {
    const capture = /^\{% capture (\w+) %\}(.*)\{% endcapture %\}$/.exec(line);
    const assign = /^\{% assign (\w+) = (.*) %\}$/.exec(line);
    if (capture) vars[capture[1]] = braze(capture[2]);
    else if (assign) vars[assign[1]] = filters(assign[2]);
    else if (line.includes('{%')) throw new Error(`tag outside the subset: ${line}`);
    else out.push(line.replace(/\{\{ (.*?) \}\}/g, (_m, expression: string) => filters(expression)));
  }
  return out.join('\n').trim();
};
