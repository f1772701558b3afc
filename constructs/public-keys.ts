import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { IConstruct } from "constructs";
import { PRIVATE_JWK_MEMBERS as PRIVATE_MEMBERS, PUBLIC_KEY_TYPES } from "../src/contract/jwks";
import { VALIDATION_CODES as C, propError } from "./errors";

/** A JSON Web Key as a JWK set holds it (RFC 7517): public members only. */
export type PublicJwk = Readonly<Record<string, unknown>>;

/** A JWK set: `{ keys: [...] }`. */
export interface PublicJwkSet {
  readonly keys: readonly PublicJwk[];
}

/** Where the keys come from, as a message names it (never their content). */
type Source = { readonly kind: "inline"; readonly jwks: unknown } | { readonly kind: "file"; readonly path: string } | { readonly kind: "env"; readonly name: string };

/**
 * The public keys a service app's `private_key_jwt` assertions are verified with, as a JWK set
 * (a single JWK is taken as a set of one). Read when the construct is made (at synth), so the
 * synthesized stack holds the public keys themselves. A private key is refused at synth: it must
 * never reach the stack, its state or the tenant.
 */
export class PublicKeys {
  /** A JWK set (or one JWK) in code. */
  static fromJwks(jwks: PublicJwkSet | PublicJwk): PublicKeys {
    return new PublicKeys({ kind: "inline", jwks });
  }

  /** A JWK set (or one JWK) in a JSON file, read at synth; a relative path is from the working directory. */
  static fromFile(path: string): PublicKeys {
    return new PublicKeys({ kind: "file", path });
  }

  /** A JWK set (or one JWK) as JSON in environment variable `name` of the synth, read at synth. */
  static fromEnv(name: string): PublicKeys {
    return new PublicKeys({ kind: "env", name });
  }

  private constructor(private readonly source: Source) {}

  /**
   * The checked JWK set, or undefined after a prop error on `scope` (which names `prop` and where
   * the keys came from, never a key's value).
   *
   * @internal
   */
  public _read(scope: IConstruct, prop: string): PublicJwkSet | undefined {
    const where = this.describe();
    const fail = (code: (typeof C)[keyof typeof C], problem: string, allowed: string, fix: string): undefined => {
      propError(scope, code, { problem: `${prop} (${where}) ${problem}`, received: where, allowed, fix });
      return undefined;
    };
    const allowed = `a JWK set {"keys": [...]} or one JWK of the public key types ${PUBLIC_KEY_TYPES.join(", ")}, as JSON`;
    let value: unknown;
    try {
      value = this.load();
    } catch (e) {
      const text = this.source.kind === "inline" ? "" : (e as Error & { raw?: string }).raw ?? "";
      if (/PRIVATE KEY/.test(text)) {
        return fail(C.privateKeyMaterial, "holds a private key", "public keys only", "give the public JWK set: the private key stays with the service that signs");
      }
      return fail(C.invalidPublicKeys, `could not be read: ${(e as Error).message}`, allowed, this.source.kind === "env" ? `set ${this.source.name} to the JSON of the JWK set` : "point it at a JSON file with the JWK set");
    }
    const keys = isObject(value) && Array.isArray(value.keys) ? value.keys : isObject(value) && "kty" in value ? [value] : undefined;
    if (!keys || keys.length === 0) return fail(C.invalidPublicKeys, "is not a JWK set with at least one key", allowed, "give the JWK set of the keys the service signs with");
    for (const [i, key] of keys.entries()) {
      if (!isObject(key)) return fail(C.invalidPublicKeys, `has a key ${i} that is not a JSON object`, allowed, "remove it");
      const members = PRIVATE_MEMBERS.filter((m) => m in key);
      if (members.length > 0) {
        return fail(
          C.privateKeyMaterial,
          `holds private key material in key ${i} (members ${members.join(", ")})`,
          "public keys only: no d, p, q, dp, dq, qi, oth or k member",
          "give the public half only (e.g. jose's exportJWK of the public key); keep the private key with the service that signs, and rotate it: it was where a stack could copy it",
        );
      }
      if (typeof key.kty !== "string" || !PUBLIC_KEY_TYPES.includes(key.kty)) return fail(C.invalidPublicKeys, `has a key ${i} whose kty is not ${PUBLIC_KEY_TYPES.join(", ")}`, allowed, "give signing keys of those types");
      if (key.use !== undefined && key.use !== "sig") return fail(C.invalidPublicKeys, `has a key ${i} whose use is ${JSON.stringify(key.use)}, not "sig"`, allowed, `set "use": "sig" or leave it out`);
    }
    return { keys: keys as PublicJwk[] };
  }

  private describe(): string {
    switch (this.source.kind) {
      case "inline":
        return "a JWK set in code";
      case "file":
        return `the file ${this.source.path}`;
      case "env":
        return `the environment variable ${this.source.name}`;
    }
  }

  private load(): unknown {
    if (this.source.kind === "inline") return this.source.jwks;
    const raw = this.source.kind === "file" ? readFileSync(resolve(this.source.path), "utf8") : process.env[this.source.name];
    if (raw === undefined || raw.trim() === "") throw new Error("it is not set");
    try {
      return JSON.parse(raw);
    } catch {
      // Never the content in the message: it may be a private key.
      throw Object.assign(new Error("it is not JSON"), { raw });
    }
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
