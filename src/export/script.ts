/**
 * How `export` writes the realm's scripts. A May Act script becomes the `MayActRule` that wires it
 * on the exported clients running it (its typed props when the source is the one the construct
 * generates, else `source`); the scope-validation script of an agent's `scopeLimit` comes back as
 * that prop of its `AiAgent` (`scopeLimitOf`). A client runs a script the file cannot write only at
 * the cost of being skipped itself: its adopting apply would unwire the script.
 */
import { CLIENT_ID_PATTERN, GRANT_TYPES, SCOPE_TOKEN_PATTERN } from "../contract/constants";
import { scriptId } from "../contract/ids";
import type { AmClientListItem, AmScript } from "../contract/schemas";
import { mayActOfSource, mayActScriptSource, SCRIPT_CONTEXTS, scopeLimitOfSource, type MayAct } from "../contract/scripts";
import { OVERRIDE_GROUP } from "../contract/am-defaults";
import { NO_SCRIPT } from "../engine/owned";
import type { ExportContext, ExportedObject, KindExport } from "../kinds/unit";
import { ADVANCED, group, str, strings } from "./client";
import type { TenantListing } from "./read";
import { byString, props, q } from "./source";

/** A script attribute of a client's provider overrides: the script's id, or undefined when none. */
const scriptOf = (value: unknown): string | undefined => (typeof value === "string" && value !== NO_SCRIPT && value !== "" ? value : undefined);

/** A script's source as text (AM holds it base64-encoded). */
export const sourceOf = (script: AmScript): string => Buffer.from(script.script, "base64").toString("utf8");

/** How a script is called in a reason: its name and id. */
const named = (script: AmScript | undefined, id: string) => (script ? `"${script.name}" (${id})` : id);

/** An AM script id as `MayActRule`'s `scriptId` takes it. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Scope names as the constructs take them: printable, no spaces, quotes or backslashes, each once. */
const validNames = (values: readonly string[]) => values.every((s) => SCOPE_TOKEN_PATTERN.test(s)) && new Set(values).size === values.length;

/**
 * The May Act script a client runs, or why no `MayActRule` can wire it as it is: the rule names one
 * script for access and ID tokens alike, and turns a web app's provider overrides on.
 */
export function mayActWiring(item: AmClientListItem, webApp: boolean): { script?: string } | string {
  const overrides = group(item, OVERRIDE_GROUP);
  const access = scriptOf(overrides.accessTokenMayActScript);
  const oidc = scriptOf(overrides.oidcMayActScript);
  if (access === undefined && oidc === undefined) return {};
  if (access !== oidc) return `its access-token and ID-token May Act scripts differ (${access ?? NO_SCRIPT}, ${oidc ?? NO_SCRIPT}): a MayActRule wires one script on both`;
  if (webApp && overrides.providerOverridesEnabled !== true) return `it names May Act script ${access} with its provider overrides off (AM ignores the script): a MayActRule turns them on`;
  return { script: access };
}

/** A May Act script a `MayActRule` can write: its agent's client id, and the claim when the source is a generated one. */
export interface MayActScript {
  readonly script: AmScript;
  readonly agentId: string;
  /** The claim of a generated source; undefined for the user's own source. */
  readonly mayAct?: MayAct;
}

/**
 * The May Act script `id` as a `MayActRule` would write it, or why none can: the rule writes a
 * JavaScript OAUTH2_MAY_ACT_NEXT_GEN script (under an id not derived from its name with `scriptId`),
 * and its own source must name the agent (the only agent of the realm it names, for the file to know it).
 */
export function mayActScriptOf(id: string, listing: TenantListing, realm: string): MayActScript | string {
  const script = listing.scripts.get(id);
  if (!script) return `May Act script ${id} is not a script of the realm (or one of AM's defaults)`;
  const what = `May Act script ${named(script, id)}`;
  if (script.context !== SCRIPT_CONTEXTS.mayAct) return `${what} has context ${script.context}: MayActRule writes ${SCRIPT_CONTEXTS.mayAct} scripts`;
  if (script.language !== "JAVASCRIPT") return `${what} is ${script.language}: MayActRule writes JavaScript`;
  if (script.name.trim() === "") return `${what} has no name`;
  if (!UUID.test(id)) return `${what} has an id that is no uuid: MayActRule's scriptId takes AM's uuids`;
  const source = sourceOf(script);
  const mayAct = mayActOfSource(source);
  const agents = mayAct ? [mayAct.client_id] : [...listing.agents.keys()].filter((a) => source.includes(JSON.stringify(a)) || source.includes(`'${a}'`));
  if (agents.length !== 1) return `${what} names ${agents.length === 0 ? "no AI agent of the realm" : `several AI agents (${agents.sort(byString).join(", ")})`}: a MayActRule names the one agent it lets exchange the tokens`;
  const agentId = agents[0];
  if (!CLIENT_ID_PATTERN.test(agentId)) return `${what} names client id "${agentId}", which the constructs do not accept (allowed: ${CLIENT_ID_PATTERN})`;
  return { script, agentId, ...(mayAct ? { mayAct } : {}) };
}

/** Per script id, the clients (web apps and agents) of a listing that run it as their May Act script, sorted; read once per listing. */
const running = new WeakMap<TenantListing, ReadonlyMap<string, readonly string[]>>();

/** The ids of the listing's clients (web apps and agents) that run May Act script `id`, sorted. */
export function clientsRunning(id: string, listing: TenantListing): readonly string[] {
  let index = running.get(listing);
  if (!index) {
    const byScript = new Map<string, string[]>();
    for (const [clientId, item] of [...listing.clients, ...listing.agents].sort(([a], [b]) => byString(a, b))) {
      const overrides = item.overrideOAuth2ClientConfig;
      for (const script of new Set([overrides?.accessTokenMayActScript, overrides?.oidcMayActScript])) {
        if (typeof script === "string") byScript.set(script, [...(byScript.get(script) ?? []), clientId]);
      }
    }
    index = byScript;
    running.set(listing, index);
  }
  return index.get(id) ?? [];
}

/** Per agent client id, the May Act scripts naming it that a `MayActRule` can write and some client runs; read once per listing and realm. */
const rules = new WeakMap<TenantListing, { realm: string; byAgent: ReadonlyMap<string, readonly MayActScript[]> }>();

/** The May Act scripts naming `agentId` that a `MayActRule` can write and some client runs. */
export function rulesNaming(agentId: string, listing: TenantListing, realm: string): readonly MayActScript[] {
  let cached = rules.get(listing);
  if (cached?.realm !== realm) {
    const byAgent = new Map<string, MayActScript[]>();
    for (const id of listing.scripts.keys()) {
      const m = mayActScriptOf(id, listing, realm);
      if (typeof m !== "string" && clientsRunning(id, listing).length > 0) byAgent.set(m.agentId, [...(byAgent.get(m.agentId) ?? []), m]);
    }
    cached = { realm, byAgent };
    rules.set(listing, cached);
  }
  return cached.byAgent.get(agentId) ?? [];
}

/** Whether an agent's AM client may get a token of its own (client credentials). */
export const hasClientCredentials = (item: AmClientListItem): boolean => strings(group(item, ADVANCED).grantTypes).includes(GRANT_TYPES["client-credentials"]);

/**
 * The scopes of an agent's `scopeLimit`, undefined when it runs no scope-validation script, or why
 * its script is not the one `AiAgent` generates (named `Scope limit: <client id>`, JavaScript
 * OAUTH2_VALIDATE_SCOPE_NEXT_GEN, no description, the generated source) and wires (plugin SCRIPTED).
 */
export function scopeLimitOf(agentId: string, item: AmClientListItem, listing: TenantListing, realm: string): readonly string[] | undefined | string {
  const overrides = group(item, OVERRIDE_GROUP);
  const id = scriptOf(overrides.validateScopeScript);
  if (id === undefined) return undefined;
  const script = listing.scripts.get(id);
  const what = `its scope-validation script ${named(script, id)}`;
  const name = `Scope limit: ${agentId}`;
  const why = (problem: string) => `${what} ${problem}: AiAgent's scopeLimit writes the script "${name}" with a generated source`;
  if (overrides.validateScopePluginType !== "SCRIPTED") return `${what} is not in use (validateScopePluginType ${String(overrides.validateScopePluginType)}): AiAgent's scopeLimit sets SCRIPTED`;
  if (!script) return why("is not a script of the realm (or one of AM's defaults)");
  if (script.name !== name || scriptId(realm, name) !== id) return why("has another name or id");
  if (script.context !== SCRIPT_CONTEXTS.validateScope || script.language !== "JAVASCRIPT") return why(`is ${script.language} ${script.context}`);
  if (str(script.description)) return why("has a description");
  const scopes = scopeLimitOfSource(sourceOf(script));
  if (!scopes) return why("has a source of its own");
  if (scopes.length === 0 || !validNames(scopes)) return why(`allows ${JSON.stringify(scopes)}, which is no list of distinct scope names`);
  return scopes;
}

/** The audiences an agent's exchanges may request as `allowedAudiences` would set them, or why they cannot be. */
export function allowedAudiencesOf(item: AmClientListItem): readonly string[] | undefined | string {
  const audiences = strings(group(item, ADVANCED).allowedResourceServerAudienceValues);
  if (audiences.length === 0) return undefined;
  const overrides = group(item, OVERRIDE_GROUP);
  if (overrides.acceptAudienceParametersInTokenExchangeRequests !== true) return `its allowed audiences ${JSON.stringify(audiences)} are set while it accepts no audience parameter: AiAgent refuses allowedAudiences then`;
  if (!validNames(audiences)) return `its allowed audiences ${JSON.stringify(audiences)} are not distinct names without spaces or quotes, as allowedAudiences takes them`;
  return audiences;
}

export interface MayActRuleProps {
  /** The agent's client id, and its variable when the file exports it (else the file imports it by client id). */
  readonly agentId: string;
  readonly agent?: string;
  /** The variables of the exported clients running the script, in the order of its default name when it has one. */
  readonly subjectTokensOf: readonly string[];
  /** Its name, when not the rule's default. */
  readonly scriptName?: string;
  /** Its id, when not the one derived from its name (a script made in the console). */
  readonly scriptId?: string;
  readonly description?: string;
  /** Its source, when not the one the rule generates for its agent. */
  readonly source?: string;
}

/** The agent's `actsBy` as the exported agent says it (an imported agent has none). */
function actsByOf(o: ExportedObject | undefined): string | undefined {
  return (o?.props as { actsBy?: string } | undefined)?.actsBy;
}

/** The rule of a script wired on `clients` (exported objects), with the props its defaults leave out. */
function ruleOf(m: MayActScript, clients: readonly ExportedObject[], context: ExportContext): ExportedObject<MayActRuleProps> {
  const agent = context.exported("ai-agent", m.agentId);
  const delegation = actsByOf(agent) === "delegation";
  const source = sourceOf(m.script);
  const generated = mayActScriptSource({ client_id: m.agentId, ...(delegation ? { sub: `(age!${m.agentId})` } : {}) });
  // The default name lists the clients in the rule's order: the name's order, when it is a default name.
  const byName = clients.map((c) => c.id).sort(byString);
  const prefix = `May act: ${m.agentId} for `;
  const inName = m.script.name.startsWith(prefix) ? m.script.name.slice(prefix.length).split(", ") : [];
  const ordered = [...inName].sort(byString).join("\n") === byName.join("\n") ? inName : byName;
  const description = str(m.script.description);
  return {
    kind: "script",
    id: m.script._id,
    constructId: `may-act-${m.agentId}`,
    unexpressed: [],
    props: {
      agentId: m.agentId,
      ...(agent?.variable ? { agent: agent.variable } : {}),
      subjectTokensOf: ordered.map((id) => clients.find((c) => c.id === id)!.variable!),
      ...(ordered === inName ? {} : { scriptName: m.script.name }),
      ...(scriptId(context.realm, m.script.name) === m.script._id ? {} : { scriptId: m.script._id }),
      ...(description ? { description } : {}),
      ...(source === generated ? {} : { source }),
    },
  };
}

/** Why a script of the listing is left out, when no exported object writes it. */
function skipReason(script: AmScript, listing: TenantListing, context: ExportContext): string {
  if (script.context === SCRIPT_CONTEXTS.mayAct) {
    const m = mayActScriptOf(script._id, listing, context.realm);
    if (typeof m === "string") return m;
    const running = clientsRunning(script._id, listing);
    return running.length === 0
      ? "no client runs it: a MayActRule wires its script on the clients whose tokens it stamps"
      : `none of the clients running it (${running.join(", ")}) is exported: a MayActRule wires its script on clients of the stack`;
  }
  if (script.context === SCRIPT_CONTEXTS.validateScope) {
    const running = [...listing.agents].filter(([, a]) => a.overrideOAuth2ClientConfig?.validateScopeScript === script._id).map(([id]) => id);
    return running.length === 0 ? "no AI agent runs it: AiAgent's scopeLimit writes the scope-validation script of one agent" : `its AI agents (${running.join(", ")}) are not exported with it as their scopeLimit`;
  }
  return `a ${script.context} script: the constructs write May Act scripts (MayActRule) and AI agents' scope limits (scopeLimit) only`;
}

export const scriptExport: KindExport<MayActRuleProps> = {
  construct: "MayActRule",
  label: "May Act rule",
  countedWhenAny: true,
  after: ["web-app", "ai-agent"],
  objects(listing, context) {
    const rules: ExportedObject<MayActRuleProps>[] = [];
    const scripts = [...listing.scripts.values()].sort((a, b) => byString(a.name, b.name) || byString(a._id, b._id));
    for (const script of scripts) {
      const clients = context.objects.filter((o) => (o.kind === "web-app" || o.kind === "ai-agent") && (o.props as { mayActScript?: string }).mayActScript === script._id);
      const scopeLimited = context.objects.some((o) => o.kind === "ai-agent" && (o.props as { scopeLimitScript?: string }).scopeLimitScript === script._id);
      const m = clients.length > 0 ? mayActScriptOf(script._id, listing, context.realm) : undefined;
      if (m !== undefined && typeof m !== "string") rules.push(ruleOf(m, clients, context));
      // With --client-ids, only what the chosen clients run is said.
      else if (!scopeLimited && (context.clientIds === undefined || clientsRunning(script._id, listing).some((id) => context.wanted(id)))) {
        context.skip("script", script.name, skipReason(script, listing, context));
      }
    }
    return rules;
  },
  imports: (o) => (o.props.agent === undefined ? ["AiAgent"] : []),
  render(r, constructId) {
    const p = r.props;
    return [
      `new MayActRule(stack, ${q(constructId)}, {`,
      ...props(
        [
          ["agent", p.agent ?? `AiAgent.fromClientId(stack, ${q(`${constructId}-agent`)}, ${q(p.agentId)})`],
          ["subjectTokensOf", `[${p.subjectTokensOf.join(", ")}]`],
          p.scriptName !== undefined ? ["scriptName", q(p.scriptName)] : undefined,
          p.scriptId !== undefined ? ["scriptId", q(p.scriptId)] : undefined,
          p.description !== undefined ? ["description", q(p.description)] : undefined,
          p.source !== undefined ? ["source", q(p.source)] : undefined,
          ["adopt", "true"],
        ],
        "  ",
      ),
      "});",
    ];
  },
};
