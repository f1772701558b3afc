/**
 * How `export` writes native apps: an application record of template "native" and its public
 * OAuth2 client become a `NativeApp`, whose loopback redirection follows its redirect URIs.
 */
import { isLoopbackHttp } from "../contract/redirects";
import { applicationExport, PUBLIC_CLIENT_OWNED, publicClientEntries, publicClientProps, type PublicClientProps } from "./application";
import { CORE, group } from "./client";

export const nativeAppExport = applicationExport<PublicClientProps>({
  kind: "native-app",
  construct: "NativeApp",
  label: "native app",
  countedWhenAny: true,
  template: "native",
  public: true,
  defaultGrantTypes: ["authorization-code"],
  props(common, item) {
    const p = publicClientProps("NativeApp", common, item, "native");
    if (typeof p === "string") return p;
    // NativeApp turns loopback redirection (any port) on exactly when a redirect URI is a loopback http URI.
    const loopback = p.redirectUris.some(isLoopbackHttp);
    const live = group(item, CORE).loopbackInterfaceRedirection === true;
    if (live !== loopback) {
      return `its loopback redirection is ${live ? "on" : "off"} while ${loopback ? "one" : "none"} of its redirect URIs is a loopback http URI: NativeApp turns it on exactly when one is`;
    }
    return p;
  },
  owned: () => [...PUBLIC_CLIENT_OWNED, `${CORE}.loopbackInterfaceRedirection`],
  secretPrefix: () => undefined,
  entries: publicClientEntries,
});
