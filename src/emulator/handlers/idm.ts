/**
 * IDM's `/openidm/managed/<realm>_<type>` endpoints (reference §5–§7): read with `_fields`,
 * query, create (PUT with `If-None-Match: *`, or POST `?_action=create`), replace, PATCH,
 * DELETE, relationship collections (`/<id>/<field>?_queryFilter=...`) and the recorded schemas.
 */
import { randomUUID } from "node:crypto";
import { IdmPatch } from "../../contract/schemas";
import type { EmulatorContext } from "../context";
import { alreadyExists, badRequest, CrestHttpError, idmNotFound } from "../errors";
import {
  deleteManaged,
  edgesOf,
  isManagedType,
  isRelationshipField,
  parseFields,
  patchManaged,
  viewOf,
  writeManaged,
  type ManagedType,
} from "../idm-model";
import { managedSchema } from "../idm-schema";
import { checkIfMatch, etag, filterItems, json, jsonBody, objectBody, pageOf, queryAnswer, type Route } from "../router";
import { header } from "../sessions";
import { findManaged, managedCollection, realmState, type ManagedRecord } from "../store";
import type { EmulatorRequest, EmulatorResponse } from "../types";

interface Target {
  realm: string;
  type: ManagedType;
  collection: string;
}

/** `alpha_user` → realm `alpha`, type `user`; an unknown object name is a 404. */
function targetOf(ctx: EmulatorContext, params: Record<string, string>): Target {
  const collection = `managed/${params.realm}_${params.type}`;
  if (!realmState(ctx.state, params.realm) || !isManagedType(params.type)) {
    throw new CrestHttpError(404, `Resource '${collection}' not found`);
  }
  return { realm: params.realm, type: params.type, collection };
}

function existing(ctx: EmulatorContext, t: Target, id: string): ManagedRecord {
  const record = findManaged(ctx.state, t.realm, t.type, id);
  if (!record) throw idmNotFound(id, t.collection);
  return record;
}

function objectResponse(ctx: EmulatorContext, req: EmulatorRequest, t: Target, record: ManagedRecord, status: number): EmulatorResponse {
  const headers: Record<string, string> = etag(record._rev);
  if (status === 201) headers.location = `${ctx.baseUrl}/openidm/${t.collection}/${encodeURIComponent(record._id)}`;
  return json(status, viewOf(ctx.state, t.realm, t.type, record, parseFields(req.query.get("_fields"))), headers);
}

/** IDM's query envelope [rec]: no total counts. */
function queryResponse(req: EmulatorRequest, matching: Record<string, unknown>[]): EmulatorResponse {
  return queryAnswer(pageOf(req, matching), { exact: false, remaining: -1 });
}


const MANAGED = "^/openidm/managed/(?<realm>[^/_]+)_(?<type>[^/]+)";

export function idmRoutes(): Route[] {
  const one = new RegExp(`${MANAGED}/(?<id>[^/]+)$`);
  return [
    {
      method: "GET",
      pattern: new RegExp(`${MANAGED}$`),
      handler: (req, ctx, params) => {
        const t = targetOf(ctx, params);
        // Filters see every field, relationships and computed ones included; the answer has what `_fields` asks.
        const all = Object.values(managedCollection(ctx.state, t.realm, t.type));
        const fields = parseFields(req.query.get("_fields"));
        const matching = filterItems(req, all, (o) => viewOf(ctx.state, t.realm, t.type, o, ["*", "*_ref"]));
        return queryResponse(req, matching.map((o) => viewOf(ctx.state, t.realm, t.type, o, fields)));
      },
    },
    {
      method: "POST",
      pattern: new RegExp(`${MANAGED}$`),
      handler: (req, ctx, params) => {
        const t = targetOf(ctx, params);
        const action = req.query.get("_action");
        if (action !== "create") throw badRequest(`Action '${action ?? ""}' is not supported by ${t.collection}`);
        const body = objectBody(req);
        const id = typeof body._id === "string" && body._id !== "" ? body._id : randomUUID();
        if (findManaged(ctx.state, t.realm, t.type, id)) throw alreadyExists(id);
        const { record } = writeManaged(ctx, t.realm, t.type, id, body);
        ctx.save();
        return objectResponse(ctx, req, t, record, 201);
      },
    },
    {
      method: "GET",
      pattern: one,
      handler: (req, ctx, params) => {
        const t = targetOf(ctx, params);
        return objectResponse(ctx, req, t, existing(ctx, t, params.id), 200);
      },
    },
    {
      method: "PUT",
      pattern: one,
      handler: (req, ctx, params) => {
        const t = targetOf(ctx, params);
        const before = findManaged(ctx.state, t.realm, t.type, params.id);
        if (before && header(req, "if-none-match") === "*") throw alreadyExists(params.id);
        checkIfMatch(req, before?._rev);
        const { record, created } = writeManaged(ctx, t.realm, t.type, params.id, objectBody(req));
        ctx.save();
        return objectResponse(ctx, req, t, record, created ? 201 : 200);
      },
    },
    {
      method: "PATCH",
      pattern: one,
      handler: (req, ctx, params) => {
        const t = targetOf(ctx, params);
        checkIfMatch(req, existing(ctx, t, params.id)?._rev);
        const operations = IdmPatch.safeParse(jsonBody(req));
        if (!operations.success) throw badRequest("The patch must be a JSON array of {operation, field, value} objects");
        const record = patchManaged(ctx, t.realm, t.type, params.id, operations.data);
        ctx.save();
        return objectResponse(ctx, req, t, record, 200);
      },
    },
    {
      method: "DELETE",
      pattern: one,
      handler: (req, ctx, params) => {
        const t = targetOf(ctx, params);
        const record = existing(ctx, t, params.id);
        checkIfMatch(req, record?._rev);
        const view = viewOf(ctx.state, t.realm, t.type, record, parseFields(req.query.get("_fields")));
        deleteManaged(ctx, t.realm, t.type, params.id);
        ctx.save();
        return json(200, view, etag(record._rev));
      },
    },
    {
      // A relationship field as a collection [rec]: one entry per edge, with the edge's own
      // `_id`/`_rev`, the ref, and the `_fields` asked of the referenced object.
      method: "GET",
      pattern: new RegExp(`${MANAGED}/(?<id>[^/]+)/(?<field>[^/]+)$`),
      handler: (req, ctx, params) => {
        const t = targetOf(ctx, params);
        const record = existing(ctx, t, params.id);
        if (!isRelationshipField(t.type, params.field)) {
          throw new CrestHttpError(404, `Relationship '${params.field}' not found in ${t.collection}`);
        }
        const edges = edgesOf(ctx.state, t.realm, t.type, record, params.field);
        const fields = parseFields(req.query.get("_fields"));
        const entries = edges.map((edge) => {
          const [, realm, type, id] = /^managed\/([^_/]+)_([^/]+)\/(.+)$/.exec(edge._ref)!;
          const referenced = findManaged(ctx.state, realm, type, id);
          const fieldsOfTarget = referenced && fields ? viewOf(ctx.state, realm, type, referenced, fields) : {};
          return {
            ...fieldsOfTarget,
            _id: edge._refProperties._id,
            _rev: edge._refProperties._rev,
            ...edge,
            _refResourceRev: referenced?._rev,
          };
        });
        return queryResponse(req, filterItems(req, entries, (e) => e));
      },
    },
    {
      method: "GET",
      pattern: /^\/openidm\/schema\/managed\/(?<realm>[^/_]+)_(?<type>[^/]+)$/,
      handler: (_req, ctx, params) => {
        const t = targetOf(ctx, params);
        const schema = managedSchema(t.realm, t.type);
        if (schema === undefined) throw new CrestHttpError(404, `Schema for ${t.collection} not found`);
        return json(200, schema);
      },
    },
  ];
}
