/**
 * How `export` writes web apps: an application record of template "web" and its confidential
 * OAuth2 client become a `ConfidentialWebApp`. Other clients and records are skipped, with why.
 */
import { PLATFORM_CLIENT_IDS } from "../contract/constants";
import type { AmClientListItem, IdmApplication } from "../contract/schemas";
import { formatValue, sameValue } from "../engine/fields";
import type { ExportContext, KindExport } from "../kinds/unit";
import { ADVANCED, CORE, clientProblem, exportedClient, friendlyGrant, group, namesOf, notDefault, ownedWithStore, renderClient, storeSecretOf, str, strings, unexpressedAm, type ClientProps } from "./client";
import type { TenantListing } from "./read";
import { byString, list, q } from "./source";

export interface WebAppProps extends ClientProps {
  readonly defaultScopes: readonly string[];
  readonly redirectUris: readonly string[];
  readonly accessTokenLifetime: number;
}

/** Construct defaults the file leaves out. */
const DEFAULTS = { grantTypes: ["authorization-code"], tokenEndpointAuthMethod: "client_secret_basic" } as const;

/** AM client attributes the construct owns (or AM fills itself); any other non-default one is listed as unexpressed. */
const OWNED: ReadonlySet<string> = new Set([
  `${CORE}.clientType`, `${CORE}.scopes`, `${CORE}.redirectionUris`, `${CORE}.clientName`, `${CORE}.status`,
  `${CORE}.defaultScopes`, `${CORE}.accessTokenLifetime`, `${ADVANCED}.grantTypes`, `${ADVANCED}.tokenEndpointAuthMethod`, `${ADVANCED}.descriptions`,
]);

/** The props of a web app, and what the tenant holds that the apply would change or no prop says. */
function webAppProps(id: string, item: AmClientListItem, record: IdmApplication, listing: TenantListing, context: ExportContext): { props: WebAppProps; unexpressed: string[] } {
  const core = group(item, CORE);
  const advanced = group(item, ADVANCED);
  const name = str(record.name) ?? strings(core.clientName)[0] ?? id;
  const description = str(record.description) ?? strings(advanced.descriptions)[0];
  const owners = namesOf(record.owners, listing.userNames, "owners", "user");
  const notes = [...owners.notes];
  // Owned fields the construct sets from other props: said when the tenant disagrees, since the apply would change them.
  if (!sameValue(core.clientName, [name])) notes.push(`${CORE}.clientName = ${formatValue(core.clientName)} (the apply sets it to the name)`);
  if (str(core.status) && core.status !== "Active") notes.push(`${CORE}.status = ${formatValue(core.status)} (the apply sets Active)`);
  if (!sameValue(advanced.descriptions, description ? [description] : [])) notes.push(`${ADVANCED}.descriptions = ${formatValue(advanced.descriptions)} (the apply sets the description)`);
  const lifetime = typeof core.accessTokenLifetime === "number" ? core.accessTokenLifetime : 0;
  const storeSecret = storeSecretOf(item, listing, context);
  return {
    props: {
      ...(storeSecret ? { storeSecret } : {}),
      name,
      ...(description ? { description } : {}),
      owners: owners.names,
      scopes: strings(core.scopes),
      defaultScopes: strings(core.defaultScopes),
      grantTypes: strings(advanced.grantTypes).map(friendlyGrant),
      tokenEndpointAuthMethod: str(advanced.tokenEndpointAuthMethod) ?? DEFAULTS.tokenEndpointAuthMethod,
      redirectUris: strings(core.redirectionUris),
      accessTokenLifetime: lifetime,
    },
    unexpressed: [...notes, ...unexpressedAm(item, ownedWithStore(OWNED, storeSecret))],
  };
}

/** The OIDC application records of the listing by client id (the wanted ones); the others skipped when exporting everything. */
function records(listing: TenantListing, context: ExportContext): Map<string, IdmApplication> {
  const out = new Map<string, IdmApplication>();
  for (const a of [...listing.applications].sort((x, y) => byString(x._id, y._id))) {
    const oidcId = a.ssoEntities?.oidcId;
    if (!oidcId) {
      if (context.clientIds === undefined) context.skip("application", a.name ?? a._id, `not an OIDC application (template ${a.templateName ?? "none"})`);
    } else if (context.wanted(oidcId)) out.set(oidcId, a);
  }
  return out;
}

export const webAppExport: KindExport<WebAppProps> = {
  construct: "ConfidentialWebApp",
  label: "web app",
  objects(listing, context) {
    const byClient = records(listing, context);
    const ids = [...new Set([...listing.clients.keys(), ...byClient.keys()])].filter((id) => context.wanted(id)).sort(byString);
    return ids.flatMap((id) => {
      const item = listing.clients.get(id);
      const record = byClient.get(id);
      const skip = (reason: string) => {
        context.skip(item ? "oauth2-client" : "application", id, reason);
        return [];
      };
      if (PLATFORM_CLIENT_IDS.includes(id)) return skip("a platform client every tenant has");
      if (!item) return skip("an application record whose OAuth2 client is gone");
      if (!record) return skip("an OAuth2 client without an application record (not a custom application of the console, e.g. a service client)");
      if (record.templateName !== "web") return skip(`an application of template "${record.templateName ?? "none"}": ConfidentialWebApp exports OIDC web applications (template "web")`);
      const problem = clientProblem(id, item, true);
      if (problem) return skip(problem);
      const { props, unexpressed } = webAppProps(id, item, record, listing, context);
      return [exportedClient("web-app", id, "WEB_APP", props, unexpressed, context)];
    });
  },
  render(a, constructId) {
    const p = a.props;
    return renderClient("ConfidentialWebApp", a, constructId, [
      ["scopes", list(p.scopes)],
      p.defaultScopes.length > 0 ? ["defaultScopes", list(p.defaultScopes)] : undefined,
      notDefault(p.grantTypes, DEFAULTS.grantTypes) ? ["grantTypes", list(p.grantTypes)] : undefined,
      p.tokenEndpointAuthMethod !== DEFAULTS.tokenEndpointAuthMethod ? ["tokenEndpointAuthMethod", q(p.tokenEndpointAuthMethod)] : undefined,
      p.redirectUris.length > 0 ? ["redirectUris", list(p.redirectUris)] : undefined,
      p.accessTokenLifetime !== 0 ? ["accessTokenLifetime", String(p.accessTokenLifetime)] : undefined,
    ]);
  },
};
