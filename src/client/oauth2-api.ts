/**
 * The realm's OAuth2 runtime endpoints (reference §8): token, introspect, tokeninfo. They take
 * client and user credentials in the form, never admin ones. Form values that are credentials
 * are registered as secrets before sending, so no error can show them; an OAuth2 error body
 * `{error, error_description}` becomes an `AicApiError` whose API message is the `error` string.
 */
import type { Dispatcher } from "undici";
import { ENDPOINTS, fillPath, type Endpoint } from "../contract/endpoints";
import type { IntrospectionResponse, TokenResponse } from "../contract/schemas";
import { registerSecret } from "./errors";
import { httpError, parseBody, queryString, Transport, type HttpRequest, type TransportOptions } from "./transport";
import type { ClientCredentials, OAuth2Api } from "./types";

export interface OAuth2ApiOptions {
  baseUrl: string;
  realm: string;
  dispatcher?: Dispatcher;
  retry?: TransportOptions["retry"];
  timeouts?: TransportOptions["timeouts"];
}

/** The OAuth2 API plus the release of its connections. */
export interface OAuth2Client extends OAuth2Api {
  close(): Promise<void>;
}

/** Form fields whose values are credentials or tokens. */
const SECRET_FIELDS = ["password", "client_secret", "assertion", "client_assertion", "subject_token", "actor_token", "refresh_token", "token", "code", "code_verifier"];

export function createOAuth2Api(options: OAuth2ApiOptions): OAuth2Client {
  const transport = new Transport({ baseUrl: options.baseUrl, dispatcher: options.dispatcher, retry: options.retry, timeouts: options.timeouts });

  const form = (name: string, endpoint: Endpoint, fields: Record<string, string>, client?: ClientCredentials): HttpRequest => {
    const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
    const body = { ...fields };
    if (client?.method === "client_secret_basic") {
      // Both parts form-encoded before they are joined (RFC 6749 §2.3.1).
      const basic = Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.secret)}`).toString("base64");
      // The header's value carries the secret too: redacted wherever it shows, even without its "Basic" word.
      registerSecret(basic);
      headers.authorization = `Basic ${basic}`;
    } else if (client) {
      Object.assign(body, { client_id: client.clientId, client_secret: client.secret });
    }
    registerSecret(client?.secret);
    for (const key of SECRET_FIELDS) registerSecret(body[key]);
    return {
      method: endpoint.method,
      path: fillPath(endpoint.path, { realm: options.realm }),
      headers,
      body: new URLSearchParams(body).toString(),
      endpoint: name,
    };
  };

  const call = async <T>(req: HttpRequest, endpoint: Endpoint): Promise<T> => {
    const res = await transport.send(req);
    if (res.status !== 200) throw httpError(req, res);
    const body = parseBody(req, res, endpoint.response) as T;
    const issued = body as { access_token?: unknown; refresh_token?: unknown; id_token?: unknown };
    for (const token of [issued.access_token, issued.refresh_token, issued.id_token]) if (typeof token === "string") registerSecret(token);
    return body;
  };

  return {
    token: (fields, client) => call<TokenResponse & Record<string, unknown>>(form("accessToken", ENDPOINTS.accessToken, fields, client), ENDPOINTS.accessToken),
    introspect: (fields, client) => call<IntrospectionResponse>(form("introspect", ENDPOINTS.introspect, fields, client), ENDPOINTS.introspect),
    tokenInfo: (accessToken) => {
      registerSecret(accessToken);
      const endpoint = ENDPOINTS.tokenInfo;
      const req: HttpRequest = {
        method: endpoint.method,
        path: fillPath(endpoint.path, { realm: options.realm }) + queryString({ access_token: accessToken }),
        headers: {},
        endpoint: "tokenInfo",
      };
      return call<Record<string, unknown>>(req, endpoint);
    },
    close: () => transport.close(),
  };
}
