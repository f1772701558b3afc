/**
 * Telling the stack's own objects from others' when its journal does not list them: an apply that
 * was interrupted after it created them (the sync or its Terraform killed, Terraform dead before it
 * saved state), a lost or replaced journal. The stack created each client with the secret it holds,
 * so holding that secret proves the client is its own; a grant is its own when its privilege has
 * the id this tool derives and its agent and application are the stack's own. Anything else that
 * exists is someone else's and is never taken over without `adopt: true`.
 *
 * The proof is side-effect free: the client introspects a value that is no token, with the
 * authentication method the live client uses. AM answers 200 `{"active": false}` to a client that
 * authenticated and 401 `invalid_client` to one that did not.
 */
import { CLIENT_SECRET_METHODS } from "../contract/constants";
import { isAicApiError } from "../client/errors";
import type { OAuth2Api } from "../client/types";

/** Whether `secret` authenticates the client `id`, which uses the token endpoint auth `method`. */
export type SecretProof = (id: string, method: string, secret: string) => Promise<boolean>;

/** What the proof introspects: any value that cannot be a token. */
const NOT_A_TOKEN = "cdktf-aic-ownership-proof";

/** The methods a secret can prove; other clients (public, private_key_jwt) are never recognized by secret. */
const SECRET_METHODS: ReadonlySet<string> = new Set(CLIENT_SECRET_METHODS);

export function secretProof(api: OAuth2Api): SecretProof {
  return async (id, method, secret) => {
    if (!SECRET_METHODS.has(method)) return false;
    try {
      await api.introspect({ token: NOT_A_TOKEN }, { clientId: id, secret, method: method as "client_secret_basic" | "client_secret_post" });
      return true;
    } catch (e) {
      if (isAicApiError(e) && e.status === 401) return false;
      throw e;
    }
  };
}

