/**
 * The realm's OAuth2 provider service `realm-config/services/oauth-oidc` (reference §3): plain
 * values, `_id: ""`, `_rev` also as ETag, full-replace PUT, `POST ?_action=create` when absent;
 * and the AI agents feature switch `POST /environment/aiagent?_action=enable` with its status read
 * `GET /openidm/feature` (ai-agent-delegation.md §8.1). AI agent writes are not refused while the
 * feature is off: the reference documents no such refusal.
 */
import { AI_AGENT_FEATURE } from "../../contract/constants";
import { API_VERSION } from "../../contract/endpoints";
import { AM_TYPES, PROVIDER_DEFAULTS } from "../../contract/am-defaults";
import type { EmulatorContext } from "../context";
import { badRequest, CrestHttpError, notFound } from "../errors";
import { checkIfMatch, etag, filterItems, json, objectBody, pageOf, queryAnswer, type Route } from "../router";
import { realmState } from "../store";
import type { EmulatorRequest, EmulatorResponse, RealmState } from "../types";

/** [inf] The installed version the feature list shows; AIC's value is unrecorded. */
const AI_AGENT_FEATURE_VERSION = "1.0";

function realmOf(ctx: EmulatorContext, params: Record<string, string>): RealmState {
  const realm = realmState(ctx.state, params.realm);
  if (!realm) throw notFound();
  return realm;
}

function providerResponse(status: number, realm: RealmState): EmulatorResponse {
  const rev = String(realm.providerRev);
  return json(status, { _id: "", _rev: rev, ...realm.provider, _type: AM_TYPES.provider }, etag(rev));
}

/** The provider and its revision changed: both go to the state file. */
function providerChanged(ctx: EmulatorContext, realm: string): void {
  ctx.changed(["realms", realm, "provider"]);
  ctx.changed(["realms", realm, "providerRev"]);
}

/** Every attribute the body leaves out is reset to the fresh tenant's value (full replace). */
function replaceProvider(ctx: EmulatorContext, name: string, realm: RealmState, body: Record<string, unknown>): void {
  const provider: Record<string, unknown> = {};
  const groups = new Set([...Object.keys(PROVIDER_DEFAULTS), ...Object.keys(body).filter((k) => !k.startsWith("_"))]);
  for (const group of groups) {
    const given = body[group];
    if (given !== undefined && (given === null || typeof given !== "object" || Array.isArray(given))) {
      throw badRequest(`${group} must be an object`);
    }
    provider[group] = structuredClone({ ...PROVIDER_DEFAULTS[group], ...(given as Record<string, unknown> | undefined) });
  }
  realm.provider = provider;
  realm.providerRev = Number(ctx.nextRev());
  providerChanged(ctx, name);
  ctx.save();
}

const unsupportedAction = (req: EmulatorRequest) =>
  badRequest(`Action '${req.query.get("_action") ?? ""}' is not supported by this resource`);

const PROVIDER = /^\/am\/json\/realms\/root\/realms\/(?<realm>[^/]+)\/realm-config\/services\/oauth-oidc$/;
const SERVICES = /^\/am\/json\/realms\/root\/realms\/(?<realm>[^/]+)\/realm-config\/services$/;

export function amProviderRoutes(): Route[] {
  const apiVersion = API_VERSION.oauth2Provider;
  return [
    {
      // The realm's service instances, each as its own GET answers it but with its type as `_id`:
      // the OAuth2 provider, the one service the embedded tenant configures [inf].
      method: "POST",
      pattern: SERVICES,
      apiVersion,
      handler: (req, ctx, params) => {
        if (req.query.get("_action") !== "nextdescendents") throw unsupportedAction(req);
        const realm = realmOf(ctx, params);
        const provider = realm.provider ? [{ ...(providerResponse(200, realm).body as object), _id: AM_TYPES.provider._id }] : [];
        return json(200, { result: provider });
      },
    },
    {
      method: "GET",
      pattern: PROVIDER,
      apiVersion,
      handler: (_req, ctx, params) => {
        const realm = realmOf(ctx, params);
        if (!realm.provider) throw notFound();
        return providerResponse(200, realm);
      },
    },
    {
      method: "PUT",
      pattern: PROVIDER,
      apiVersion,
      handler: (req, ctx, params) => {
        const realm = realmOf(ctx, params);
        // A PUT does not create the service: that is `?_action=create` [rec] (404 here: inf).
        if (!realm.provider) throw notFound();
        checkIfMatch(req, String(realm.providerRev));
        replaceProvider(ctx, params.realm, realm, objectBody(req));
        return providerResponse(200, realm);
      },
    },
    {
      method: "POST",
      pattern: PROVIDER,
      apiVersion,
      handler: (req, ctx, params) => {
        const realm = realmOf(ctx, params);
        const action = req.query.get("_action");
        if (action === "create") {
          if (realm.provider) throw new CrestHttpError(409, "Unable to save config: Service already exists");
          replaceProvider(ctx, params.realm, realm, objectBody(req));
          return providerResponse(201, realm);
        }
        // The console asks for sub-configurations; the provider has none [rec].
        if (action === "nextdescendents") return json(200, { result: [] });
        throw unsupportedAction(req);
      },
    },
    {
      method: "POST",
      pattern: /^\/environment\/aiagent$/,
      apiVersion: API_VERSION.environment,
      handler: (req, ctx) => {
        if (req.query.get("_action") !== "enable") throw unsupportedAction(req);
        // The environment switch turns the feature on in every realm that has a provider.
        for (const [name, realm] of Object.entries(ctx.state.realms)) {
          if (!realm.provider) continue;
          realm.provider.aiAgentsConfig = { ...(realm.provider.aiAgentsConfig as object | undefined), aiAgentsEnabled: true };
          realm.providerRev = Number(ctx.nextRev());
          providerChanged(ctx, name);
        }
        ctx.save();
        return json(200, {});
      },
    },
    {
      method: "GET",
      pattern: /^\/openidm\/feature$/,
      handler: (req, ctx) => {
        // The switch installs IDM's aiagent feature; the tenant reads it from the realms' providers
        // [inf: version string and other features unrecorded; only _id and installedVersion are documented].
        const installed = Object.values(ctx.state.realms).some(
          (realm) => (realm.provider?.aiAgentsConfig as { aiAgentsEnabled?: unknown } | undefined)?.aiAgentsEnabled === true,
        );
        const features = [{ _id: AI_AGENT_FEATURE, installedVersion: installed ? AI_AGENT_FEATURE_VERSION : null }];
        const page = pageOf(req, filterItems(req, features, (f) => f));
        return queryAnswer(page, { exact: false, remaining: -1 });
      },
    },
  ];
}
