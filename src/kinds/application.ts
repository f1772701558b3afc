/**
 * The applications the console's templates make (`ConfidentialWebApp` in `./web-app.ts`,
 * `SinglePageApp`, `NativeApp`, `ServiceApp`): each an AM OAuth2 client and its IDM application
 * record. One factory makes their units; each kind says its template, the client fields it owns
 * and its props. Pure planning is `src/engine/application.ts`.
 */
import { NativeAppSpec, ServiceAppSpec, SpaSpec, type SpecOf } from "../contract/spec";
import { applyClient } from "../engine/apply";
import { nativeAppClientFields, planApplication, serviceAppClientFields, spaClientFields, type ApplicationSpec } from "../engine/application";
import { webAppLive } from "../engine/batch";
import type { OwnedField } from "../engine/fields";
import { readWebApps } from "../engine/live";
import { nativeAppExport } from "../export/native-app";
import { serviceAppExport } from "../export/service-app";
import { spaExport } from "../export/spa";
import { CLIENT_PROPS, deleteApplication, writeClient } from "./client";
import type { KindUnit, Prop } from "./unit";
import type { z } from "zod";
import type { Kind } from "../contract/constants";
import type { OAuth2Client } from "../contract/schemas";

/** What sets one application kind apart. */
interface ApplicationKind<S extends ApplicationSpec> {
  readonly kind: S["kind"];
  readonly schema: z.ZodType<S>;
  /** The IDM record's `templateName`, as the console's template sets it. */
  readonly template: string;
  /** The AM client fields the kind owns (`live`: its client as read, for fields cleared when they leave the code). */
  readonly fields: (spec: S, live: OAuth2Client | undefined) => OwnedField[];
  /**
   * The kinds it needs in place first.
   *
   * @default ["oauth2-provider-grants"] (its grant types must be on in the realm)
   */
  readonly dependsOn?: readonly Kind[];
  /** Props beyond those every application has (name, description, owners, scopes, grant types, token defaults). */
  readonly props: Readonly<Record<string, Prop>>;
  /** Whether its client can hold a secret the stack writes (and so proves an interrupted apply's client its own). */
  readonly secret: boolean;
  /** How an agent privilege refers to an application of the kind, when agents can be granted access to it. */
  readonly grantedBy?: KindUnit["grantedBy"];
  /** Whether plan lists the tenant's applications of its template that no stack manages. */
  readonly listed?: boolean;
  /** How `export` writes applications of the kind (none: it skips them). */
  readonly export?: KindUnit<S>["export"];
}

/** Props of every application kind, by AM or IDM field path. */
const APPLICATION_PROPS: Readonly<Record<string, Prop>> = {
  "coreOAuth2ClientConfig.scopes": CLIENT_PROPS["coreOAuth2ClientConfig.scopes"],
  "advancedOAuth2ClientConfig.grantTypes": CLIENT_PROPS["advancedOAuth2ClientConfig.grantTypes"],
  "coreOAuth2ClientConfig.clientName": { name: "name", single: true },
  "coreOAuth2ClientConfig.defaultScopes": { name: "defaultScopes" },
  "coreOAuth2ClientConfig.accessTokenLifetime": { name: "accessTokenLifetime" },
  "advancedOAuth2ClientConfig.descriptions": { name: "description", single: true },
  "application.name": { name: "name" },
  "application.description": { name: "description" },
  "application.owners": { name: "owners" },
};

/** Props of the confidential clients (web app, service app): how they authenticate, and their secret. */
export const CONFIDENTIAL_CLIENT_PROPS: Readonly<Record<string, Prop>> = {
  "advancedOAuth2ClientConfig.tokenEndpointAuthMethod": CLIENT_PROPS["advancedOAuth2ClientConfig.tokenEndpointAuthMethod"],
  "coreOAuth2ClientConfig.userpassword": CLIENT_PROPS["coreOAuth2ClientConfig.userpassword"],
};

/** Props of the public clients (SPA, native app). */
const PUBLIC_CLIENT_PROPS: Readonly<Record<string, Prop>> = {
  "coreOAuth2ClientConfig.redirectionUris": { name: "redirectUris" },
  "advancedOAuth2ClientConfig.isConsentImplied": { name: "impliedConsent" },
};

/** The unit of an application kind. */
export function applicationUnit<S extends ApplicationSpec>(k: ApplicationKind<S>): KindUnit<S> {
  const plan = (spec: S, live: Parameters<typeof planApplication>[1]) => planApplication(spec, live, k.template, k.fields(spec, live.client));
  const unit: KindUnit<S> = {
    kind: k.kind,
    schema: k.schema,
    dependsOn: k.dependsOn ?? ["oauth2-provider-grants"],
    realmWide: false,
    props: { ...APPLICATION_PROPS, ...k.props },
    ...(k.secret ? { secret: { liveClient: (s, id) => s.clients.get(id) } } : {}),
    ...(k.grantedBy ? { grantedBy: k.grantedBy } : {}),
    ...(k.export ? { export: k.export } : {}),

    readsFor(r, spec) {
      r.webApps.push(spec.id);
      r.userNames.push(...spec.owned.owners);
    },
    readsForRemoved(r, identity) {
      r.webApps.push(identity.id);
    },
    exists: (identity, s) => s.clients.has(identity.id) || s.applications.has(identity.id),
    // As a web app's: without its AM client a write creates one, even where a record was left behind.
    present: (spec, s) => s.clients.has(spec.id),
    diff(spec, s) {
      const p = plan(spec, webAppLive(s, spec));
      return [...p.client.changes, ...p.application.changes];
    },
    write(api, step, s, context) {
      const p = plan(step.spec, webAppLive(s, step.spec));
      return writeClient(api, step, { client: p.client, idm: p.application, put: (id, b, o) => api.putOAuth2Client(id, b, o) }, context, unit.delete);
    },
    async apply(api, spec, options) {
      const p = plan(spec, (await readWebApps(api, [spec])).get(spec.id)!);
      return applyClient(spec, options, p.client, p.application, (id, b, o) => api.putOAuth2Client(id, b, o), api);
    },
    // The IDM record names the client, so it goes first.
    delete: (api, identity) => deleteApplication(api, identity),
    ...(k.listed
      ? { listed: (listing) => listing.applications.flatMap((a) => (a.ssoEntities?.oidcId && a.templateName === k.template ? [a.ssoEntities.oidcId] : [])) }
      : {}),
  };
  return unit;
}

/**
 * `SinglePageApp`. The templates' names of the SPA, native and service applications are not
 * recorded from a tenant [inf]: `spa`, `native` and `service`, beside the recorded `web`.
 */
export const spa = applicationUnit<SpecOf<"spa">>({
  kind: "spa",
  schema: SpaSpec,
  template: "spa",
  fields: spaClientFields,
  props: { ...PUBLIC_CLIENT_PROPS, "advancedOAuth2ClientConfig.javascriptOrigins": { name: "corsOrigins" } },
  secret: false,
  listed: true,
  export: spaExport,
});

/** `NativeApp`: loopback redirection follows its redirect URIs (no prop of its own). */
export const nativeApp = applicationUnit<SpecOf<"native-app">>({
  kind: "native-app",
  schema: NativeAppSpec,
  template: "native",
  fields: nativeAppClientFields,
  props: PUBLIC_CLIENT_PROPS,
  secret: false,
  listed: true,
  export: nativeAppExport,
});

/** `ServiceApp`: a secret, or the public keys of its `private_key_jwt` assertions. */
export const serviceApp = applicationUnit<SpecOf<"service-app">>({
  kind: "service-app",
  schema: ServiceAppSpec,
  template: "service",
  fields: serviceAppClientFields,
  props: { ...CONFIDENTIAL_CLIENT_PROPS, "signEncOAuth2ClientConfig.jwkSet": { name: "publicKeys" } },
  secret: true,
  listed: true,
  export: serviceAppExport,
});
