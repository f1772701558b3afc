/**
 * A confidential web app = AM OAuth2 client + IDM application record: pure planning.
 * The AM client is written first, the IDM record second (it names the client in `ssoEntities`).
 */
import type { SpecOf } from "../contract/spec";
import type { OAuth2Client } from "../contract/schemas";
import { applicationClientFields, planApplication, type ApplicationLive, type ApplicationPlan } from "./application";
import { plainField, wrappedField, type OwnedField } from "./fields";
import { clientFields, mayActFields, OVERRIDES } from "./owned";

export type WebAppSpec = SpecOf<"web-app">;

/** What the tenant holds for one web app, however it was read (one GET each or batched lists). */
export type WebAppLive = ApplicationLive;

export type WebAppPlan = ApplicationPlan;

export function webAppClientFields(spec: WebAppSpec, live: OAuth2Client | undefined): OwnedField[] {
  const o = spec.owned;
  return [
    ...clientFields(o),
    wrappedField("coreOAuth2ClientConfig", "redirectionUris", o.redirectUris),
    ...applicationClientFields(o),
    ...mayActFields(o.mayActScript, live),
    // Without the switch AM ignores the client's May Act script (reference §3.4).
    ...(o.mayActScript === undefined ? [] : [plainField([OVERRIDES, "providerOverridesEnabled"], true)]),
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
  return planApplication(spec, live, "web", webAppClientFields(spec, live.client));
}
