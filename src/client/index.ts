/** The admin client: AM/IDM admin API and the realm's OAuth2 endpoints over one retrying transport. */
export { createAdminApi, stripForAmPut, crestEq, crestString, type AdminClient } from "./admin-api";
export { createOAuth2Api, type OAuth2ApiOptions, type OAuth2Client } from "./oauth2-api";
export { AicApiError, isAicApiError, redact, registerSecret, type AicErrorCode, type AicApiErrorDetails } from "./errors";
export { defaultTokenCacheDir, TokenCache, type CacheEntry } from "./token-cache";
export { Transport, retryAfterMs, type HttpRequest, type HttpResponse, type RetryOptions, type TransportOptions } from "./transport";
export { unauthorizedFix } from "./auth";
export type * from "./types";
