/**
 * How `export` writes web apps: an application record of template "web" and its confidential
 * OAuth2 client become a `ConfidentialWebApp`. It also skips, with why, the clients and records no
 * application kind exports.
 */
import { OVERRIDE_GROUP } from "../contract/am-defaults";
import { applicationExport, type ApplicationProps } from "./application";
import { CORE, group, strings } from "./client";
import { mayActScriptOf, mayActWiring } from "./script";
import { list, q } from "./source";

export interface WebAppProps extends ApplicationProps {
  readonly redirectUris: readonly string[];
  /** The May Act script it runs: its `MayActRule` names it (not a prop of its own). */
  readonly mayActScript?: string;
}

/** The construct's default the file leaves out. */
const DEFAULT_AUTH_METHOD = "client_secret_basic";

/** Owned besides every application's when a `MayActRule` wires its script on the client. */
const MAY_ACT_OWNED = [`${OVERRIDE_GROUP}.providerOverridesEnabled`, `${OVERRIDE_GROUP}.accessTokenMayActScript`, `${OVERRIDE_GROUP}.oidcMayActScript`];

export const webAppExport = applicationExport<WebAppProps>({
  kind: "web-app",
  construct: "ConfidentialWebApp",
  label: "web app",
  template: "web",
  skipsOthers: true,
  defaultGrantTypes: ["authorization-code"],
  props(common, item, listing, context) {
    // The May Act script it runs comes back as the MayActRule wired on it: without one, the apply would unwire the script.
    const wiring = mayActWiring(item, true);
    if (typeof wiring === "string") return wiring;
    const mayAct = wiring.script === undefined ? undefined : mayActScriptOf(wiring.script, listing, context.realm);
    if (typeof mayAct === "string") return `it runs a May Act script no MayActRule can write (${mayAct})`;
    return { ...common, redirectUris: strings(group(item, CORE).redirectionUris), ...(wiring.script ? { mayActScript: wiring.script } : {}) };
  },
  owned: (p) => [`${CORE}.redirectionUris`, ...(p.mayActScript ? MAY_ACT_OWNED : [])],
  secretPrefix: () => "WEB_APP",
  entries: (p) => [
    p.tokenEndpointAuthMethod !== DEFAULT_AUTH_METHOD ? ["tokenEndpointAuthMethod", q(p.tokenEndpointAuthMethod)] : undefined,
    p.redirectUris.length > 0 ? ["redirectUris", list(p.redirectUris)] : undefined,
  ],
});
