/**
 * Realm configuration that clients which export or inspect a realm list (frodo's cloud commands
 * do), answered as AM answers a realm that holds only what the embedded tenant runs:
 *  - `realm-config/authentication/authenticationtrees/trees`: the default `Login` tree the
 *    authenticate endpoint runs (journeys.ts), one page with the platform username and password
 *    collectors, then a data store decision [inf: the shape of AIC's default tree, node ids fixed].
 * The API version is the one frodo sends [rec: frodo's client]; the realm's scripts are am-scripts.ts.
 */
import { filterItems, json, pageOf, queryAnswer, type Route } from "../router";
import { notFound } from "../errors";
import { realmState } from "../store";
import { DEFAULT_TREE } from "../journeys";
import type { EmulatorContext } from "../context";

const REALM = "^/am/json/realms/root/realms/(?<realm>[^/]+)";
const TREES = `${REALM}/realm-config/authentication/authenticationtrees/trees`;

/** AM's fixed ids of a tree's success and failure nodes. */
const SUCCESS_NODE = "70e691a5-1e33-4ac3-a356-e7b6d60d92e0";
const FAILURE_NODE = "e301438c-0bd0-429c-ab0c-66126501069a";
const PAGE_NODE = "a12bc72f-ad97-4f1e-a789-a1fa3dd566c8";
const DECISION_NODE = "2998c1c9-f4c8-4a00-b2c6-3426783ee49d";

function loginTree(realm: string) {
  return {
    _id: DEFAULT_TREE,
    _rev: "1",
    identityResource: `managed/${realm}_user`,
    uiConfig: {},
    entryNodeId: PAGE_NODE,
    innerTreeOnly: false,
    nodes: {
      [PAGE_NODE]: { connections: { outcome: DECISION_NODE }, displayName: "Page Node", nodeType: "PageNode", x: 136, y: 59 },
      [DECISION_NODE]: {
        connections: { false: FAILURE_NODE, true: SUCCESS_NODE },
        displayName: "Data Store Decision",
        nodeType: "DataStoreDecisionNode",
        x: 315,
        y: 140,
      },
    },
    staticNodes: { startNode: { x: 20, y: 20 }, [SUCCESS_NODE]: { x: 550, y: 90 }, [FAILURE_NODE]: { x: 550, y: 190 } },
    enabled: true,
  };
}

function realmName(ctx: EmulatorContext, params: Record<string, string>): string {
  if (!realmState(ctx.state, params.realm)) throw notFound();
  return params.realm;
}

/** AM's trees query does not count (`NONE`, -1) [inf, as IDM's and AM's group queries]. */
const UNCOUNTED = { exact: false, remaining: -1 };

export function amRealmConfigRoutes(): Route[] {
  return [
    {
      method: "GET",
      pattern: new RegExp(`${TREES}$`),
      apiVersion: "protocol=2.1,resource=1.0",
      handler: (req, ctx, params) => {
        const trees = [loginTree(realmName(ctx, params))];
        return queryAnswer(pageOf(req, filterItems(req, trees, (t) => t)), UNCOUNTED);
      },
    },
    {
      method: "GET",
      pattern: new RegExp(`${TREES}/(?<id>[^/]+)$`),
      apiVersion: "protocol=2.1,resource=1.0",
      handler: (_req, ctx, params) => {
        const realm = realmName(ctx, params);
        if (params.id !== DEFAULT_TREE) throw notFound();
        return json(200, loginTree(realm));
      },
    },
  ];
}
