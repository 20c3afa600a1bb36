import { readFileSync, existsSync } from 'node:fs';
import { z } from 'zod';

/** A config that failed validation: the message names the offending field. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function formatZodError(err: z.ZodError, what: string): string {
  return err.issues
    .map((i) => (i.path.length ? `${what}: field '${i.path.join('.')}': ${i.message}` : `${what}: ${i.message}`))
    .join('\n');
}

/**
 * A zod error map for a strict config object whose keys were renamed (snake_case → camelCase):
 * an old key gets one message naming its new name instead of zod's generic "unrecognized key".
 * Use as `z.object(shape, { error: renamedKeys({ train_limit: 'trainLimit' }) }).strict()`;
 * parseConfig then throws `data config: field 'source': 'train_limit' was renamed to 'trainLimit'`.
 */
export function renamedKeys(renamed: Record<string, string>): z.core.$ZodErrorMap {
  return (iss) => {
    if (iss.code !== 'unrecognized_keys') return undefined;
    return iss.keys
      .map((k) => (Object.hasOwn(renamed, k) ? `'${k}' was renamed to '${renamed[k]}'` : `unknown key '${k}'`))
      .join('; ');
  };
}

export function parseConfig<S extends z.ZodType>(schema: S, raw: unknown, what: string): z.output<S> {
  const r = schema.safeParse(raw);
  if (!r.success) throw new ConfigError(formatZodError(r.error, what));
  return r.data;
}

/** `--config` accepts a JSON file path or inline JSON. */
export function loadConfigArg(arg: string | undefined): Record<string, unknown> {
  if (!arg) return {};
  const text = existsSync(arg) ? readFileSync(arg, 'utf8') : arg;
  try {
    const v = JSON.parse(text);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch (e) {
    throw new ConfigError(`--config: ${existsSync(arg) ? `file ${arg}` : 'inline value'} is not a JSON object (${(e as Error).message})`);
  }
}

/** Applies `a.b=value` overrides; values are parsed as JSON when they parse, else kept as strings. */
export function applyOverrides(cfg: Record<string, unknown>, sets: string[]): Record<string, unknown> {
  const out = structuredClone(cfg);
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new ConfigError(`--set '${s}': expected key=value`);
    const path = s.slice(0, eq).split('.');
    let value: unknown = s.slice(eq + 1);
    try {
      value = JSON.parse(value as string);
    } catch {
      /* a bare string */
    }
    let o = out as Record<string, unknown>;
    for (const k of path.slice(0, -1)) {
      if (typeof o[k] !== 'object' || o[k] === null) o[k] = {};
      o = o[k] as Record<string, unknown>;
    }
    o[path.at(-1)!] = value;
  }
  return out;
}

interface JsonSchemaNode {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  properties?: Record<string, JsonSchemaNode>;
  anyOf?: JsonSchemaNode[];
  oneOf?: JsonSchemaNode[];
  items?: JsonSchemaNode;
  const?: unknown;
}

function typeName(n: JsonSchemaNode): string {
  if (n.enum) return n.enum.map((e) => JSON.stringify(e)).join('|');
  if (n.const !== undefined) return JSON.stringify(n.const);
  const alts = n.anyOf ?? n.oneOf;
  if (alts) {
    // A discriminated union of objects (data sources, transforms): show the tags.
    const tags = alts.map((a) => a.properties?.name?.const);
    if (tags.every((t) => t !== undefined)) return `{name: ${tags.map((t) => JSON.stringify(t)).join('|')}, …}`;
    return alts.map(typeName).join(' | ');
  }
  if (n.type === 'array' && n.items) return `${typeName(n.items)}[]`;
  return Array.isArray(n.type) ? n.type.join('|') : (n.type ?? 'any');
}

/** Help lines generated from the zod schema: field, type, default, description. */
export function schemaHelp(schema: z.ZodType, indent = '  '): string {
  const js = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;
  const lines: string[] = [];
  const walk = (node: JsonSchemaNode, prefix: string) => {
    for (const [k, v] of Object.entries(node.properties ?? {})) {
      const key = prefix ? `${prefix}.${k}` : k;
      if (v.properties && !v.description?.startsWith('!')) {
        lines.push(`${indent}${key}  (object)${v.description ? `  ${v.description}` : ''}`);
        walk(v, key);
        continue;
      }
      const def = v.default !== undefined ? `  [default: ${JSON.stringify(v.default)}]` : '';
      lines.push(`${indent}${key}  <${typeName(v)}>${def}${v.description ? `\n${indent}    ${v.description}` : ''}`);
    }
  };
  walk(js, '');
  return lines.join('\n');
}
