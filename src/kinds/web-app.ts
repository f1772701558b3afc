/**
 * A confidential web app (`ConfidentialWebApp`): an AM OAuth2 client and its IDM application record.
 * Pure planning is `src/engine/web-app.ts`.
 */
import { WebAppSpec as schema, type SpecOf } from "../contract/spec";
import { applyClient, result } from "../engine/apply";
import { webAppLive } from "../engine/batch";
import { webAppExport } from "../export/web-app";
import { findApplication, readWebApps } from "../engine/live";
import { planWebApp } from "../engine/web-app";
import { CLIENT_PROPS, writeClient } from "./client";
import type { KindUnit } from "./unit";

type WebAppSpec = SpecOf<"web-app">;

export const webApp: KindUnit<WebAppSpec> = {
  kind: "web-app",
  schema,
  // Its grant types must be on in the realm first.
  dependsOn: ["oauth2-provider-grants"],
  realmWide: false,
  props: {
    ...CLIENT_PROPS,
    "coreOAuth2ClientConfig.clientName": { name: "name", single: true },
    "coreOAuth2ClientConfig.redirectionUris": { name: "redirectUris" },
    "coreOAuth2ClientConfig.defaultScopes": { name: "defaultScopes" },
    "coreOAuth2ClientConfig.accessTokenLifetime": { name: "accessTokenLifetime" },
    "advancedOAuth2ClientConfig.descriptions": { name: "description", single: true },
    "application.name": { name: "name" },
    "application.description": { name: "description" },
    "application.owners": { name: "owners" },
  },
  secret: { liveClient: (s, id) => s.clients.get(id) },
  grantedBy: { field: "resourceData/ssoEntities/oidcId", of: (p) => p.resourceData?.ssoEntities?.oidcId },

  readsFor(r, spec) {
    r.webApps.push(spec.id);
    r.userNames.push(...spec.owned.owners);
  },
  readsForRemoved(r, identity) {
    r.webApps.push(identity.id);
  },
  exists: (identity, s) => s.clients.has(identity.id) || s.applications.has(identity.id),
  // A client exists when its AM client does: without it the write creates one (secret included),
  // even where an application record was left behind.
  present: (spec, s) => s.clients.has(spec.id),
  diff(spec, s) {
    const plan = planWebApp(spec, webAppLive(s, spec));
    return [...plan.client.changes, ...plan.application.changes];
  },
  write(api, step, s, context) {
    const plan = planWebApp(step.spec, webAppLive(s, step.spec));
    return writeClient(api, step, { client: plan.client, idm: plan.application, put: (id, b, o) => api.putOAuth2Client(id, b, o) }, context, webApp.delete);
  },
  async apply(api, spec, options) {
    const live = (await readWebApps(api, [spec])).get(spec.id)!;
    const plan = planWebApp(spec, live);
    return applyClient(spec, options, plan.client, plan.application, (id, b, o) => api.putOAuth2Client(id, b, o), api);
  },
  async delete(api, { kind, id }) {
    // The IDM record names the client, so it goes first.
    const application = await findApplication(api, id);
    const appDeleted = application ? await api.deleteManaged("application", application._id) : false;
    const clientDeleted = await api.deleteOAuth2Client(id);
    const notes = [...(appDeleted ? [] : ["application record already gone"]), ...(clientDeleted ? [] : ["OAuth2 client already gone"])];
    return result(kind, id, appDeleted || clientDeleted ? "deleted" : "absent", [], notes);
  },
  // Web apps are the application records of template "web" (the console's custom OIDC web applications).
  listed: (listing) => listing.applications.flatMap((a) => (a.ssoEntities?.oidcId && a.templateName === "web" ? [a.ssoEntities.oidcId] : [])),
  export: webAppExport,
};
