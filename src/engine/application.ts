/**
 * The console's custom applications = AM OAuth2 client + IDM application record: pure planning
 * shared by their kinds (web app, SPA, native app, service app). Each kind says its template and
 * the client fields it owns; the record (name, description, owners) and the client's name, status,
 * description and token defaults are the same for all. The AM client is written first, the IDM
 * record second (it names the client in `ssoEntities`).
 */
import type { IdmApplication, OAuth2Client } from "../contract/schemas";
import { canonicalJson, hasEnvSecret, type SpecOf } from "../contract/spec";
import { isLoopbackHttp } from "../contract/redirects";
import { wrappedField, type OwnedField } from "./fields";
import { applicationId } from "./refs";
import { clientFields, namesById, ownerRefs, planAmClient, planIdmRecord, refListField, type AmClientPlan, type IdmPlan, type Resolved } from "./owned";

/** The specs of the application kinds. */
export type ApplicationSpec = SpecOf<"web-app" | "spa" | "native-app" | "service-app">;

/** What the tenant holds for one application, however it was read (one GET each or batched lists). */
export interface ApplicationLive {
  readonly client: OAuth2Client | undefined;
  readonly application: IdmApplication | undefined;
  /** Owner username → user id (undefined: no such user). */
  readonly users: Resolved;
}

export interface ApplicationPlan {
  readonly client: AmClientPlan;
  readonly application: IdmPlan;
}

/** The client fields every application owns, after its kind's: name, status, description, token defaults when set. */
export function applicationClientFields(o: ApplicationSpec["owned"]): OwnedField[] {
  return [
    wrappedField("coreOAuth2ClientConfig", "clientName", [o.name]),
    wrappedField("coreOAuth2ClientConfig", "status", "Active"),
    wrappedField("advancedOAuth2ClientConfig", "descriptions", o.description ? [o.description] : []),
    ...(o.defaultScopes === undefined ? [] : [wrappedField("coreOAuth2ClientConfig", "defaultScopes", o.defaultScopes)]),
    ...(o.accessTokenLifetime === undefined ? [] : [wrappedField("coreOAuth2ClientConfig", "accessTokenLifetime", o.accessTokenLifetime)]),
  ];
}

/** A public client's own fields: `Public`, no secret (`none`), its redirect URIs and implied consent. */
function publicClientFields(o: SpecOf<"spa" | "native-app">["owned"]): OwnedField[] {
  return [
    ...clientFields(o, "Public"),
    wrappedField("coreOAuth2ClientConfig", "redirectionUris", o.redirectUris),
    wrappedField("advancedOAuth2ClientConfig", "isConsentImplied", o.impliedConsent),
  ];
}

/** An SPA's client: a public client whose CORS origins are AM's JavaScript origins. */
export function spaClientFields(spec: SpecOf<"spa">): OwnedField[] {
  const o = spec.owned;
  return [...publicClientFields(o), wrappedField("advancedOAuth2ClientConfig", "javascriptOrigins", o.corsOrigins), ...applicationClientFields(o)];
}

/** A native app's client: a public client that may redirect to a loopback address on any port when it lists one (RFC 8252 §7.3). */
export function nativeAppClientFields(spec: SpecOf<"native-app">): OwnedField[] {
  const o = spec.owned;
  return [...publicClientFields(o), wrappedField("coreOAuth2ClientConfig", "loopbackInterfaceRedirection", o.redirectUris.some(isLoopbackHttp)), ...applicationClientFields(o)];
}

/** A service app's client: confidential; with `private_key_jwt`, the JWK set AM verifies its assertions with. */
export function serviceAppClientFields(spec: SpecOf<"service-app">): OwnedField[] {
  const o = spec.owned;
  const keys = o.jwks
    ? [wrappedField("signEncOAuth2ClientConfig", "publicKeyLocation", "jwks"), wrappedField("signEncOAuth2ClientConfig", "jwkSet", canonicalJson(o.jwks))]
    : [];
  return [...clientFields(o), ...keys, ...applicationClientFields(o)];
}

/**
 * The client per `fields` and the application record of template `templateName`. Throws (before
 * any write) when an owner does not exist.
 */
export function planApplication(spec: ApplicationSpec, live: ApplicationLive, templateName: string, fields: OwnedField[]): ApplicationPlan {
  const realm = spec.tenant.realm;
  const owners = ownerRefs(realm, spec.owned.owners, live.users);
  const client = planAmClient(live.client, fields, hasEnvSecret(spec));
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
    { templateName, templateVersion: "1.0", ssoEntities: { oidcId: spec.id } },
  );
  return { client, application };
}
