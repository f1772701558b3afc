/**
 * `GET /environment/scopes/service-accounts`: the scopes a service account of the tenant may be
 * given, each with its description and narrower child scopes (the shape frodo reads, which it
 * intersects with the scopes it asks for an administrator's token) [doc: AIC "Service accounts";
 * the catalogue is TENANT_SCOPES]. No Accept-API-Version is required: frodo sends none here (its
 * request replaces its default headers with the session cookie) and works against AIC [inf].
 */
import { TENANT_SCOPES } from "../platform-admin";
import { json, type Route } from "../router";

export function envScopeRoutes(): Route[] {
  return [
    {
      method: "GET",
      pattern: /^\/environment\/scopes\/service-accounts$/,
      handler: () => json(200, TENANT_SCOPES),
    },
  ];
}
