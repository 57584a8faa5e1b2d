/**
 * Reads `path` from a JSON value: `a.b.0.c` walks objects and array indexes; `*` maps the rest of
 * the path over every element of an array (`genres.*.name` → ['Drama', 'Horror']). An empty path is
 * the value itself; a missing step gives undefined.
 */
export function readPath(value: unknown, path: string): unknown {
  if (path === '') return value;
  return walk(value, path.split('.'));
}

function walk(value: unknown, steps: string[]): unknown {
  if (steps.length === 0) return value;
  const [step, ...rest] = steps;
  if (step === '*') {
    if (!Array.isArray(value)) return undefined;
    return value.map((element) => walk(element, rest)).filter((element) => element !== undefined && element !== null);
  }
  if (Array.isArray(value)) {
    if (!/^\d+$/.test(step)) return undefined;
    return walk(value[Number(step)], rest);
  }
  if (typeof value !== 'object' || value === null || !Object.prototype.hasOwnProperty.call(value, step)) return undefined;
  return walk((value as Record<string, unknown>)[step], rest);
}
