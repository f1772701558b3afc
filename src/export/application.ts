/**
 * What the exports of the application kinds (web app, SPA, native app, service app) share: an
 * application record of the kind's template and its OAuth2 client become one construct. The checks
 * every application construct would make (one name and description for both sides, an Active
 * client, default scopes among its scopes), its common props, the skips of what no application
 * kind exports, and the factory of the kinds' `KindExport`s.
 */
import { CLIENT_SECRET_METHODS, GRANT_TYPES, PLATFORM_CLIENT_IDS, type Kind } from "../contract/constants";
import { redirectUriProblem, type RedirectingApp } from "../contract/redirects";
import type { AmClientListItem, IdmApplication } from "../contract/schemas";
import { formatValue, sameValue } from "../engine/fields";
import type { ExportContext, KindExport } from "../kinds/unit";
import { ADVANCED, AM_DEFAULT_AUTH_METHOD, CORE, clientProblem, scopesProblem, exportedClient, friendlyGrant, group, namesOf, notDefault, ownedWithStore, renderClient, storeSecretOf, str, strings, unexpressedAm, type ClientProps } from "./client";
import type { TenantListing } from "./read";
import { mayActWiring } from "./script";
import { byString, list, type Entry } from "./source";

/** The props every application construct has, as the file writes them. */
export interface ApplicationProps extends ClientProps {
  readonly defaultScopes: readonly string[];
  readonly accessTokenLifetime: number;
}

/** The construct of each template an application kind exports. */
const TEMPLATE_CONSTRUCTS: Readonly<Record<string, string>> = { web: "ConfidentialWebApp", spa: "SinglePageApp", native: "NativeApp", service: "ServiceApp" };

/** AM client attributes every application construct owns (or AM fills itself). */
const APPLICATION_OWNED: readonly string[] = [
  `${CORE}.clientType`, `${CORE}.scopes`, `${CORE}.clientName`, `${CORE}.status`, `${CORE}.defaultScopes`, `${CORE}.accessTokenLifetime`,
  `${ADVANCED}.grantTypes`, `${ADVANCED}.tokenEndpointAuthMethod`, `${ADVANCED}.descriptions`,
];


/** One application of the listing: its client id, AM client and IDM record. */
interface ListedApplication {
  readonly id: string;
  readonly item: AmClientListItem;
  readonly record: IdmApplication;
}

/** The OIDC application records of the listing by client id (the wanted ones); `skip`: the others are skipped. */
function recordsByClient(listing: TenantListing, context: ExportContext, skip: boolean): Map<string, IdmApplication> {
  const out = new Map<string, IdmApplication>();
  for (const a of [...listing.applications].sort((x, y) => byString(x._id, y._id))) {
    const oidcId = a.ssoEntities?.oidcId;
    if (!oidcId) {
      if (skip && context.clientIds === undefined) context.skip("application", a.name ?? a._id, `not an OIDC application (template ${a.templateName ?? "none"})`);
    } else if (context.wanted(oidcId)) out.set(oidcId, a);
  }
  return out;
}

/**
 * Skips, with why, the clients and records of the listing that no application kind exports: records
 * of other templates or without an OIDC client, clients without a record, the platform's clients.
 * AI agents are not in the client list.
 */
function skipOtherApplications(listing: TenantListing, context: ExportContext): void {
  const byClient = recordsByClient(listing, context, true);
  const ids = [...new Set([...listing.clients.keys(), ...byClient.keys()])].filter((id) => context.wanted(id)).sort(byString);
  for (const id of ids) {
    const item = listing.clients.get(id);
    const record = byClient.get(id);
    const skip = (reason: string) => context.skip(item ? "oauth2-client" : "application", id, reason);
    if (PLATFORM_CLIENT_IDS.includes(id)) skip("a platform client every tenant has");
    else if (!item) skip("an application record whose OAuth2 client is gone");
    else if (!record) skip("an OAuth2 client without an application record (not a custom application of the console, e.g. a service client)");
    else if (!((record.templateName ?? "") in TEMPLATE_CONSTRUCTS)) {
      const templates = Object.keys(TEMPLATE_CONSTRUCTS).map((t) => `"${t}"`).join(", ");
      skip(`an application of template "${record.templateName ?? "none"}": the constructs make applications of templates ${templates}`);
    }
  }
}

/** The wanted applications of one template, client and record, in client id order (the platform's clients left out). */
function applicationsOf(listing: TenantListing, context: ExportContext, template: string): ListedApplication[] {
  const byClient = recordsByClient(listing, context, false);
  return [...byClient]
    .filter(([id, record]) => record.templateName === template && listing.clients.has(id) && !PLATFORM_CLIENT_IDS.includes(id))
    .sort(([a], [b]) => byString(a, b))
    .map(([id, record]) => ({ id, item: listing.clients.get(id)!, record }));
}

/**
 * The props every application has, and what no prop says of them (owners that name no user); or
 * why the construct cannot express it: it sets the AM client's name and description from the
 * application's and keeps the client Active, so a tenant where they disagree would be changed by
 * the adopting apply, and it refuses default scopes it does not serve.
 */
function applicationProps(k: Pick<ApplicationExportKind<ApplicationProps>, "construct" | "public">, item: AmClientListItem, record: IdmApplication, listing: TenantListing, context: ExportContext): { props: ApplicationProps; notes: string[] } | string {
  const construct = k.construct;
  const core = group(item, CORE);
  const advanced = group(item, ADVANCED);
  const name = str(record.name);
  if (!name?.trim()) return `its application record has no name: ${construct} names both sides`;
  // The record's description, which the construct also writes into the AM client's descriptions.
  const description = str(record.description);
  if (!sameValue(core.clientName, [name])) return `its AM client name ${formatValue(core.clientName)} is not its application's name "${name}": ${construct} sets both from one name (make them agree in the console, then export again)`;
  if (str(core.status) && core.status !== "Active") return `its client is ${formatValue(core.status)}: ${construct} keeps its client Active`;
  if (!sameValue(advanced.descriptions, description ? [description] : [])) return `its AM client descriptions ${formatValue(advanced.descriptions)} are not its application's description ${formatValue(description ?? null)}: ${construct} sets both from one description`;
  const scopes = strings(core.scopes);
  const defaultScopes = strings(core.defaultScopes);
  const malformed = scopesProblem("default scopes", core.defaultScopes, construct);
  if (malformed) return malformed;
  const outside = defaultScopes.filter((s) => !scopes.includes(s));
  if (outside.length > 0) return `its default scopes ${formatValue(outside)} are not among its scopes ${formatValue(scopes)}: ${construct} refuses default scopes it does not serve`;
  const owners = namesOf(record.owners, listing.userNames, "owners", "user");
  // Only a client secret method reads a secret from the store (a public client has none): another
  // client's label identifier is left as it is, like any field no prop says.
  const method = str(advanced.tokenEndpointAuthMethod) ?? AM_DEFAULT_AUTH_METHOD;
  const storeSecret = k.public || !(CLIENT_SECRET_METHODS as readonly string[]).includes(method) ? undefined : storeSecretOf(item, listing, context);
  return {
    props: {
      ...(storeSecret ? { storeSecret } : {}),
      name,
      ...(description ? { description } : {}),
      owners: owners.names,
      scopes,
      defaultScopes,
      grantTypes: strings(advanced.grantTypes).map(friendlyGrant),
      tokenEndpointAuthMethod: method,
      accessTokenLifetime: typeof core.accessTokenLifetime === "number" ? core.accessTokenLifetime : 0,
    },
    notes: owners.notes,
  };
}

/** What sets one application kind's export apart (`applicationExport`). */
export interface ApplicationExportKind<P extends ApplicationProps> {
  readonly kind: Kind;
  /** The construct class it writes. */
  readonly construct: string;
  /** What the header and stderr call one object. */
  readonly label: string;
  /** Counted in the header and on stderr only when the file writes one (`KindExport.countedWhenAny`). */
  readonly countedWhenAny?: true;
  /** The IDM record's `templateName` of the kind. */
  readonly template: string;
  /** It makes a public client: no secret, and the realm must require PKCE of it. */
  readonly public?: true;
  /** Skips, once per export, what no application kind exports (the first application kind does). */
  readonly skipsOthers?: true;
  /** Its grant types when the file says none. */
  readonly defaultGrantTypes: readonly string[];
  /** The kind's props from every application's, or why the construct cannot express the client. */
  props(common: ApplicationProps, item: AmClientListItem, listing: TenantListing, context: ExportContext): P | string;
  /** AM client attributes the construct owns beyond every application's. */
  owned(p: P): readonly string[];
  /** The prefix of its secret env var (`WEB_APP`); undefined: the stack writes it no secret. */
  secretPrefix(p: P): string | undefined;
  /** Its own props after the grant types, left out at the construct's defaults. */
  entries(p: P): readonly Entry[];
  /** Names of the library its statement uses besides its construct and `Secret`. */
  imports?(p: P): readonly string[];
}

/**
 * Why a realm cannot take a public client from the constructs: they require PKCE of public clients
 * realm-wide (AM's `codeVerifierEnforced` `public` or `true`), and the exported provider grants
 * keep the realm's setting rather than change it.
 */
function pkceProblem(construct: string, listing: TenantListing): string | undefined {
  const live = (listing.provider?.advancedOAuth2Config as Record<string, unknown> | undefined)?.codeVerifierEnforced;
  if (live === "public" || live === "true") return undefined;
  return `the realm does not require PKCE of public clients (codeVerifierEnforced ${JSON.stringify(live ?? "false")}): ${construct} needs requirePkce on the realm's OAuth2ProviderGrants, whose adopting apply would turn it on (require PKCE in the console, then export again)`;
}

/** The `KindExport` of an application kind. */
export function applicationExport<P extends ApplicationProps>(k: ApplicationExportKind<P>): KindExport<P> {
  return {
    construct: k.construct,
    label: k.label,
    ...(k.countedWhenAny ? { countedWhenAny: true as const } : {}),
    objects(listing, context) {
      if (k.skipsOthers) skipOtherApplications(listing, context);
      return applicationsOf(listing, context, k.template).flatMap(({ id, item, record }) => {
        const skip = (reason: string) => {
          context.skip("oauth2-client", id, reason);
          return [];
        };
        const problem = clientProblem(id, item, { construct: k.construct, public: k.public, scopesRequired: true }) ?? (k.public ? pkceProblem(k.construct, listing) : undefined);
        if (problem) return skip(problem);
        const common = applicationProps(k, item, record, listing, context);
        if (typeof common === "string") return skip(common);
        // Only a web app's token can be delegated by a MayActRule: another kind running a May Act
        // script would have it unwired by the adopting apply.
        const wiring = k.kind === "web-app" ? {} : mayActWiring(item, false);
        if (typeof wiring === "string" || wiring.script !== undefined) return skip(typeof wiring === "string" ? wiring : `it runs May Act script ${wiring.script}: MayActRule wires scripts on ConfidentialWebApps and AI agents only`);
        const props = k.props(common.props, item, listing, context);
        if (typeof props === "string") return skip(props);
        const owned = ownedWithStore(new Set([...APPLICATION_OWNED, ...k.owned(props)]), props.storeSecret);
        const exported = exportedClient(k.kind, id, k.secretPrefix(props), props, [...common.notes, ...unexpressedAm(item, owned)], context);
        const imports = [...(exported.imports ?? []), ...(k.imports?.(props) ?? [])];
        return [{ ...exported, ...(k.public ? { publicClient: true as const } : {}), ...(imports.length > 0 ? { imports } : {}) }];
      });
    },
    render(a, constructId) {
      const p = a.props;
      return renderClient(k.construct, a, constructId, [
        ["scopes", list(p.scopes)],
        p.defaultScopes.length > 0 ? ["defaultScopes", list(p.defaultScopes)] : undefined,
        notDefault(p.grantTypes, k.defaultGrantTypes) ? ["grantTypes", list(p.grantTypes)] : undefined,
        ...k.entries(p),
        p.accessTokenLifetime !== 0 ? ["accessTokenLifetime", String(p.accessTokenLifetime)] : undefined,
      ]);
    },
  };
}

/** The props of the public client constructs (`SinglePageApp`, `NativeApp`). */
export interface PublicClientProps extends ApplicationProps {
  readonly redirectUris: readonly string[];
  readonly impliedConsent: boolean;
}

/** Grant types the public client constructs refuse (they need a secret, or hand tokens or passwords to the app). */
const PUBLIC_CLIENT_REFUSED: readonly string[] = [GRANT_TYPES["client-credentials"], GRANT_TYPES.password, GRANT_TYPES.implicit];

/** AM client attributes every public client construct owns besides every application's. */
export const PUBLIC_CLIENT_OWNED: readonly string[] = [`${CORE}.redirectionUris`, `${ADVANCED}.isConsentImplied`];

/**
 * A public client's props; or why its construct refuses it: a grant type a public client must not
 * use, no redirect URI, or one that the app (`app`) cannot receive or AM refuses.
 */
export function publicClientProps(construct: string, common: ApplicationProps, item: AmClientListItem, app: RedirectingApp): PublicClientProps | string {
  const core = group(item, CORE);
  const advanced = group(item, ADVANCED);
  const refused = strings(advanced.grantTypes).filter((g) => PUBLIC_CLIENT_REFUSED.includes(g));
  if (refused.length > 0) return `grant types ${formatValue(refused.map(friendlyGrant))}, which ${construct}, a public client, must not use`;
  const redirectUris = strings(core.redirectionUris);
  if (redirectUris.length === 0) return `no redirect URI: ${construct} needs at least one (the authorization code comes back to it)`;
  for (const uri of redirectUris) {
    const problem = redirectUriProblem(uri, app);
    if (problem) return `its redirect URI ${JSON.stringify(uri)} ${problem}: ${construct} refuses it`;
  }
  return { ...common, redirectUris, impliedConsent: advanced.isConsentImplied === true };
}

/** A public client's redirect URIs and, when off, implied consent (the constructs' default is on). */
export function publicClientEntries(p: PublicClientProps): Entry[] {
  return [["redirectUris", list(p.redirectUris)], p.impliedConsent ? undefined : ["impliedConsent", "false"]];
}
