/**
 * How `export` writes single-page apps: an application record of template "spa" and its public
 * OAuth2 client become a `SinglePageApp`, its JavaScript origins the construct's CORS origins.
 */
import { corsOriginProblem } from "../contract/redirects";
import { applicationExport, PUBLIC_CLIENT_OWNED, publicClientEntries, publicClientProps, type PublicClientProps } from "./application";
import { ADVANCED, group, strings } from "./client";
import { list } from "./source";

export interface SpaProps extends PublicClientProps {
  readonly corsOrigins: readonly string[];
}

export const spaExport = applicationExport<SpaProps>({
  kind: "spa",
  construct: "SinglePageApp",
  label: "single-page app",
  countedWhenAny: true,
  template: "spa",
  public: true,
  defaultGrantTypes: ["authorization-code"],
  props(common, item) {
    const p = publicClientProps("SinglePageApp", common, item, "browser");
    if (typeof p === "string") return p;
    const corsOrigins = strings(group(item, ADVANCED).javascriptOrigins);
    for (const origin of corsOrigins) {
      const problem = corsOriginProblem(origin);
      if (problem) return `its JavaScript origin ${JSON.stringify(origin)} ${problem}: SinglePageApp refuses it as a CORS origin`;
    }
    return { ...p, corsOrigins };
  },
  owned: () => [...PUBLIC_CLIENT_OWNED, `${ADVANCED}.javascriptOrigins`],
  secretPrefix: () => undefined,
  entries: (p) => [...publicClientEntries(p), p.corsOrigins.length > 0 ? ["corsOrigins", list(p.corsOrigins)] : undefined],
});
