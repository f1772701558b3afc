/**
 * AM's view of the realm's groups `/am/json/realms/root/realms/<realm>/groups` [rec:
 * user-groups-read.json]. AIC keeps groups in IDM; AM shows the same objects as LDAP-style
 * entries, so this view is derived from `managed/<realm>_group` and never stored.
 */
import type { EmulatorContext } from "../context";
import { notFound } from "../errors";
import { edgesOf } from "../idm-model";
import { etag, filterItems, json, pageOf, queryAnswer, type Route } from "../router";
import { findManaged, managedCollection, realmState, type ManagedRecord } from "../store";

const API_VERSION = "protocol=2.0,resource=4.0";

/** The delegated-administration privileges AM lists on a group read [rec]; none are granted. */
const PRIVILEGES = Object.fromEntries(
  [
    "EntitlementRestAccess", "ApplicationReadAccess", "ResourceTypeReadAccess", "PrivilegeRestReadAccess",
    "SubjectAttributesReadAccess", "ApplicationTypesReadAccess", "PolicyAdmin", "AgentAdmin", "SubjectTypesReadAccess",
    "LogRead", "CacheAdmin", "ConditionTypesReadAccess", "SessionPropertyModifyAccess", "LogWrite", "FederationAdmin",
    "PrivilegeRestAccess", "LogAdmin", "RealmReadAccess", "RealmAdmin", "ApplicationModifyAccess",
    "ResourceTypeModifyAccess", "DecisionCombinersReadAccess",
  ].map((p) => [p, false]),
);

function entry(ctx: EmulatorContext, realm: string, group: ManagedRecord) {
  const name = String(group.name ?? group._id);
  const members = edgesOf(ctx.state, realm, "group", group, "members").map((e) => e._refResourceId);
  return {
    common: {
      _id: group._id,
      realm: `/${realm}`,
      username: group._id,
      universalid: [`id=${group._id},ou=group,o=${realm},ou=services,ou=am-config`],
      dn: [`cn=${name},ou=groups,o=${realm},o=root,ou=identities`],
      cn: [name],
      objectclass: ["top", "groupofuniquenames"],
    },
    members,
  };
}

const GROUPS = "^/am/json/realms/root/realms/(?<realm>[^/]+)/groups";

export function amGroupRoutes(): Route[] {
  return [
    {
      method: "GET",
      pattern: new RegExp(`${GROUPS}$`),
      apiVersion: API_VERSION,
      handler: (req, ctx, params) => {
        if (!realmState(ctx.state, params.realm)) throw notFound();
        const views = Object.values(managedCollection(ctx.state, params.realm, "group")).map((g) => {
          const { common, members } = entry(ctx, params.realm, g);
          const uniqueMember = members.map((id) => `fr-idm-uuid=${id},ou=user,o=${params.realm},o=root,ou=identities`);
          // AM gives no revision in a group query [rec: "-1"].
          return { ...common, _rev: "-1", uniqueMember };
        });
        const page = pageOf(req, filterItems(req, views, (v) => v));
        return queryAnswer(page, { exact: false, remaining: 0 });
      },
    },
    {
      method: "GET",
      pattern: new RegExp(`${GROUPS}/(?<id>[^/]+)$`),
      apiVersion: API_VERSION,
      handler: (_req, ctx, params) => {
        if (!realmState(ctx.state, params.realm)) throw notFound();
        const group = findManaged(ctx.state, params.realm, "group", params.id);
        if (!group) throw notFound();
        const { common, members } = entry(ctx, params.realm, group);
        return json(200, { ...common, _rev: group._rev, members: { uniqueMember: members }, privileges: PRIVILEGES }, etag(group._rev));
      },
    },
  ];
}
