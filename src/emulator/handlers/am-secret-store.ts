/**
 * The realm's ESV secret store, `realm-config/secrets/stores/GoogleSecretManagerSecretStoreProvider/ESV`,
 * and its mappings of secret labels to ESV secrets (reference §7). AIC fixes the store: reading it
 * works, changing or deleting it (and anything under global-config's secret stores) is refused.
 * Mappings are AM configuration: they take effect at once, without an ESV restart.
 */
import { createHash } from "node:crypto";
import { API_VERSION } from "../../contract/endpoints";
import { clientLabelIdentifier, ESV_SECRET_STORE, ESV_UNCONFIRMED } from "../../contract/esv";
import type { EmulatorContext } from "../context";
import { badRequest, CrestHttpError, notFound } from "../errors";
import { etag, filterItems, json, objectBody, pageOf, queryAnswer, type Handler, type Route } from "../router";
import { realmState } from "../store";
import { clientAttribute, own } from "../token-exchange";
import type { EmulatorRequest, RealmState } from "../types";

/** The store as recorded [REC-STORE], `_rev` and all: it never changes (AIC refuses writes). */
const ESV_STORE_BODY = {
  _id: ESV_SECRET_STORE.id,
  _rev: "325689269",
  project: "&{google.project.id}",
  expiryDurationSeconds: 600,
  serviceAccount: "default",
  secretFormat: "PEM",
  _type: { _id: ESV_SECRET_STORE.type, name: "Google Secret Manager", collection: true },
};
const MAPPING_TYPE = { _id: "mappings", name: "Mappings", collection: true };
const NOT_IN_AIC = () => new CrestHttpError(403, "This operation is not available in PingOne Advanced Identity Cloud.");

function realmOf(ctx: EmulatorContext, params: Record<string, string>): RealmState {
  const realm = realmState(ctx.state, params.realm);
  if (!realm) throw notFound();
  return realm;
}

/** `_rev` is derived from the content [PAM-15]: the same mapping written twice keeps it [inf: AM's hash]. */
function revOf(mapping: { secretId: string; aliases: string[] }): string {
  return String(createHash("sha256").update(JSON.stringify([mapping.secretId, mapping.aliases])).digest().readUInt32BE(0));
}

function mappingView(label: string, mapping: { secretId: string; aliases: string[] }) {
  return { _id: label, _rev: revOf(mapping), secretId: mapping.secretId, aliases: [...mapping.aliases], _type: MAPPING_TYPE };
}

/** Whether an OAuth2 client or AI agent of the realm has this secret label identifier. */
function identifierInUse(realm: RealmState, identifier: string): boolean {
  return [...Object.values(realm.oauth2Clients), ...Object.values(realm.aiAgents)].some(
    (record) => clientAttribute(record.body, "coreOAuth2ClientConfig", "secretLabelIdentifier") === identifier,
  );
}

/**
 * A mapping's body checked as AM does: `secretId` present, equal to the label and one of the labels
 * AM knows (its schema's enum: for a client's label, an identifier set on a client of the realm;
 * other labels are not checked here), and exactly one alias. The ESV itself is not looked up [PAM-15].
 */
function parseMapping(realm: RealmState, label: string, req: EmulatorRequest): { secretId: string; aliases: string[] } {
  const body = objectBody(req);
  if (typeof body.secretId !== "string" || body.secretId === "") throw badRequest("Invalid config: Secret value is missing");
  // [inf] wording: AM keys the mapping by its id, so a body naming another label cannot be saved.
  if (body.secretId !== label) throw badRequest(`Invalid config: secretId ${body.secretId} does not match the mapping id ${label}`);
  const identifier = clientLabelIdentifier(label);
  if (identifier !== undefined && !identifierInUse(realm, identifier)) throw badRequest(ESV_UNCONFIRMED.unknownLabel(label));
  const aliases = body.aliases;
  if (!Array.isArray(aliases) || !aliases.every((a) => typeof a === "string")) throw badRequest("Invalid config: aliases must be a list of strings");
  // One alias exactly: more is refused in AIC's words [PAM-15]; none is refused alike [inf].
  if (aliases.length !== 1) throw badRequest("Only a single alias per mapping is allowed for this secret store type");
  return { secretId: label, aliases };
}

function location(ctx: EmulatorContext, path: string, label: string) {
  return { location: `${ctx.baseUrl}${path}/${encodeURIComponent(label)}` };
}

const listMappings: Handler = (req, ctx, params) => {
  const views = Object.entries(realmOf(ctx, params).esvMappings).map(([label, m]) => mappingView(label, m));
  return queryAnswer(pageOf(req, filterItems(req, views, (v) => v)), { exact: false, remaining: -1 });
};

const readMapping: Handler = (_req, ctx, params) => {
  const mapping = own(realmOf(ctx, params).esvMappings, params.label);
  if (!mapping) throw notFound();
  const view = mappingView(params.label, mapping);
  return json(200, view, etag(view._rev));
};

/** `?_action=create` (409 when it exists [REC-MAP-UPD]) and `?_action=template`. */
const mappingAction: Handler = (req, ctx, params) => {
  const realm = realmOf(ctx, params);
  const action = req.query.get("_action");
  if (action === "template") return json(200, { aliases: [] });
  if (action !== "create") throw badRequest(`Action '${action ?? ""}' is not supported by this resource`);
  const body = objectBody(req);
  const label = typeof body._id === "string" && body._id !== "" ? body._id : body.secretId;
  if (typeof label !== "string" || label === "") throw badRequest("Invalid config: Secret value is missing");
  if (own(realm.esvMappings, label)) throw new CrestHttpError(409, "Unable to save config: Service already exists");
  realm.esvMappings[label] = parseMapping(realm, label, req);
  ctx.save();
  const view = mappingView(label, realm.esvMappings[label]);
  return json(201, view, { ...etag(view._rev), ...location(ctx, req.path, label) });
};

/** Creates (201) or replaces (200) [REC-MAP-UPD]. */
const putMapping: Handler = (req, ctx, params) => {
  const realm = realmOf(ctx, params);
  const existed = own(realm.esvMappings, params.label) !== undefined;
  realm.esvMappings[params.label] = parseMapping(realm, params.label, req);
  ctx.save();
  const view = mappingView(params.label, realm.esvMappings[params.label]);
  return json(existed ? 200 : 201, view, etag(view._rev));
};

const deleteMapping: Handler = (_req, ctx, params) => {
  const realm = realmOf(ctx, params);
  const mapping = own(realm.esvMappings, params.label);
  if (!mapping) throw notFound();
  delete realm.esvMappings[params.label];
  ctx.save();
  const view = mappingView(params.label, mapping);
  return json(200, view, etag(view._rev));
};

const STORE = `^/am/json/realms/root/realms/(?<realm>[^/]+)/realm-config/secrets/stores/${ESV_SECRET_STORE.type}/${ESV_SECRET_STORE.id}`;

export function amSecretStoreRoutes(): Route[] {
  // Recorded with protocol 2.1, resource 2.0 (frodo); protocol 2.0, resource 1.0 is seen too [PAM-15].
  const apiVersion = [API_VERSION.secretStore, "protocol=2.0,resource=1.0"];
  const store = new RegExp(`${STORE}$`);
  const mappings = new RegExp(`${STORE}/mappings$`);
  const mapping = new RegExp(`${STORE}/mappings/(?<label>[^/]+)$`);
  const refused: Handler = () => {
    throw NOT_IN_AIC();
  };
  const global = /^\/am\/json\/global-config\/secrets\/stores(\/.*)?$/;
  return [
    { method: "GET", pattern: store, apiVersion, handler: (_req, ctx, params) => (realmOf(ctx, params), json(200, ESV_STORE_BODY, etag(ESV_STORE_BODY._rev))) },
    // [inf] a change of the realm's store is refused like its deletion [REC-STORE-DEL].
    { method: "PUT", pattern: store, apiVersion, handler: refused },
    { method: "DELETE", pattern: store, apiVersion, handler: refused },
    { method: "GET", pattern: mappings, apiVersion, handler: listMappings },
    { method: "POST", pattern: mappings, apiVersion, handler: mappingAction },
    { method: "GET", pattern: mapping, apiVersion, handler: readMapping },
    { method: "PUT", pattern: mapping, apiVersion, handler: putMapping },
    { method: "DELETE", pattern: mapping, apiVersion, handler: deleteMapping },
    ...["GET", "PUT", "POST", "DELETE"].map((method) => ({ method, pattern: global, handler: refused })),
  ];
}
