/**
 * How `export` writes web apps: an application record of template "web" and its confidential
 * OAuth2 client become a `ConfidentialWebApp`. It also skips, with why, the clients and records no
 * application kind exports.
 */
import { applicationExport, type ApplicationProps } from "./application";
import { CORE, group, strings } from "./client";
import { list, q } from "./source";

export interface WebAppProps extends ApplicationProps {
  readonly redirectUris: readonly string[];
}

/** The construct's default the file leaves out. */
const DEFAULT_AUTH_METHOD = "client_secret_basic";

export const webAppExport = applicationExport<WebAppProps>({
  kind: "web-app",
  construct: "ConfidentialWebApp",
  label: "web app",
  template: "web",
  skipsOthers: true,
  defaultGrantTypes: ["authorization-code"],
  props: (common, item) => ({ ...common, redirectUris: strings(group(item, CORE).redirectionUris) }),
  owned: () => [`${CORE}.redirectionUris`],
  secretPrefix: () => "WEB_APP",
  entries: (p) => [
    p.tokenEndpointAuthMethod !== DEFAULT_AUTH_METHOD ? ["tokenEndpointAuthMethod", q(p.tokenEndpointAuthMethod)] : undefined,
    p.redirectUris.length > 0 ? ["redirectUris", list(p.redirectUris)] : undefined,
  ],
});
