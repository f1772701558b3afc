/**
 * How `export` writes web apps: an application record of template "web" and its confidential
 * OAuth2 client become a `ConfidentialWebApp`. Other clients and records are skipped, with why.
 */
import { OVERRIDE_GROUP } from "../contract/am-defaults";
import { PLATFORM_CLIENT_IDS } from "../contract/constants";
import type { AmClientListItem, IdmApplication } from "../contract/schemas";
import { formatValue, sameValue } from "../engine/fields";
import type { ExportContext, KindExport } from "../kinds/unit";
import { ADVANCED, CORE, clientProblem, exportedClient, friendlyGrant, group, namesOf, notDefault, ownedWithStore, renderClient, storeSecretOf, str, strings, unexpressedAm, type ClientProps } from "./client";
import type { TenantListing } from "./read";
import { mayActScriptOf, mayActWiring } from "./script";
import { byString, list, q } from "./source";

export interface WebAppProps extends ClientProps {
  readonly defaultScopes: readonly string[];
  readonly redirectUris: readonly string[];
  readonly accessTokenLifetime: number;
  /** The May Act script it runs: its `MayActRule` names it (not a prop of its own). */
  readonly mayActScript?: string;
}

/** Construct defaults the file leaves out. */
const DEFAULTS = { grantTypes: ["authorization-code"], tokenEndpointAuthMethod: "client_secret_basic" } as const;

/** Owned besides `OWNED` when a `MayActRule` wires its script on the client. */
const MAY_ACT_OWNED = [`${OVERRIDE_GROUP}.providerOverridesEnabled`, `${OVERRIDE_GROUP}.accessTokenMayActScript`, `${OVERRIDE_GROUP}.oidcMayActScript`];

/** AM client attributes the construct owns (or AM fills itself); any other non-default one is listed as unexpressed. */
const OWNED: ReadonlySet<string> = new Set([
  `${CORE}.clientType`, `${CORE}.scopes`, `${CORE}.redirectionUris`, `${CORE}.clientName`, `${CORE}.status`,
  `${CORE}.defaultScopes`, `${CORE}.accessTokenLifetime`, `${ADVANCED}.grantTypes`, `${ADVANCED}.tokenEndpointAuthMethod`, `${ADVANCED}.descriptions`,
]);

/**
 * The props of a web app and what no prop says; or why no `ConfidentialWebApp` can express it: the
 * construct sets the AM client's name and description from the application's and keeps the client
 * Active, so a tenant where they disagree would be changed by the adopting apply.
 */
function webAppProps(id: string, item: AmClientListItem, record: IdmApplication, listing: TenantListing, context: ExportContext): { props: WebAppProps; unexpressed: string[] } | string {
  const core = group(item, CORE);
  const advanced = group(item, ADVANCED);
  const name = str(record.name);
  if (!name) return "its application record has no name: ConfidentialWebApp names both sides";
  // The record's description, which the construct also writes into the AM client's descriptions.
  const description = str(record.description);
  if (!sameValue(core.clientName, [name])) return `its AM client name ${formatValue(core.clientName)} is not its application's name "${name}": ConfidentialWebApp sets both from one name (make them agree in the console, then export again)`;
  if (str(core.status) && core.status !== "Active") return `its client is ${formatValue(core.status)}: ConfidentialWebApp keeps its client Active`;
  if (!sameValue(advanced.descriptions, description ? [description] : [])) return `its AM client descriptions ${formatValue(advanced.descriptions)} are not its application's description ${formatValue(description ?? null)}: ConfidentialWebApp sets both from one description`;
  const scopes = strings(core.scopes);
  const defaultScopes = strings(core.defaultScopes);
  const outside = defaultScopes.filter((s) => !scopes.includes(s));
  if (outside.length > 0) return `its default scopes ${formatValue(outside)} are not among its scopes ${formatValue(scopes)}: ConfidentialWebApp refuses default scopes it does not serve`;
  // The May Act script it runs comes back as the MayActRule wired on it: without one, the apply would unwire the script.
  const wiring = mayActWiring(item, true);
  if (typeof wiring === "string") return wiring;
  const mayAct = wiring.script === undefined ? undefined : mayActScriptOf(wiring.script, listing, context.realm);
  if (typeof mayAct === "string") return `it runs a May Act script no MayActRule can write (${mayAct})`;
  const owners = namesOf(record.owners, listing.userNames, "owners", "user");
  const lifetime = typeof core.accessTokenLifetime === "number" ? core.accessTokenLifetime : 0;
  const storeSecret = storeSecretOf(item, listing, context);
  return {
    props: {
      ...(storeSecret ? { storeSecret } : {}),
      name,
      ...(description ? { description } : {}),
      owners: owners.names,
      scopes,
      defaultScopes,
      grantTypes: strings(advanced.grantTypes).map(friendlyGrant),
      tokenEndpointAuthMethod: str(advanced.tokenEndpointAuthMethod) ?? DEFAULTS.tokenEndpointAuthMethod,
      redirectUris: strings(core.redirectionUris),
      accessTokenLifetime: lifetime,
      ...(wiring.script ? { mayActScript: wiring.script } : {}),
    },
    unexpressed: [...owners.notes, ...unexpressedAm(item, ownedWithStore(wiring.script ? new Set([...OWNED, ...MAY_ACT_OWNED]) : OWNED, storeSecret))],
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
      const exported = webAppProps(id, item, record, listing, context);
      if (typeof exported === "string") return skip(exported);
      return [exportedClient("web-app", id, "WEB_APP", exported.props, exported.unexpressed, context)];
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
