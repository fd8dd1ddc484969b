import { Ajv } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { routeSchemas as credentialsRoutes } from '../lambdas/credentials/schema';
import { routeSchemas as browserSavesRoutes } from '../lambdas/browser-saves/schema';
import { routeSchemas as entriesRoutes } from '../lambdas/entries/schema';
import { routeSchemas as linkRequestsRoutes } from '../lambdas/link-requests/schema';
import { legacyEventSchema } from '../lambdas/legacy-load-entry-data/schema';
import { routeSchemas as legacyKeysRoutes } from '../lambdas/legacy-keys/schema';
import { loadEntryDataEventSchema } from '../lambdas/load-entry-data/schema';
import { batchRowSchema, invokePayloadSchema, routeSchemas as mintRoutes } from '../lambdas/mint/schema';
import { routeSchema, type RouteSchema } from '../lambdas/http/route-schema';

/**
 * The Ajv options every validator is compiled with: exactly the rules, no type
 * coercion, no defaults filled in, all errors reported, string lengths as
 * `.length` (so the generated code needs no Ajv runtime helper), and no English
 * error texts (validation-message.ts writes the product's own from keyword and
 * params). A field schema used more than once is compiled once, as a function
 * the routes call (`inlineRefs: false`, see `shareRepeatedFields`). Draft-07,
 * Ajv's default: no schema here uses a 2020-12 keyword, and the 2020-12 build
 * adds dynamic-anchor and evaluated-property bookkeeping to every function.
 */
const OPTIONS = {
  logger: false,
  messages: false,
  strict: true,
  allErrors: true,
  coerceTypes: false,
  useDefaults: false,
  unicode: false,
  inlineRefs: false,
  code: { source: true, esm: true },
} as const;

/** Each route's event schema, by route name (one validator each, see `routeValidator`). */
const byRoute = (routes: Readonly<Record<string, RouteSchema>>): Record<string, object> =>
  Object.fromEntries(Object.entries(routes).map(([name, parts]) => [name, routeSchema(parts)]));

interface LambdaValidators {
  /** Validators exported by their own name: export name → JSON Schema of the event (or direct payload). */
  readonly named?: Readonly<Record<string, object>>;
  /** One validator per route, exported together as `routeValidators` (lambdas/http/route-schema.ts `routeValidator`). */
  readonly routes?: Readonly<Record<string, RouteSchema>>;
}

/** Each Lambda's validators. */
export const VALIDATORS: Record<string, LambdaValidators> = {
  'load-entry-data': { named: { validateEvent: loadEntryDataEventSchema } },
  'legacy-load-entry-data': { named: { validateEvent: legacyEventSchema } },
  credentials: { routes: credentialsRoutes },
  entries: { routes: entriesRoutes },
  'browser-saves': { routes: browserSavesRoutes },
  'link-requests': { routes: linkRequestsRoutes },
  mint: { routes: mintRoutes, named: { validatePayload: invokePayloadSchema, validateRow: batchRowSchema } },
  'legacy-keys': { routes: legacyKeysRoutes },
};

type Schema = Record<string, unknown>;
const isRecord = (value: unknown): value is Schema => typeof value === 'object' && value !== null && !Array.isArray(value);
/** A schema of a string, number, integer or boolean: no schema inside it. */
const isScalarField = (schema: unknown): schema is Schema => isRecord(schema) && typeof schema.type === 'string' && !['object', 'array'].includes(schema.type);

/** Calls `visit` with each `properties` map in the schema, and in the schemas inside it. */
const eachPropertiesMap = (schema: unknown, visit: (properties: Schema) => void): void => {
  if (!isRecord(schema)) return;
  if (isRecord(schema.properties)) {
    visit(schema.properties);
    for (const child of Object.values(schema.properties)) eachPropertiesMap(child, visit);
  }
  if (isRecord(schema.items)) eachPropertiesMap(schema.items, visit);
};

/**
 * The same field rule written in several places (an id in every route's path
 * and body) becomes one schema of its own, `field<n>`, that the others `$ref`.
 * Ajv then compiles its checks once instead of once per place. Errors are the
 * same: the referenced function reports at the caller's instance path.
 */
const shareRepeatedFields = (schemas: Readonly<Record<string, object>>): { schemas: Record<string, object>; fields: Record<string, object> } => {
  const copies = structuredClone(schemas) as Record<string, object>;
  const uses = new Map<string, number>();
  for (const schema of Object.values(copies)) {
    eachPropertiesMap(schema, (properties) => {
      for (const field of Object.values(properties)) if (isScalarField(field)) uses.set(JSON.stringify(field), (uses.get(JSON.stringify(field)) ?? 0) + 1);
    });
  }
  const ids = new Map([...uses].filter(([, n]) => n > 1).map(([text], i) => [text, `field${i}`]));
  for (const schema of Object.values(copies)) {
    eachPropertiesMap(schema, (properties) => {
      for (const [name, field] of Object.entries(properties)) {
        const id = isScalarField(field) ? ids.get(JSON.stringify(field)) : undefined;
        if (id) properties[name] = { $ref: id };
      }
    });
  }
  return { schemas: copies, fields: Object.fromEntries([...ids].map(([text, id]) => [id, { $id: id, ...JSON.parse(text) }])) };
};

const HEADER = '// Generated by scripts/build-validators.ts from ./schema.ts with Ajv standalone. Do not edit.\n';
const routeExport = (route: string) => `validate${route[0].toUpperCase()}${route.slice(1)}Route`;

/** The generated module and its declaration for one Lambda. */
export const renderValidators = (fn: string): { js: string; dts: string } => {
  const { named = {}, routes = {} } = VALIDATORS[fn];
  const exported: Record<string, object> = { ...named };
  for (const [route, schema] of Object.entries(byRoute(routes))) exported[routeExport(route)] = schema;
  const { schemas, fields } = shareRepeatedFields(exported);
  const ajv = new Ajv(OPTIONS);
  for (const field of Object.values(fields)) ajv.addSchema(field);
  const refs: Record<string, string> = {};
  for (const [name, schema] of Object.entries(schemas)) {
    ajv.addSchema(schema, name);
    refs[name] = name;
  }
  const routeNames = Object.keys(routes);
  const routeMap = routeNames.length
    ? `export const routeValidators = { ${routeNames.map((r) => `${JSON.stringify(r)}: ${routeExport(r)}`).join(', ')} };\n`
    : '';
  const js = `${HEADER}${(standaloneCode as unknown as { default: (a: unknown, r: unknown) => string }).default(ajv, refs)}\n${routeMap}`;
  const declarations = Object.keys(refs).map((name) => `export declare const ${name}: ValidateFunction;`);
  if (routeNames.length) declarations.push(`export declare const routeValidators: { ${routeNames.map((r) => `readonly ${r}: ValidateFunction`).join('; ')} };`);
  const dts = `${HEADER}import type { ValidateFunction } from 'ajv';\n${declarations.join('\n')}\n`;
  return { js, dts };
};
