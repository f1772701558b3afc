/**
 * A confidential web app (`ConfidentialWebApp`): an AM OAuth2 client and its IDM application record
 * of template `web`, the console's custom OIDC web applications. Pure planning is `src/engine/web-app.ts`.
 */
import { WebAppSpec as schema, type SpecOf } from "../contract/spec";
import { webAppClientFields } from "../engine/web-app";
import { webAppExport } from "../export/web-app";
import { applicationUnit, CONFIDENTIAL_CLIENT_PROPS } from "./application";

export const webApp = applicationUnit<SpecOf<"web-app">>({
  kind: "web-app",
  schema,
  template: "web",
  fields: webAppClientFields,
  props: { ...CONFIDENTIAL_CLIENT_PROPS, "coreOAuth2ClientConfig.redirectionUris": { name: "redirectUris" } },
  secret: true,
  grantedBy: { field: "resourceData/ssoEntities/oidcId", of: (p) => p.resourceData?.ssoEntities?.oidcId },
  listed: true,
  export: webAppExport,
});
