/**
 * Finds the first key that appears twice in one object of a JSON text, at any
 * depth. `JSON.parse` silently keeps the last duplicate, so a body such as
 * `{"project_id":"A","project_id":"B"}` would mean different things to
 * different parsers (a proxy, a WAF, this Lambda). The text must already be valid
 * JSON: call this after `JSON.parse` succeeded. Linear in the text's length.
 */
export const findDuplicateKey = (text: string): string | undefined => {
  // One frame per open container: the keys seen (objects) or null (arrays).
  const stack: Array<Set<string> | null> = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      if (top && expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.has(key)) return key;
        top.add(key);
        expectKey = false;
      }
      i = j;
    } else if (c === '{') {
      stack.push(new Set());
      expectKey = true;
    } else if (c === '[') {
      stack.push(null);
      expectKey = false;
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',') {
      expectKey = stack[stack.length - 1] instanceof Set;
    }
  }
  return undefined;
};
