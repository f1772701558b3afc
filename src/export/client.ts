/**
 * What the exports of the client kinds (the applications, the AI agent) share: reading an AM client of a
 * listing, the checks the constructs' validation would make, the fields no construct says, the
 * names of an exported client and its construct statement.
 */
import { CLIENT_ID_PATTERN, GRANT_TYPES, SCOPE_TOKEN_PATTERN, TOKEN_ENDPOINT_AUTH_METHODS, type Kind } from "../contract/constants";
import { clientSecretLabel, defaultLabelIdentifier } from "../contract/esv";
import { PRIVATE_JWK_MEMBERS } from "../contract/jwks";
import type { AmClientListItem } from "../contract/schemas";
import { clientDefaults, QUERY_ONLY_ATTRIBUTES, SECRET_ATTRIBUTE } from "../contract/am-defaults";
import { formatValue, sameValue } from "../engine/fields";
import { refIds } from "../engine/refs";
import type { ExportContext, ExportedObject } from "../kinds/unit";
import type { TenantListing } from "./read";
import { byString, camelName, list, props, q, upperSnake, type Entry } from "./source";

export const CORE = "coreOAuth2ClientConfig";
export const ADVANCED = "advancedOAuth2ClientConfig";

/** The props both client constructs have, as the file writes them. */
export interface ClientProps {
  readonly name: string;
  readonly description?: string;
  readonly owners: readonly string[];
  readonly scopes: readonly string[];
  /** Friendly names where AM's string has one. */
  readonly grantTypes: readonly string[];
  readonly tokenEndpointAuthMethod: string;
  /**
   * The secret is in the tenant's store: the client's label identifier, the ESV secret the realm maps
   * its label to, and the file's variable of that ESV when it exports it (`Secret.fromEsv`).
   */
  readonly storeSecret?: { readonly identifier: string; readonly esv: string; readonly esvVariable?: string };
}

const DEFAULT_GROUPS = clientDefaults();

/** The token endpoint auth method of a client that does not say one. */
export const AM_DEFAULT_AUTH_METHOD = "client_secret_basic";

/** A non-empty string, or undefined. */
export const str = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? v : undefined);
/** The strings of a list (none when it is no list). */
export const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
/** A config group of an AM client (empty when absent). */
export const group = (item: AmClientListItem, name: string): Record<string, unknown> => (item[name] as Record<string, unknown> | undefined) ?? {};

/**
 * Whether a field's value is (or holds, as JSON text) a JWK with private members: AM stores what an
 * admin pasted, a private key included, and the file and stderr must never quote it.
 */
function holdsPrivateKey(value: unknown): boolean {
  let parsed = value;
  if (typeof value === "string") {
    try {
      parsed = JSON.parse(value);
    } catch {
      return false;
    }
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  const jwks = Array.isArray(keys) ? keys : [parsed];
  return jwks.some((k) => typeof k === "object" && k !== null && PRIVATE_JWK_MEMBERS.some((m) => m in k));
}

/** Non-default AM attributes outside `owned`: what the construct would leave as it is, said once per field. */
export function unexpressedAm(item: AmClientListItem, owned: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const [groupName, defaults] of Object.entries(DEFAULT_GROUPS)) {
    const live = group(item, groupName);
    const queryOnly = new Set(QUERY_ONLY_ATTRIBUTES[groupName] ?? []);
    for (const key of Object.keys(live).sort(byString)) {
      const field = `${groupName}.${key}`;
      if (owned.has(field) || key === SECRET_ATTRIBUTE || key.endsWith("-encrypted") || queryOnly.has(key)) continue;
      const value = live[key];
      if (key in defaults ? sameValue(value, defaults[key]) : sameValue(value, null)) continue;
      out.push(`${field} = ${holdsPrivateKey(value) ? "(a JWK set with private key material: not shown)" : formatValue(value)}`);
    }
  }
  return out;
}

const FRIENDLY = new Map(Object.entries(GRANT_TYPES).map(([friendly, am]) => [am as string, friendly]));
export const friendlyGrant = (am: string): string => FRIENDLY.get(am) ?? am;

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join("\n") === [...b].sort().join("\n");
}

/** Whether a list prop differs from the construct's default (and so is written). */
export function notDefault(value: readonly string[], defaults: readonly string[]): boolean {
  return !sameList(value, defaults);
}

export interface Resolution {
  readonly names: string[];
  readonly notes: string[];
}

/** Relationship references → names; an id that names no user or group is left out with a note. */
export function namesOf(refs: unknown, names: ReadonlyMap<string, string>, field: string, what: string): Resolution {
  const out: Resolution = { names: [], notes: [] };
  for (const id of refIds(refs)) {
    const name = names.get(id);
    if (name) out.names.push(name);
    else out.notes.push(`${field}: ${id} is no ${what} of the realm (left out: the apply drops the reference)`);
  }
  out.names.sort(byString);
  return out;
}

/**
 * A client's secret in the tenant's store: its label identifier, when the realm maps the label to one
 * ESV secret (`Secret.fromEsv`); undefined otherwise (an identifier without a mapping is left as
 * it is, like any field no prop says).
 */
export function storeSecretOf(item: AmClientListItem, listing: TenantListing, context: ExportContext): ClientProps["storeSecret"] {
  const identifier = str(group(item, CORE).secretLabelIdentifier);
  const mapping = identifier ? listing.secretMappings.find((m) => m._id === clientSecretLabel(identifier)) : undefined;
  if (!identifier || mapping?.aliases.length !== 1) return undefined;
  const esv = mapping.aliases[0];
  const esvVariable = context.exported("esv-secret", esv)?.variable;
  return { identifier, esv, ...(esvVariable ? { esvVariable } : {}) };
}

/** AM client attributes owned besides the kind's own: the label identifier of a secret in the store. */
export function ownedWithStore(owned: ReadonlySet<string>, store: ClientProps["storeSecret"]): ReadonlySet<string> {
  return store ? new Set([...owned, `${CORE}.secretLabelIdentifier`]) : owned;
}

/** Why a construct refuses a list of scopes (`prop`): a malformed or duplicate scope; or none. */
export function scopesProblem(prop: string, value: unknown, construct: string): string | undefined {
  const scopes = strings(value);
  const malformed = scopes.find((s) => !SCOPE_TOKEN_PATTERN.test(s));
  if (malformed !== undefined) return `its ${prop} have ${JSON.stringify(malformed)}, not a scope name: ${construct} takes scope names without spaces, quotes or backslashes`;
  if (new Set(scopes).size !== scopes.length) return `its ${prop} ${formatValue(scopes)} name one scope twice: ${construct} refuses duplicates`;
  return undefined;
}

/** What a client construct is, for `clientProblem`. */
export interface ClientConstruct {
  /** Its class, as the reasons name it. */
  readonly construct: string;
  /** It makes a public client (no secret, token endpoint auth method `none`). */
  readonly public?: boolean;
  readonly scopesRequired: boolean;
}

/** Checks what the constructs' validation would refuse of a client; the first reason, or none. */
export function clientProblem(id: string, item: AmClientListItem, c: ClientConstruct): string | undefined {
  if (!CLIENT_ID_PATTERN.test(id)) return `client id has characters the constructs do not accept (allowed: ${CLIENT_ID_PATTERN})`;
  const core = group(item, CORE);
  const advanced = group(item, ADVANCED);
  const isPublic = str(core.clientType) === "Public";
  if (isPublic && !c.public) return `a public client (no secret): ${c.construct} makes a confidential client`;
  if (!isPublic && c.public) return `a confidential client: ${c.construct} makes a public client (no secret)`;
  if (c.scopesRequired && strings(core.scopes).length === 0) return `no scopes: ${c.construct} needs at least one`;
  const scopes = scopesProblem("scopes", core.scopes, c.construct);
  if (scopes) return scopes;
  const grantTypes = strings(advanced.grantTypes);
  if (grantTypes.length === 0) return "no grant types: the constructs need at least one";
  if (new Set(grantTypes).size !== grantTypes.length) return `its grant types ${formatValue(grantTypes)} name one twice: ${c.construct} refuses duplicates`;
  const method = str(advanced.tokenEndpointAuthMethod) ?? AM_DEFAULT_AUTH_METHOD;
  if (c.public && method !== "none") return `token endpoint auth method "${method}": ${c.construct} is a public client, whose method is "none"`;
  if (!c.public && !(TOKEN_ENDPOINT_AUTH_METHODS as readonly string[]).includes(method)) return `token endpoint auth method "${method}" is not one the constructs accept`;
  return undefined;
}

/**
 * An exported client: construct id its client id, a variable from its client id, a secret env var
 * `<secretPrefix>_<CLIENT_ID>_SECRET` (no prefix: a client without a secret the stack writes).
 */
export function exportedClient<P extends ClientProps>(kind: Kind, id: string, secretPrefix: string | undefined, p: P, unexpressed: readonly string[], context: ExportContext): ExportedObject<P> {
  return {
    kind,
    id,
    constructId: id,
    variable: context.variables.take(camelName(id)),
    // A secret in the store passes through no pipeline: no variable.
    ...(p.storeSecret || secretPrefix === undefined ? {} : { secretEnv: `${context.secretEnvs.take(`${secretPrefix}_${upperSnake(id)}`)}_SECRET` }),
    ...(p.storeSecret || secretPrefix !== undefined ? { imports: ["Secret"] } : {}),
    grantTypes: p.grantTypes,
    unexpressed,
    props: p,
  };
}

/** `Secret.fromEsv(esv)` (its label identifier when not the one read from the client id), `Secret.fromEnv(NAME)`, or none. */
function clientSecretSource(a: ExportedObject<ClientProps>): string | undefined {
  const store = a.props.storeSecret;
  if (!store) return a.secretEnv === undefined ? undefined : `Secret.fromEnv(${q(a.secretEnv)})`;
  const identifier = store.identifier === defaultLabelIdentifier(a.id) ? "" : `, { labelIdentifier: ${q(store.identifier)} }`;
  return `Secret.fromEsv(${store.esvVariable ?? q(store.esv)}${identifier})`;
}

/** A client construct: `const x = new C(stack, id, { name, clientId, clientSecret, … rest, adopt: true })`. */
export function renderClient(construct: string, a: ExportedObject<ClientProps>, constructId: string, rest: readonly Entry[]): string[] {
  const p = a.props;
  const secret = clientSecretSource(a);
  return [
    `const ${a.variable} = new ${construct}(stack, ${q(constructId)}, {`,
    ...props(
      [
        ["name", q(p.name)],
        ["clientId", q(a.id)],
        secret === undefined ? undefined : ["clientSecret", secret],
        p.description !== undefined ? ["description", q(p.description)] : undefined,
        p.owners.length > 0 ? ["owners", list(p.owners)] : undefined,
        ...rest,
        ["adopt", "true"],
      ],
      "  ",
    ),
    "});",
  ];
}
