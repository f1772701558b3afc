/**
 * What the client kinds (the applications, the AI agent) share: the props of an AM OAuth2 client,
 * the sync's write of a client and its IDM side, and the delete of an application.
 */
import type { AdminApi } from "../client/types";
import type { Identity, SpecOf } from "../contract/spec";
import type { ClientKind } from "../contract/constants";
import { result, writeAmClient, writeIdm, type ClientWriter } from "../engine/apply";
import { findApplication } from "../engine/live";
import { SECRET_CHANGE, type AmClientPlan, type IdmPlan } from "../engine/owned";
import type { Action, ObjectResult } from "../engine/result";
import type { Step } from "../engine/sync";
import type { Prop, WriteContext } from "./unit";

/** Props every client construct has, by AM field path. */
export const CLIENT_PROPS: Readonly<Record<string, Prop>> = {
  "coreOAuth2ClientConfig.scopes": { name: "scopes" },
  "advancedOAuth2ClientConfig.grantTypes": { name: "grantTypes" },
  "advancedOAuth2ClientConfig.tokenEndpointAuthMethod": { name: "tokenEndpointAuthMethod" },
  "coreOAuth2ClientConfig.userpassword": { name: "secret" },
};

/** Props of the clients a `MayActRule` is wired on (web apps, agents): its script, by AM field path. */
export const MAY_ACT_PROPS: Readonly<Record<string, Prop>> = {
  "overrideOAuth2ClientConfig.accessTokenMayActScript": { name: "mayAct" },
  "overrideOAuth2ClientConfig.oidcMayActScript": { name: "mayAct" },
};

/** A client's sync write: its plans and how its AM client is written. */
export interface ClientWrite {
  readonly client: AmClientPlan;
  readonly idm: IdmPlan;
  readonly put: ClientWriter;
}

/**
 * The AM client (with the step's secret, when one is to be written), then its IDM side; a create
 * whose IDM side fails is undone at once (`remove`), so that no half-made client is left.
 */
export async function writeClient(
  api: AdminApi,
  step: Step & { readonly spec: SpecOf<ClientKind> },
  { client, idm, put }: ClientWrite,
  context: WriteContext,
  remove: (api: AdminApi, identity: Identity) => Promise<unknown>,
): Promise<ObjectResult> {
  const { spec } = step;
  const creating = client.write === "create";
  const identity: Identity = { kind: spec.kind, tenant: spec.tenant, id: spec.id };
  const wroteClient = await writeAmClient(put, spec.id, client, step.secret);
  let wroteIdm: boolean;
  try {
    wroteIdm = await writeIdm(api, idm);
  } catch (e) {
    if (creating || idm.write === "create") await remove(api, identity).catch(() => undefined);
    throw e;
  }
  if (creating || idm.write === "create") context.created(identity);
  // A create's plan already names the secret; a rotation adds it once.
  const changes = [...client.changes, ...(step.secret && !creating ? [SECRET_CHANGE] : []), ...idm.changes];
  const action: Action = creating ? "created" : step.adopting ? "adopted" : wroteClient || wroteIdm ? "updated" : "unchanged";
  return result(spec.kind, spec.id, action, changes);
}

/** Deletes an application: its IDM record first (it names the client), then its AM client; one already gone is fine. */
export async function deleteApplication(api: AdminApi, { kind, id }: Identity): Promise<ObjectResult> {
  const application = await findApplication(api, id);
  const appDeleted = application ? await api.deleteManaged("application", application._id) : false;
  const clientDeleted = await api.deleteOAuth2Client(id);
  const notes = [...(appDeleted ? [] : ["application record already gone"]), ...(clientDeleted ? [] : ["OAuth2 client already gone"])];
  return result(kind, id, appDeleted || clientDeleted ? "deleted" : "absent", [], notes);
}
