/**
 * A confidential web app = AM OAuth2 client + IDM application record: pure planning.
 * The AM client is written first, the IDM record second (it names the client in `ssoEntities`).
 */
import type { IdmApplication, OAuth2Client } from "../contract/schemas";
import type { SpecOf } from "../contract/spec";
import { wrappedField, type OwnedField } from "./fields";
import { applicationId } from "./refs";
import {
  clientFields,
  namesById,
  planAmClient,
  planIdmRecord,
  ownerRefs,
  refListField,
  type AmClientPlan,
  type IdmPlan,
  type Resolved,
} from "./owned";

export type WebAppSpec = SpecOf<"web-app">;

/** What the tenant holds for one web app, however it was read (one GET each or batched lists). */
export interface WebAppLive {
  readonly client: OAuth2Client | undefined;
  readonly application: IdmApplication | undefined;
  /** Owner username → user id (undefined: no such user). */
  readonly users: Resolved;
}

export interface WebAppPlan {
  readonly client: AmClientPlan;
  readonly application: IdmPlan;
}

export function webAppClientFields(spec: WebAppSpec): OwnedField[] {
  const o = spec.owned;
  return [
    ...clientFields(o),
    wrappedField("coreOAuth2ClientConfig", "redirectionUris", o.redirectUris),
    wrappedField("coreOAuth2ClientConfig", "clientName", [o.name]),
    wrappedField("coreOAuth2ClientConfig", "status", "Active"),
    wrappedField("advancedOAuth2ClientConfig", "descriptions", o.description ? [o.description] : []),
    ...(o.defaultScopes === undefined ? [] : [wrappedField("coreOAuth2ClientConfig", "defaultScopes", o.defaultScopes)]),
    ...(o.accessTokenLifetime === undefined ? [] : [wrappedField("coreOAuth2ClientConfig", "accessTokenLifetime", o.accessTokenLifetime)]),
  ];
}

/** The IDM query that finds the application record of an AM client. */
export function applicationFilter(clientId: string): string {
  return `ssoEntities/oidcId eq "${clientId}"`;
}

/** Fields to read from an application record (relationships only come back when named). */
export const APPLICATION_FIELDS = ["_id", "name", "description", "owners", "ssoEntities"];

/** Throws (before any write) when an owner does not exist. */
export function planWebApp(spec: WebAppSpec, live: WebAppLive): WebAppPlan {
  const realm = spec.tenant.realm;
  const owners = ownerRefs(realm, spec.owned.owners, live.users);
  const client = planAmClient(live.client, webAppClientFields(spec), spec.secret !== undefined);
  const application = planIdmRecord(
    "application",
    live.application?._id ?? applicationId(realm, spec.id),
    live.application,
    [
      { name: "name", value: spec.owned.name },
      { name: "description", value: spec.owned.description ?? null },
      refListField("owners", owners, namesById(live.users)),
    ],
    "application",
    { templateName: "web", templateVersion: "1.0", ssoEntities: { oidcId: spec.id } },
  );
  return { client, application };
}
