/**
 * `/environment/{secrets,variables,startup,count}` (reference §2–§6): tenant-wide ESVs with AIC's
 * validation and answers. Errors are `{code, message}`; request bodies and path parameters are
 * checked as AIC's OpenAPI validator does (its wording for a missing property and a bad id is a
 * third-party observation; the wording of the other schema failures is inferred). Secret values
 * are write-only: no answer carries one.
 */
import type { z } from "zod";
import { API_VERSION } from "../../contract/endpoints";
import {
  BASE64_PATTERN,
  ESV_ID_PATTERN,
  ESV_MAX_VALUE_BYTES,
  ESV_UNCONFIRMED,
  ESV_VERSION_PATTERN,
} from "../../contract/esv";
import { EsvDescription, EsvSecretCreate, EsvVariableWrite, EsvVersionCreate, EsvVersionStatusChange } from "../../contract/schemas";
import type { EmulatorContext } from "../context";
import {
  activeVersion,
  latestVersion,
  restartStatus,
  secretPending,
  secretView,
  settleRestart,
  startRestart,
  variablePending,
  variableView,
  versionView,
} from "../esv";
import { esvError } from "../errors";
import { filterItems, json, jsonBody, pageOf, queryAnswer, resourceMajor, type Handler, type Route } from "../router";
import { adminAccountOf } from "../sessions";
import { own } from "../token-exchange";
import type { EmulatorRequest, EmulatorResponse, EsvSecretRecord, EsvVariableRecord, EsvVersionRecord } from "../types";

const NO_SECRET = "The secret does not exist or does not have a version";
const NO_VERSION = "Failed to get secret version";
const NO_VARIABLE = "The variable does not exist";
const MAX_PAGE_SIZE = 100;
const DEFAULT_PAGE_SIZE = 25;

// ---------- validation ----------

function checkPathParameter(name: string, value: string, pattern: RegExp): void {
  if (!pattern.test(value)) {
    throw esvError(400, `parameter "${name}" in path has an error: string doesn't match the regular expression "${pattern.source}"`);
  }
}

/** The body checked against its schema; the first failure in the validator's words. */
function bodyOf<T>(req: EmulatorRequest, schema: z.ZodType<T>): T {
  const body = jsonBody(req) ?? {};
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue.path.map(String).join("/");
  const missing = issue.path.length === 1 && typeof body === "object" && !Object.hasOwn(body as object, issue.path[0] as string);
  throw esvError(
    400,
    missing
      ? `request body has an error: doesn't match schema: property "${field}" is missing`
      : `request body has an error: doesn't match schema: Error at "/${field}": ${issue.message}`,
  );
}

const decoded = (valueBase64: string) => Buffer.from(valueBase64, "base64");

function checkSize(valueBase64: string): void {
  if (decoded(valueBase64).length > ESV_MAX_VALUE_BYTES) throw esvError(ESV_UNCONFIRMED.valueTooLarge.status, ESV_UNCONFIRMED.valueTooLarge.message);
}

const PEM = /^\s*-----BEGIN [A-Z0-9 ]+-----\r?\n[\s\S]+?\r?\n-----END [A-Z0-9 ]+-----\s*$/;

/** A value the encoding cannot hold fails as AIC's backend does: 500 with a bare message [PAM-03]. */
function checkEncoding(encoding: string, valueBase64: string, failure: string): void {
  checkSize(valueBase64);
  const text = decoded(valueBase64).toString("utf8");
  const ok =
    encoding === "pem" ? PEM.test(text) : encoding === "base64hmac" || encoding === "base64aes" ? text !== "" && BASE64_PATTERN.test(text) : true;
  if (!ok) throw esvError(500, failure);
}

// ---------- shared ----------

const nowIso = (ctx: EmulatorContext) => new Date(ctx.now()).toISOString();

/** Who made a change: the service account's id or the AM admin's name. */
const changedBy = (req: EmulatorRequest, ctx: EmulatorContext) => adminAccountOf(req, ctx) ?? "unknown";

/** Every ESV route completes a restart whose time has come before it answers. */
const esv = (handler: Handler): Handler => (req, ctx, params) => {
  settleRestart(ctx);
  return handler(req, ctx, params);
};

function action(req: EmulatorRequest, allowed: string): void {
  const name = req.query.get("_action");
  // [inf] wording: the recordings only show supported actions.
  if (name !== allowed) throw esvError(400, `Unsupported action '${name ?? ""}'`);
}

/**
 * A list answer. `resource=1.0` (every recorded call) gets every item in one page; `resource=2.0`
 * pages (`_pageSize` 1–100, default 25), filters (`_queryFilter`, `_onlyPending=true`) and sorts
 * (`_sortKeys=_id` or `-_id`) [OAS]. Items are in `_id` order otherwise [inf].
 */
function listAnswer<T extends { _id: string }>(req: EmulatorRequest, items: T[], pending: (item: T) => boolean): EmulatorResponse {
  let list = [...items].sort((a, b) => a._id.localeCompare(b._id));
  if (resourceMajor(req) !== "2") return queryAnswer({ items: list, pagedResultsCookie: null, total: list.length }, { exact: false, remaining: -1 });
  const size = Number(req.query.get("_pageSize") ?? DEFAULT_PAGE_SIZE);
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    const bound = size > MAX_PAGE_SIZE ? `at most ${MAX_PAGE_SIZE}` : "at least 1";
    throw esvError(400, `parameter "_pageSize" in query has an error: number must be ${bound}`);
  }
  if (req.query.get("_onlyPending") === "true") list = list.filter(pending);
  if (req.query.has("_queryFilter")) list = filterItems(req, list, (item) => item);
  if (req.query.get("_sortKeys") === "-_id") list.reverse();
  const query = new URLSearchParams(req.query);
  query.set("_pageSize", String(size));
  return queryAnswer(pageOf({ ...req, query }, list), { exact: false, remaining: -1 });
}

// ---------- secrets and versions ----------

function secretOf(ctx: EmulatorContext, id: string, message = NO_SECRET): EsvSecretRecord {
  checkPathParameter("secretId", id, ESV_ID_PATTERN);
  const secret = own(ctx.state.esv.secrets, id);
  if (!secret) throw esvError(404, message);
  return secret;
}

function versionOf(secret: EsvSecretRecord, version: string): EsvVersionRecord {
  checkPathParameter("version", version, ESV_VERSION_PATTERN);
  const found = version === "latest" ? latestVersion(secret) : secret.versions.find((v) => String(v.version) === version);
  if (!found) throw esvError(404, NO_VERSION);
  return found;
}

/** After a write: a secret kept out of placeholders is loaded at once (no restart) [REC-SEC-HMAC]. */
function touch(req: EmulatorRequest, ctx: EmulatorContext, secret: EsvSecretRecord): void {
  secret.lastChangeDate = nowIso(ctx);
  secret.lastChangedBy = changedBy(req, ctx);
  if (!secret.useInPlaceholders) secret.loadedVersion = String(activeVersion(secret).version);
  ctx.save();
}

const listSecrets: Handler = (req, ctx) =>
  listAnswer(
    req,
    Object.entries(ctx.state.esv.secrets).map(([id, s]) => secretView(id, s)),
    (view) => secretPending(ctx.state.esv.secrets[view._id]),
  );

const readSecret: Handler = (_req, ctx, { id }) => json(200, secretView(id, secretOf(ctx, id)));

const createSecret: Handler = (req, ctx, { id }) => {
  checkPathParameter("secretId", id, ESV_ID_PATTERN);
  if (own(ctx.state.esv.secrets, id)) throw esvError(400, "Failed to create secret, the secret already exists");
  const body = bodyOf(req, EsvSecretCreate);
  checkEncoding(body.encoding, body.valueBase64, "Failed to create secret");
  const secret: EsvSecretRecord = {
    description: body.description ?? "",
    encoding: body.encoding,
    useInPlaceholders: body.useInPlaceholders,
    lastChangeDate: "",
    lastChangedBy: "",
    versions: [{ version: 1, createDate: nowIso(ctx), status: "ENABLED", valueBase64: body.valueBase64 }],
    loadedVersion: "",
  };
  ctx.state.esv.secrets[id] = secret;
  touch(req, ctx, secret);
  return json(200, secretView(id, secret));
};

const describeSecret: Handler = (req, ctx, { id }) => {
  action(req, "setDescription");
  const secret = secretOf(ctx, id);
  secret.description = bodyOf(req, EsvDescription).description;
  touch(req, ctx, secret);
  return { status: 200 }; // an empty body [REC-SEC-DESC]
};

const deleteSecret: Handler = (_req, ctx, { id }) => {
  const view = secretView(id, secretOf(ctx, id));
  delete ctx.state.esv.secrets[id];
  ctx.save();
  return json(200, view);
};

const listVersions: Handler = (_req, ctx, { id }) => {
  const secret = secretOf(ctx, id);
  return json(200, [...secret.versions].reverse().map((v) => versionView(secret, v)));
};

const readVersion: Handler = (_req, ctx, { id, version }) => {
  const secret = secretOf(ctx, id, NO_VERSION);
  return json(200, versionView(secret, versionOf(secret, version)));
};

/** A new version is ENABLED and becomes the active one [REC-VER-ADD]. */
const createVersion: Handler = (req, ctx, { id }) => {
  action(req, "create");
  const secret = secretOf(ctx, id, "Failed to create secret version");
  const { valueBase64 } = bodyOf(req, EsvVersionCreate);
  checkEncoding(secret.encoding, valueBase64, "Failed to create secret version");
  const version: EsvVersionRecord = { version: latestVersion(secret).version + 1, createDate: nowIso(ctx), status: "ENABLED", valueBase64 };
  secret.versions.push(version);
  touch(req, ctx, secret);
  return json(200, versionView(secret, version));
};

const setVersionStatus: Handler = (req, ctx, { id, version }) => {
  action(req, "changestatus");
  const secret = secretOf(ctx, id);
  const target = versionOf(secret, version);
  const { status } = bodyOf(req, EsvVersionStatusChange);
  if (status === "DISABLED" && target === latestVersion(secret)) throw esvError(400, "Cannot disable latest secret version");
  // [inf] wording: destroying is one-way [PAM-03].
  if (target.status === "DESTROYED") throw esvError(400, "Cannot change the status of a destroyed secret version");
  target.status = status;
  touch(req, ctx, secret);
  return json(200, versionView(secret, target));
};

/** The version stays listed as DESTROYED, its value gone [REC-VER-DEL]; destroying it again answers the same. */
const destroyVersion: Handler = (req, ctx, { id, version }) => {
  const secret = secretOf(ctx, id, NO_VERSION);
  const target = versionOf(secret, version);
  const rule = ESV_UNCONFIRMED.destroyLatestVersion;
  if (target === latestVersion(secret) && !rule.allowed) throw esvError(rule.status, rule.message);
  if (target.status !== "DESTROYED") {
    target.status = "DESTROYED";
    target.valueBase64 = null;
    touch(req, ctx, secret);
  }
  return json(200, versionView(secret, target));
};

// ---------- variables ----------

function variableOf(ctx: EmulatorContext, id: string): EsvVariableRecord {
  checkPathParameter("variableId", id, ESV_ID_PATTERN);
  const variable = own(ctx.state.esv.variables, id);
  if (!variable) throw esvError(404, NO_VARIABLE);
  return variable;
}

/** `resource=2.0` lists leave the values out [OAS]. */
const listVariables: Handler = (req, ctx) =>
  listAnswer(
    req,
    Object.entries(ctx.state.esv.variables).map(([id, v]) => variableView(id, v, resourceMajor(req) !== "2")),
    (view) => variablePending(ctx.state.esv.variables[view._id]),
  );

const readVariable: Handler = (_req, ctx, { id }) => json(200, variableView(id, variableOf(ctx, id), true));

/**
 * An upsert: the type is required on create and fixed afterwards; every write waits for a restart
 * (`loaded:false`). A description left out keeps the current one ("" on create) [inf]. The value is
 * not checked against its type [inf: no recording shows AIC refusing one].
 */
const putVariable: Handler = (req, ctx, { id }) => {
  checkPathParameter("variableId", id, ESV_ID_PATTERN);
  const body = bodyOf(req, EsvVariableWrite);
  const existing = own(ctx.state.esv.variables, id);
  if (!existing && !body.expressionType) {
    throw esvError(400, "Variable type required; expressionType cannot be empty when creating new variables");
  }
  if (existing && body.expressionType && body.expressionType !== existing.expressionType) {
    throw esvError(400, "Changing the type of an existing variable is not permitted");
  }
  checkSize(body.valueBase64);
  const variable: EsvVariableRecord = {
    valueBase64: body.valueBase64,
    expressionType: body.expressionType ?? existing!.expressionType,
    description: body.description ?? existing?.description ?? "",
    lastChangeDate: nowIso(ctx),
    lastChangedBy: changedBy(req, ctx),
    loaded: false,
    change: Number(ctx.nextRev()),
  };
  ctx.state.esv.variables[id] = variable;
  ctx.save();
  return json(200, variableView(id, variable, true));
};

const describeVariable: Handler = (req, ctx, { id }) => {
  action(req, "setDescription");
  const variable = variableOf(ctx, id);
  variable.description = bodyOf(req, EsvDescription).description;
  variable.lastChangeDate = nowIso(ctx);
  variable.lastChangedBy = changedBy(req, ctx);
  if (ESV_UNCONFIRMED.descriptionChangeIsPending) variable.loaded = false;
  ctx.save();
  return { status: 200 };
};

const deleteVariable: Handler = (_req, ctx, { id }) => {
  const view = variableView(id, variableOf(ctx, id), true);
  delete ctx.state.esv.variables[id];
  ctx.save();
  return json(200, view);
};

// ---------- startup and count ----------

const readStartup: Handler = (_req, ctx) => json(200, { restartStatus: restartStatus(ctx) });

/** Answers `restarting` whatever the delay [REC-STARTUP]. */
const restart: Handler = (req, ctx) => {
  action(req, "restart");
  startRestart(ctx);
  return json(200, { restartStatus: "restarting" });
};

/** How many ESVs there are, or with `_onlyPending=true` how many a restart would load [OAS]. */
const count: Handler = (req, ctx) => {
  const { secrets, variables } = ctx.state.esv;
  const onlyPending = req.query.get("_onlyPending") === "true";
  return json(200, {
    secrets: Object.values(secrets).filter((s) => !onlyPending || secretPending(s)).length,
    variables: Object.values(variables).filter((v) => !onlyPending || variablePending(v)).length,
  });
};

export function esvRoutes(): Route[] {
  // Every recorded call sends protocol 1.0, resource 1.0; the console pages with resource 2.0.
  const apiVersion = [API_VERSION.environment, API_VERSION.environmentPaged];
  const route = (method: string, pattern: RegExp, handler: Handler): Route => ({ method, pattern, apiVersion, handler: esv(handler) });
  const SECRET = /^\/environment\/secrets\/(?<id>[^/]+)$/;
  const VERSIONS = /^\/environment\/secrets\/(?<id>[^/]+)\/versions$/;
  const VERSION = /^\/environment\/secrets\/(?<id>[^/]+)\/versions\/(?<version>[^/]+)$/;
  const VARIABLE = /^\/environment\/variables\/(?<id>[^/]+)$/;
  return [
    route("GET", /^\/environment\/secrets$/, listSecrets),
    route("GET", SECRET, readSecret),
    route("PUT", SECRET, createSecret),
    route("POST", SECRET, describeSecret),
    route("DELETE", SECRET, deleteSecret),
    route("GET", VERSIONS, listVersions),
    route("POST", VERSIONS, createVersion),
    route("GET", VERSION, readVersion),
    route("POST", VERSION, setVersionStatus),
    route("DELETE", VERSION, destroyVersion),
    route("GET", /^\/environment\/variables$/, listVariables),
    route("GET", VARIABLE, readVariable),
    route("PUT", VARIABLE, putVariable),
    route("POST", VARIABLE, describeVariable),
    route("DELETE", VARIABLE, deleteVariable),
    route("GET", /^\/environment\/startup$/, readStartup),
    route("POST", /^\/environment\/startup$/, restart),
    route("GET", /^\/environment\/count$/, count),
  ];
}
