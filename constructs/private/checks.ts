/**
 * Props checks shared by the constructs. Each reports a prop error (`propError`: recorded for synth
 * in a TenantStack, else thrown) naming the prop, the value, what is allowed and the fix; values
 * that are unresolved tokens are skipped (known only at deploy time).
 */
import { IConstruct } from "constructs";
import { Token } from "cdktf";
import {
  CLIENT_ID_PATTERN,
  ENV_NAME_PATTERN,
  GRANT_TYPES,
  SCOPE_TOKEN_PATTERN,
  TOKEN_ENDPOINT_AUTH_METHODS,
  TokenEndpointAuthMethod,
  amGrantType,
} from "../../src/contract";
import { defaultLabelIdentifier, ESV_ID_PATTERN, ESV_UNCONFIRMED } from "../../src/contract/esv";
import { closestName } from "../../src/contract/text";
import { VALIDATION_CODES as C, ValidationCode, propError, validationMessage } from "../errors";
import type { Secret, SecretSource } from "../secret";

/** Whether a value is a token known only at deploy time (its checks are skipped). */
export const unresolved = (v: unknown): boolean => typeof v === "string" && Token.isUnresolved(v);

export function checkEnvName(scope: IConstruct, prop: string, name: string): void {
  if (unresolved(name) || ENV_NAME_PATTERN.test(name)) return;
  return propError(scope, C.invalidEnvName, {
    problem: `${prop} is not a valid environment variable name`,
    received: name,
    allowed: `a name matching ${ENV_NAME_PATTERN} (letters, digits and '_', not starting with a digit)`,
    fix: `name the variable like WEB_APP_CLIENT_SECRET`,
  });
}

/**
 * Checks a secret reference. `store`: the prop may name a secret in the tenant's store
 * (`Secret.fromEsv`, clients); otherwise only `Secret.fromEnv` makes sense (an ESV's own value).
 */
export function checkSecret(scope: IConstruct, prop: string, secret: Secret, store = false): void {
  if (secret.source.type === "esv") {
    if (store) return checkStoreSecret(scope, prop, secret.source);
    return propError(scope, C.secretNotInEnv, {
      problem: `${prop} must come from the environment of the apply`,
      received: `Secret.fromEsv("${secret.source.esvId}")`,
      allowed: "Secret.fromEnv(NAME): the value the apply writes into the tenant",
      fix: `pass Secret.fromEnv("MY_SECRET") and set MY_SECRET where terraform apply runs`,
    });
  }
  checkEnvName(scope, `${prop} (Secret.fromEnv)`, secret.source.envName);
  const v = secret.source.version;
  if ((typeof v === "number" && Number.isInteger(v)) || (typeof v === "string" && v.length > 0)) return;
  return propError(scope, C.invalidSecretVersion, {
    problem: `${prop} has an invalid version`,
    received: v,
    allowed: "an integer or a non-empty string",
    fix: `pass Secret.fromEnv("${secret.source.envName}", { version: 2 }) and bump it to rotate`,
  });
}

/** An ESV id (`prop` names where it came from), with an id it could have meant. */
export function checkEsvId(scope: IConstruct, prop: string, id: string): void {
  if (unresolved(id) || ESV_ID_PATTERN.test(id)) return;
  const suggestion = `esv-${id.toLowerCase().replace(/^esv[-._]?/, "").replace(/[^a-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "") || "my-value"}`.slice(0, 128);
  propError(scope, C.invalidEsvId, {
    problem: `${prop} is not an ESV id`,
    received: id,
    allowed: `a string matching ${ESV_ID_PATTERN} ("esv-", then lower-case letters, digits, '_' and '-'; at most 128 characters)`,
    fix: `use e.g. "${suggestion}"`,
  });
}

/** A secret in the tenant's store: an ESV id and, when given, a label identifier AM takes. */
function checkStoreSecret(scope: IConstruct, prop: string, source: Extract<SecretSource, { type: "esv" }>): void {
  checkEsvId(scope, `${prop} (Secret.fromEsv)`, source.esvId);
  const identifier = source.labelIdentifier;
  if (identifier === undefined || unresolved(identifier) || ESV_UNCONFIRMED.secretLabelIdentifierPattern.test(identifier)) return;
  propError(scope, C.invalidLabelIdentifier, {
    problem: `${prop} (Secret.fromEsv) has a labelIdentifier AM does not take`,
    received: identifier,
    allowed: "letters and digits, in parts joined by single dots (the console's rule)",
    fix: `use e.g. "${defaultLabelIdentifier(identifier) || "my.web.app"}"`,
  });
}



export function checkClientId(scope: IConstruct, prop: string, clientId: string): void {
  if (unresolved(clientId) || CLIENT_ID_PATTERN.test(clientId)) return;
  return propError(scope, C.invalidClientId, {
    problem: `${prop} may contain only letters, digits, '-' and '_'`,
    received: clientId,
    allowed: `a string matching ${CLIENT_ID_PATTERN}`,
    fix: `use e.g. "${suggestClientId(clientId)}"`,
  });
}

function suggestClientId(s: string): string {
  return (
    s
      .trim()
      .replace(/[^A-Za-z0-9_-]+/g, "-")
      .replace(/^-+|-+$/g, "") || "my-client"
  );
}

export function checkNonEmpty(scope: IConstruct, prop: string, value: string): void {
  if (unresolved(value) || value.trim().length > 0) return;
  return propError(scope, C.invalidName, {
    problem: `${prop} must not be empty`,
    received: value,
    allowed: "a non-empty string",
    fix: `set ${prop}`,
  });
}

/** Scopes: tokens without whitespace, no duplicates; `required` forbids an empty list. */
export function checkScopes(scope: IConstruct, prop: string, scopes: readonly string[], required: boolean): void {
  if (required && scopes.length === 0) {
    return propError(scope, C.noScopes, {
      problem: `${prop} must name at least one scope`,
      received: scopes,
      allowed: "one or more scope names",
      fix: `list the scopes the application serves, e.g. ["openid", "read-data"]`,
    });
  }
  for (const s of scopes) {
    if (unresolved(s) || SCOPE_TOKEN_PATTERN.test(s)) continue;
    return propError(scope, C.invalidScope, {
      problem: `${prop} contains an empty or malformed scope`,
      received: s,
      allowed: "scope names of printable characters without spaces, quotes or backslashes (RFC 6749 §3.3)",
      fix: `remove it or split "${s}" into separate entries`,
    });
  }
  checkUnique(scope, prop, scopes, C.duplicateScopes);
}

export function checkUnique(scope: IConstruct, prop: string, values: readonly string[], code: ValidationCode): void {
  const seen = new Set<string>();
  const dupes = new Set<string>();
  for (const v of values) {
    if (unresolved(v)) continue;
    if (seen.has(v)) dupes.add(v);
    seen.add(v);
  }
  if (dupes.size === 0) return;
  return propError(scope, code, {
    problem: `${prop} lists the same value more than once`,
    received: values,
    allowed: "each value once",
    fix: `remove the repeated ${JSON.stringify([...dupes])}`,
  });
}

/** Every value of `values` is one of `of` (the prop `ofProp`); unresolved tokens are known only at deploy time. */
export function checkSubset(scope: IConstruct, prop: string, values: readonly string[], ofProp: string, of: readonly string[]): void {
  if ([...values, ...of].some(unresolved)) return;
  const outside = values.filter((v) => !of.includes(v));
  if (outside.length === 0) return;
  return propError(scope, C.defaultScopeOutsideScopes, {
    problem: `${prop} ${JSON.stringify(outside)} are not among ${ofProp}, so AM would refuse them`,
    received: values,
    allowed: `values of ${ofProp}: ${JSON.stringify(of)}`,
    fix: `remove ${JSON.stringify(outside)} from ${prop}, or add them to ${ofProp}`,
  });
}

/** A token lifetime in seconds: a whole number, 0 (the provider's) or more. */
export function checkLifetime(scope: IConstruct, prop: string, seconds: number): void {
  if (Token.isUnresolved(seconds) || (Number.isInteger(seconds) && seconds >= 0)) return;
  return propError(scope, C.invalidLifetime, {
    problem: `${prop} is not a lifetime in whole seconds`,
    received: seconds,
    allowed: "an integer of 0 (the OAuth2 provider's lifetime) or more",
    fix: `use e.g. ${prop}: 3600 for one hour`,
  });
}

/** Names of users or groups: non-empty, each once. */
export function checkNames(scope: IConstruct, prop: string, names: readonly string[]): void {
  for (const n of names) {
    if (unresolved(n) || n.trim().length > 0) continue;
    return propError(scope, C.invalidUsername, {
      problem: `${prop} contains an empty name`,
      received: names,
      allowed: "user names (or group names) as the tenant knows them",
      fix: "remove the empty entry",
    });
  }
  checkUnique(scope, prop, names, C.duplicateNames);
}

/** Resolves friendly grant names to AM's strings and checks the list. */
export function resolveGrantTypes(scope: IConstruct, prop: string, grantTypes: readonly string[]): string[] {
  if (grantTypes.length === 0) {
    propError(scope, C.noGrantTypes, {
      problem: `${prop} must name at least one grant type`,
      received: grantTypes,
      allowed: `friendly names (${Object.keys(GRANT_TYPES).join(", ")}) or AM grant strings`,
      fix: `add the grant types the client uses, e.g. ["authorization-code"]`,
    });
    return [];
  }
  const resolved = grantTypes.map(amGrantType);
  checkUnique(scope, `${prop} (as AM grant strings)`, resolved, C.duplicateGrantTypes);
  return resolved;
}

/** Whether AM knows this grant string (any other string is passed through, with a warning). */
export function isKnownGrantType(amGrant: string): boolean {
  return (Object.values(GRANT_TYPES) as string[]).includes(amGrant);
}

export function checkTokenEndpointAuthMethod(scope: IConstruct, prop: string, method: string): TokenEndpointAuthMethod {
  if (Token.isUnresolved(method) || (TOKEN_ENDPOINT_AUTH_METHODS as readonly string[]).includes(method)) {
    return method as TokenEndpointAuthMethod;
  }
  propError(scope, C.invalidTokenEndpointAuthMethod, {
    problem: `${prop} is not a token endpoint authentication method AM supports`,
    received: method,
    allowed: TOKEN_ENDPOINT_AUTH_METHODS.join(", "),
    fix: `use "client_secret_basic" or "client_secret_post" for a client with a secret`,
  });
  return method as TokenEndpointAuthMethod;
}

/** Every prop of a props interface, listed for run time: the compiler checks the list is complete and exact. */
export type PropNames<P> = { readonly [K in keyof Required<P>]: true };

/**
 * Props a construct does not know, such as `redirectUri` for `redirectUris`. TypeScript refuses
 * them, but `tsx` (which `cdktf synth` runs) does not type-check and JavaScript has no types, so
 * they would be dropped without a word. Each one is a validation error, reported at synth with the
 * stack's others, naming the prop most likely meant. `path` prefixes nested props (`providerOverrides.`).
 */
export function checkKnownProps<P extends object>(scope: IConstruct, propsType: string, props: P | undefined, known: PropNames<P>, path = ""): void {
  const names = Object.keys(known);
  const unknown = Object.keys(props ?? {}).filter((prop) => !Object.hasOwn(known, prop));
  if (unknown.length === 0) return;
  scope.node.addValidation({
    validate: () =>
      unknown.map((prop) => {
        const meant = closestName(prop, names);
        return validationMessage(C.unknownProp, {
          problem: `${path}${prop} is not a prop of ${propsType}${meant ? ` (did you mean ${path}${meant}?)` : ""}`,
          received: `${path}${prop}`,
          allowed: names.map((n) => `${path}${n}`).join(", "),
          fix: meant ? `rename ${path}${prop} to ${path}${meant}` : `remove ${path}${prop}`,
        });
      }),
  });
}
