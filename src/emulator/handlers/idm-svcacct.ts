/**
 * IDM's `managed/svcacct`: AIC's service accounts as objects (name, description, status, scopes
 * and the public keys as a JWKS in a JSON string) [doc: AIC "Service accounts"; the field names as
 * the admin console and frodo write them]. Read-only here: the accounts come from the seed.
 */
import type { EmulatorContext } from "../context";
import { idmNotFound } from "../errors";
import { parseFields } from "../idm-model";
import { etag, filterItems, json, pageOf, pickFields, queryAnswer, type Route } from "../router";
import type { EmulatorRequest } from "../types";
import { parseScope } from "../token-exchange";

/** The seeded account's name as a console would show it. */
const SERVICE_ACCOUNT_NAME = "cdktf-aic";
const COLLECTION = "managed/svcacct";

function accounts(ctx: EmulatorContext): Record<string, unknown>[] {
  return Object.entries(ctx.state.serviceAccounts).map(([id, account]) => ({
    _id: id,
    _rev: "1",
    name: SERVICE_ACCOUNT_NAME,
    description: "The embedded tenant's service account",
    accountStatus: "Active",
    scopes: parseScope(account.scope),
    jwks: JSON.stringify({ keys: [account.publicJwk] }),
  }));
}

/** `_fields` as IDM reads it here: `*` (or none) is every field. */
function fieldsOf(req: EmulatorRequest): string[] | undefined {
  const fields = parseFields(req.query.get("_fields"));
  return fields?.includes("*") ? undefined : fields;
}

export function idmServiceAccountRoutes(): Route[] {
  return [
    {
      method: "GET",
      pattern: /^\/openidm\/managed\/svcacct$/,
      handler: (req, ctx) => {
        const fields = fieldsOf(req);
        const page = pageOf(req, filterItems(req, accounts(ctx), (a) => a));
        return queryAnswer(page, { exact: false, remaining: -1 }, page.items.map((a) => pickFields(a, fields)));
      },
    },
    {
      method: "GET",
      pattern: /^\/openidm\/managed\/svcacct\/(?<id>[^/]+)$/,
      handler: (req, ctx, params) => {
        const account = accounts(ctx).find((a) => a._id === params.id);
        if (!account) throw idmNotFound(params.id, COLLECTION);
        return json(200, pickFields(account, fieldsOf(req)), etag(String(account._rev)));
      },
    },
  ];
}
