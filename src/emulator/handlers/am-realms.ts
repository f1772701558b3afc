/**
 * AM's realm list `/am/json/global-config/realms` (PingAM "Realms" REST): the root realm and each
 * realm of the tenant, `_id` being the realm path in base64url (`/` → `Lw`, `/alpha` → `L2FscGhh`)
 * [doc]. Read-only here: the embedded tenant's realms come from its seed.
 */
import { notFound } from "../errors";
import { etag, filterItems, json, pageOf, queryAnswer, type Route } from "../router";
import type { TenantState } from "../types";

const API_VERSION = "protocol=2.0,resource=1.0";

interface RealmView {
  _id: string;
  _rev: string;
  parentPath: string | null;
  active: boolean;
  name: string;
  aliases: string[];
}

const idOf = (path: string) => Buffer.from(path, "utf8").toString("base64url");

/** The root realm first, then the sub-realms (AIC has them all directly under the root). */
function realmViews(state: TenantState): RealmView[] {
  // AM's realm `_rev` is an opaque string [inf]; the seeded realms never change here, so "1".
  const view = (path: string, parentPath: string | null, name: string): RealmView => ({
    _id: idOf(path),
    _rev: "1",
    parentPath,
    active: true,
    name,
    aliases: [],
  });
  return [view("/", null, "/"), ...Object.keys(state.realms).sort().map((r) => view(`/${r}`, "/", r))];
}

const REALMS = "^/am/json/global-config/realms";

export function amRealmRoutes(): Route[] {
  return [
    {
      method: "GET",
      pattern: new RegExp(`${REALMS}/?$`),
      apiVersion: API_VERSION,
      handler: (req, ctx) => {
        const page = pageOf(req, filterItems(req, realmViews(ctx.state), (v) => v));
        return queryAnswer(page, { exact: true, remaining: -1 });
      },
    },
    {
      method: "GET",
      pattern: new RegExp(`${REALMS}/(?<id>[^/]+)$`),
      apiVersion: API_VERSION,
      handler: (_req, ctx, params) => {
        const realm = realmViews(ctx.state).find((r) => r._id === params.id);
        if (!realm) throw notFound();
        return json(200, realm, etag(realm._rev));
      },
    },
  ];
}
