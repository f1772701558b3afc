/**
 * The seed of the embedded tenant: realm `alpha` as a fresh AIC tenant has it, a service account,
 * an AM admin, a few users and a group. Credentials are generated once (random passwords, an RS256
 * key pair) and the state is a pure function of them, so a reset rebuilds the same tenant.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { exportJWK, generateKeyPair } from "jose";
import { SERVICE_ACCOUNT_SCOPE } from "../contract/constants";
import type { TenantConnection } from "../contract/connection";
import { PROVIDER_DEFAULTS } from "../contract/am-defaults";
import { makeEdge } from "./idm-model";
import { deepClone } from "./store";
import type { TenantState } from "./types";

export const SEED_REALM = "alpha";

export interface SeedUser {
  _id: string;
  userName: string;
  password: string;
  givenName: string;
  sn: string;
}

export interface SeedCredentials {
  serviceAccount: {
    id: string;
    privateJwk: Record<string, unknown>;
    publicJwk: Record<string, unknown>;
    scope: string;
  };
  amAdmin: { username: string; password: string };
  users: SeedUser[];
  /** AIC group ids equal their names. */
  groups: { _id: string; name: string; description: string; members: string[] }[];
}

const SEED_USERS = [
  { userName: "barbara.jensen", givenName: "Barbara", sn: "Jensen" },
  { userName: "alice.walker", givenName: "Alice", sn: "Walker" },
  { userName: "carl.tanaka", givenName: "Carl", sn: "Tanaka" },
] as const;

function randomPassword(): string {
  // Letters, digits and symbols, so AIC's default password policy would accept it too.
  return `${randomBytes(18).toString("base64url")}-Aa1!`;
}

export async function createSeedCredentials(): Promise<SeedCredentials> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const users = SEED_USERS.map((u) => ({ ...u, _id: randomUUID(), password: randomPassword() }));
  const member = (userName: string) => users.find((u) => u.userName === userName)!._id;
  return {
    serviceAccount: {
      id: randomUUID(),
      privateJwk: { ...(await exportJWK(privateKey)), alg: "RS256" },
      publicJwk: { ...(await exportJWK(publicKey)), alg: "RS256" },
      scope: SERVICE_ACCOUNT_SCOPE,
    },
    amAdmin: { username: "amadmin", password: randomPassword() },
    users,
    groups: [
      {
        _id: "support-agents",
        name: "support-agents",
        description: "Support agents an AI agent may act for",
        members: [member("alice.walker"), member("carl.tanaka")],
      },
    ],
  };
}

/** The tenant as seeded: a pure function of the credentials. */
export function seedState(seed: SeedCredentials): TenantState {
  const state: TenantState = {
    realms: {
      [SEED_REALM]: { provider: deepClone(PROVIDER_DEFAULTS), providerRev: 1, oauth2Clients: {}, aiAgents: {}, esvMappings: {}, scripts: {} },
    },
    managed: {},
    passwords: {},
    serviceAccounts: { [seed.serviceAccount.id]: { publicJwk: seed.serviceAccount.publicJwk, scope: seed.serviceAccount.scope } },
    amAdmins: { [seed.amAdmin.username]: seed.amAdmin.password },
    esv: { secrets: {}, variables: {}, restart: null },
    counter: 1,
  };
  const users: TenantState["managed"][string] = {};
  for (const u of seed.users) {
    users[u._id] = {
      _id: u._id,
      _rev: "1",
      userName: u.userName,
      givenName: u.givenName,
      sn: u.sn,
      mail: `${u.userName}@example.com`,
      accountStatus: "active",
    };
    state.passwords[u._id] = u.password;
  }
  const groups: TenantState["managed"][string] = {};
  for (const g of seed.groups) {
    groups[g._id] = {
      _id: g._id,
      _rev: "1",
      name: g.name,
      description: g.description,
      // Edge ids derived from the seed, so a reset rebuilds exactly the same tenant.
      members: g.members.map((id, i) => makeEdge(`managed/${SEED_REALM}_user`, id, { _id: `${g._id}-member-${i}`, _rev: "0" })),
    };
  }
  state.managed[`${SEED_REALM}_user`] = users;
  state.managed[`${SEED_REALM}_group`] = groups;
  return state;
}

/** What the connection file tells a client: where the tenant is and how to sign in. */
export function connectionOf(seed: SeedCredentials, baseUrl: string): TenantConnection {
  return {
    baseUrl,
    realm: SEED_REALM,
    serviceAccount: { id: seed.serviceAccount.id, jwk: seed.serviceAccount.privateJwk as TenantConnection["serviceAccount"]["jwk"], scope: seed.serviceAccount.scope },
    amAdmin: { ...seed.amAdmin },
    users: seed.users.map((u) => ({ _id: u._id, userName: u.userName, password: u.password })),
    groups: seed.groups.map((g) => ({ _id: g._id, name: g.name, members: [...g.members] })),
  };
}
