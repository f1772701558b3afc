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

/**
 * A reference to a client secret: the name of the environment variable that holds it when
 * Terraform runs, never the value. The value is read by the bundled CLI at apply time and is
 * never written to the synthesized configuration, the Terraform state, plan output or argv.
 */
export class Secret {
  /**
   * The secret in environment variable `name` of the process that runs `terraform apply`.
   *
   * @param name a POSIX environment variable name, e.g. `WEB_APP_CLIENT_SECRET`
   */
  static fromEnv(name: string, options: SecretFromEnvOptions = {}): Secret {
    return new Secret(name, options.version ?? 1);
  }

  private constructor(
    /** The environment variable that holds the value. */
    public readonly envName: string,
    /** The rotation label; see {@link SecretFromEnvOptions.version}. */
    public readonly version: number | string,
  ) {}

  /** The reference as the spec carries it. */
  toSecretRef(): SecretRef {
    return { env: this.envName, version: this.version };
  }
}
