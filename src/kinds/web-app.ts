/**
 * A confidential web app (`ConfidentialWebApp`): an AM OAuth2 client and its IDM application record
 * of template `web`, the console's custom OIDC web applications. Pure planning is `src/engine/web-app.ts`.
 */
import { WebAppSpec as schema, type SpecOf } from "../contract/spec";
import { webAppClientFields } from "../engine/web-app";
import { webAppExport } from "../export/web-app";
import { applicationUnit, CONFIDENTIAL_CLIENT_PROPS } from "./application";
import { MAY_ACT_PROPS } from "./client";

export const webApp = applicationUnit<SpecOf<"web-app">>({
  kind: "web-app",
  schema,
  template: "web",
  fields: webAppClientFields,
  // Its grant types must be on in the realm first, and the May Act script it runs must exist.
  dependsOn: ["oauth2-provider-grants", "script"],
  props: {
    ...CONFIDENTIAL_CLIENT_PROPS,
    ...MAY_ACT_PROPS,
    "coreOAuth2ClientConfig.redirectionUris": { name: "redirectUris" },
    "overrideOAuth2ClientConfig.providerOverridesEnabled": { name: "mayAct" },
  },
  secret: true,
  grantedBy: { field: "resourceData/ssoEntities/oidcId", of: (p) => p.resourceData?.ssoEntities?.oidcId },
  listed: true,
  export: webAppExport,
});
