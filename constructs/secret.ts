import type { SecretRef } from "../src/contract";

/** Options of {@link Secret.fromEnv}. */
export interface SecretFromEnvOptions {
  /**
   * A label of the secret's current value. Bump it to rotate: the next `terraform apply` re-runs
   * the object's apply, which writes the value the variable holds then (the object is updated in
   * place, never re-created).
   *
   * @default 1
   */
  readonly version?: number | string;
}

/** Options of {@link Secret.fromEsv}. */
export interface SecretFromEsvOptions {
  /**
   * The client's secret label identifier (`coreOAuth2ClientConfig.secretLabelIdentifier`): AM reads
   * the secret of label `am.applications.oauth2.client.<identifier>.secret`, which the stack maps
   * to the ESV. Letters, digits and single dots.
   *
   * @default - the client id with each run of `-` and `_` read as a dot (`my-web-app` → `my.web.app`)
   */
  readonly labelIdentifier?: string;
}

/** An ESV secret, as {@link Secret.fromEsv} takes it: an `EnvironmentSecret` of the stack, or anything with its id. */
export interface EsvSecretReference {
  readonly esvId: string;
}

/** Where a secret is: the environment of `terraform apply`, or the tenant's own secret store. */
export type SecretSource =
  | { readonly type: "env"; readonly envName: string; readonly version: number | string }
  | { readonly type: "esv"; readonly esvId: string; readonly labelIdentifier?: string };

/**
 * A reference to a client secret, never the value: either the name of the environment variable
 * that holds it when Terraform runs ({@link Secret.fromEnv}; the bundled CLI reads it at apply time
 * and never writes it to the synthesized configuration, the Terraform state, plan output or argv),
 * or an ESV secret of the tenant that AM reads itself ({@link Secret.fromEsv}; no pipeline holds it).
 */
export class Secret {
  /**
   * The secret in environment variable `name` of the process that runs `terraform apply`.
   *
   * @param name a POSIX environment variable name, e.g. `WEB_APP_CLIENT_SECRET`
   */
  static fromEnv(name: string, options: SecretFromEnvOptions = {}): Secret {
    return new Secret({ type: "env", envName: name, version: options.version ?? 1 });
  }

  /**
   * A client secret kept in the tenant's secret store: the client gets a secret label identifier and
   * the realm's ESV secret store maps its label to the ESV secret `esv` (an `EnvironmentSecret` of
   * the stack, or the id of one made elsewhere). The apply never reads or writes the value; rotate
   * by adding a version to the ESV (mapped secrets need no restart). Clients only.
   */
  static fromEsv(esv: string | EsvSecretReference, options: SecretFromEsvOptions = {}): Secret {
    const esvId = typeof esv === "string" ? esv : esv.esvId;
    return new Secret({ type: "esv", esvId, ...(options.labelIdentifier === undefined ? {} : { labelIdentifier: options.labelIdentifier }) });
  }

  private constructor(
    /** Where the secret is. */
    public readonly source: SecretSource,
  ) {}

  /** The environment variable that holds the value; undefined for a secret in the tenant's store. */
  get envName(): string | undefined {
    return this.source.type === "env" ? this.source.envName : undefined;
  }

  /** The rotation label of a secret in the environment; see {@link SecretFromEnvOptions.version}. */
  get version(): number | string | undefined {
    return this.source.type === "env" ? this.source.version : undefined;
  }

  /** The reference as the spec carries it; undefined for a secret in the tenant's store (the spec names its label instead). */
  toSecretRef(): SecretRef | undefined {
    return this.source.type === "env" ? { env: this.source.envName, version: this.source.version } : undefined;
  }
}
