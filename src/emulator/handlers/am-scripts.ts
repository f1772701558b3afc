/**
 * AM's scripts API `/am/json/realms/root/realms/<realm>/scripts` (reference
 * ai-agent-delegation.md §10): query with `_queryFilter` (items without `_rev`), read, create by
 * `PUT` or `POST ?_action=create`, full-replace update (answered 201, as recorded), delete
 * (answered with the id only). The source is stored base64-encoded, as AM stores and returns it;
 * the context decides `evaluatorVersion` whatever the body says.
 */
import { randomUUID } from "node:crypto";
import { API_VERSION } from "../../contract/endpoints";
import { evaluatorVersionOf, SCRIPT_CONTEXTS, SCRIPT_LANGUAGES } from "../../contract/scripts";
import type { EmulatorContext } from "../context";
import { badRequest, notFound } from "../errors";
import { etag, filterItems, json, objectBody, pageOf, queryAnswer, type Route } from "../router";
import { realmState } from "../store";
import type { EmulatorRequest, RealmState } from "../types";

type Json = Record<string, unknown>;

/** Who AM records as the author of a change made with an admin token [rec shape; the id is the emulator's]. */
const AUTHOR = "id=cdktf-aic-emulator,ou=user,ou=am-config";

function scriptsOf(ctx: EmulatorContext, params: Record<string, string>): NonNullable<RealmState["scripts"]> {
  const realm = realmState(ctx.state, params.realm);
  if (!realm) throw notFound();
  realm.scripts ??= {};
  return realm.scripts;
}

const isBase64 = (s: string) => s.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(s);

/** Checks a written script; what AM would refuse is a 400 naming the field [inf: AM's wording is unrecorded]. */
function validated(body: Json): Json {
  const { name, script, language, context, description } = body;
  if (typeof name !== "string" || name.trim() === "") throw badRequest("A script needs a name");
  if (typeof script !== "string" || !isBase64(script)) throw badRequest("script must be the source, base64-encoded");
  if (!SCRIPT_LANGUAGES.includes(language as (typeof SCRIPT_LANGUAGES)[number])) {
    throw badRequest(`Invalid script language '${String(language)}': one of ${SCRIPT_LANGUAGES.join(", ")}`);
  }
  if (!(Object.values(SCRIPT_CONTEXTS) as string[]).includes(context as string)) {
    throw badRequest(`Invalid script context '${String(context)}'`);
  }
  return {
    name,
    description: typeof description === "string" ? description : null,
    script,
    default: false,
    language,
    context,
    evaluatorVersion: evaluatorVersionOf(context as string),
  };
}

function write(req: EmulatorRequest, ctx: EmulatorContext, params: Record<string, string>, id: string) {
  const scripts = scriptsOf(ctx, params);
  const previous = Object.hasOwn(scripts, id) ? scripts[id].body : undefined;
  const now = ctx.now();
  const body = {
    _id: id,
    ...validated(objectBody(req)),
    createdBy: previous?.createdBy ?? AUTHOR,
    creationDate: previous?.creationDate ?? now,
    lastModifiedBy: AUTHOR,
    lastModifiedDate: now,
  };
  const rev = Number(ctx.nextRev());
  scripts[id] = { body, rev };
  ctx.save();
  // Create and replace both answer 201 [rec: REC-SCRIPT-PUT, REC-SCRIPT-UPD].
  const location = `${ctx.baseUrl}/am/json/realms/root/realms/${encodeURIComponent(params.realm)}/scripts/${encodeURIComponent(id)}`;
  return json(201, { ...body, _rev: String(rev) }, { ...etag(String(rev)), location });
}

const SCRIPTS = "^/am/json/realms/root/realms/(?<realm>[^/]+)/scripts";

export function amScriptRoutes(): Route[] {
  const one = new RegExp(`${SCRIPTS}/(?<id>[^/]+)$`);
  const all = new RegExp(`${SCRIPTS}$`);
  const apiVersion = API_VERSION.script;
  return [
    {
      method: "GET",
      pattern: all,
      apiVersion,
      handler: (req, ctx, params) => {
        const items = Object.values(scriptsOf(ctx, params)).map((r) => r.body);
        const page = pageOf(req, filterItems(req, items, (item) => item));
        return queryAnswer(page, { exact: true, remaining: -1 }); // [inf] counts as AM's agent lists
      },
    },
    {
      method: "POST",
      pattern: all,
      apiVersion,
      handler: (req, ctx, params) => {
        const action = req.query.get("_action");
        if (action !== "create") throw badRequest(`Action '${action ?? ""}' is not supported by this resource`);
        return write(req, ctx, params, randomUUID());
      },
    },
    {
      method: "GET",
      pattern: one,
      apiVersion,
      handler: (_req, ctx, params) => {
        const scripts = scriptsOf(ctx, params);
        if (!Object.hasOwn(scripts, params.id)) throw notFound();
        const record = scripts[params.id];
        return json(200, { ...record.body, _rev: String(record.rev) }, etag(String(record.rev)));
      },
    },
    { method: "PUT", pattern: one, apiVersion, handler: (req, ctx, params) => write(req, ctx, params, params.id) },
    {
      method: "DELETE",
      pattern: one,
      apiVersion,
      handler: (_req, ctx, params) => {
        const scripts = scriptsOf(ctx, params);
        if (!Object.hasOwn(scripts, params.id)) throw notFound();
        delete scripts[params.id];
        ctx.save();
        return json(200, { _id: params.id });
      },
    },
  ];
}
