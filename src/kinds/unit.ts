/**
 * What one kind of object is to the rest of the tool: the interface every module of `src/kinds/`
 * implements, after the Terraform provider interface (schema, read, plan, create/update, delete).
 * The sync, plan, reconcile, wording, the unmanaged listing and `export` dispatch through it (`./index.ts`).
 */
import type { z } from "zod";
import type { AdminApi } from "../client/types";
import type { Kind } from "../contract/constants";
import type { JournalEntry } from "../contract/journal";
import type { Identity, Spec } from "../contract/spec";
import type { EngineOptions } from "../engine/apply";
import type { RequestBuilder, TenantSnapshot } from "../engine/batch";
import type { FieldChange } from "../engine/fields";
import type { ObjectResult } from "../engine/result";
import type { Step } from "../engine/sync";
import type { TenantListing } from "../export/read";
import type { Names } from "../export/source";
import type { PlannedObject } from "../plan/schema";

/** What a kind's `afterWrites` may use besides the admin API. */
export interface AfterWritesContext {
  /** Says a line (on stderr, with the apply's result lines). */
  say(line: string): void;
  /** True once the sync must stop (its Terraform is gone): a wait ends at once. */
  aborted(): boolean;
}

/** See `KindUnit.secretWrite`. */
export interface SecretWrite {
  readonly field: string;
  readonly rotation: string;
}

/** A construct prop, as the change lines name a field (`wording.ts`). */
export interface Prop {
  readonly name: string;
  /** AM holds the prop as a one-item list (`clientName`, `descriptions`): shown as the item. */
  readonly single?: boolean;
}

/**
 * Objects the same apply creates before this one is written: a reference to them is not yet
 * resolvable, and ids the tenant assigns on create are not yet known.
 */
export interface Pending {
  /** Stands for an id the tenant assigns on create (plan: `(known after apply)`). */
  readonly placeholder: string;
  /** Whether the same apply creates the object of `kind` with `id`. */
  has(kind: Kind, id: string): boolean;
}

/** What the sync's write of one object may need besides its step. */
export interface WriteContext {
  /** Records an object the write created, so that a failure before the first deletion undoes it. */
  created(identity: Identity): void;
  /** The IDM id of a new object whose id the tool chooses (an AI agent's identity). */
  newUid(): string;
}

/** A privilege's computed references (IDM's virtual fields), as `src/engine/grants-in-use.ts` reads them. */
export interface PrivilegeView {
  readonly _id: string;
  readonly agentOAuth2ClientId?: string | null;
  readonly resourceData?: { ssoEntities?: { oidcId?: string } };
}

/** One object `export` writes: a construct statement of the file, and what other objects read of it. */
export interface ExportedObject<P = unknown> {
  readonly kind: Kind;
  /** Its id as the kind's specs name it (a client id; a grant's `<agent>/<application>`). */
  readonly id: string;
  /** The construct id it asks for; the file suffixes `2`, `3`, … on a clash (objects in file order). */
  readonly constructId: string;
  /** The variable the file holds it in, when other constructs refer to it (from `ExportContext.variables`). */
  readonly variable?: string;
  /** The env var its `Secret.fromEnv` reads (from `ExportContext.secretEnvs`), listed in the file's header. */
  readonly secretEnv?: string;
  /** The grant types (friendly names) it uses: the exported provider grants turn them on. */
  readonly grantTypes?: readonly string[];
  /** A public client (SPA, native app): the exported provider grants keep the realm's PKCE requirement, which the constructs need. */
  readonly publicClient?: true;
  /** Names of the library its statement uses besides its construct (`Secret`, `PublicKeys`): the file imports them. */
  readonly imports?: readonly string[];
  /** Its fields no construct can say, as `field = value` lines: commented above it and said on stderr. */
  readonly unexpressed: readonly string[];
  /** What the kind's `render` writes. */
  readonly props: P;
}

/** What a kind's export reads besides the listing: the options, the file's shared names, what is exported already. */
export interface ExportContext {
  /** The realm as the stack names it (the ids a stack derives, a script's, depend on it). */
  readonly realm: string;
  /** `--client-ids`: only these client ids and the objects between them; undefined: everything. */
  readonly clientIds: readonly string[] | undefined;
  /** Whether `--client-ids` leaves an id in (always without it). */
  wanted(id: string): boolean;
  /** The file's variable names (TypeScript's reserved words and the file's own names are taken). */
  readonly variables: Names;
  /** Names of secret env vars, before their `_SECRET` suffix. */
  readonly secretEnvs: Names;
  /** An exported object of a kind exported before this one (the kinds it depends on are). */
  exported(kind: Kind, id: string): ExportedObject | undefined;
  /** Every object exported before this kind: all the others' for a realm-wide kind. */
  readonly objects: readonly ExportedObject[];
  /** Records an object of the listing that the file leaves out: what the tenant calls it (`oauth2-client`), its id, why. */
  skip(what: string, id: string, reason: string): void;
}

/**
 * How `export` writes a kind. Kinds are exported in the apply order (what an object refers to is
 * exported before it), a kind with `after` after those kinds, and realm-wide kinds last, since what
 * a stack ensures in the realm follows from what it exports; the file's sections follow the same
 * order (realm-wide kinds in their apply place).
 */
export interface KindExport<P = unknown> {
  /** The construct class it writes (the file imports it when it writes one). */
  readonly construct: string;
  /** What the header and stderr call one object ("web app": "2 web app(s)"); none: not counted. */
  readonly label?: string;
  /** Counted only when the file writes one (kinds that most realms do not use). */
  readonly countedWhenAny?: true;
  /**
   * Kinds whose exported objects its statements name by variable although it does not depend on
   * them (a `MayActRule` names its agent and the clients running its script): it is exported, and
   * written in the file, after them.
   */
  readonly after?: readonly Kind[];
  /** Constructs a statement uses besides `construct` (the file imports them too). */
  imports?(object: ExportedObject<P>): readonly string[];
  /** The objects of the kind in the listing that the file writes, in a stable order, names taken from `context`; the others `context.skip`ped. */
  objects(listing: TenantListing, context: ExportContext): ExportedObject<P>[];
  /** The construct statement of an object, under its allocated construct id (its unexpressed comment goes above it). */
  render(object: ExportedObject<P>, constructId: string): string[];
}

/** What plan says of an object that left the code (`planRemoved` in `src/plan/diff.ts`). */
export type PlannedRemoval = Pick<PlannedObject, "action" | "changes" | "notes">;

/**
 * One kind. `S` is its spec; methods take specs and identities of this kind only (the registry
 * dispatches by `kind`). Method syntax on purpose: a `KindUnit<SpecOf<K>>` is a `KindUnit`.
 */
export interface KindUnit<S extends Spec = Spec> {
  readonly kind: S["kind"];
  /** Its member of the `Spec` union (`src/contract/spec.ts`). */
  readonly schema: z.ZodType<S>;
  /**
   * Kinds this one refers to or needs in place first: they are written before it (in an earlier
   * stage of the sync) and deleted after it. The registry derives the apply and delete orders.
   */
  readonly dependsOn: readonly Kind[];
  /**
   * One object per realm that every stack may declare (its fields are ensured, never owned): never
   * adopted, recognized or refused as another stack's, and its no-change notes are not printed.
   */
  readonly realmWide: boolean;
  /**
   * Every id of its objects is known at synth (the tenant assigns none on create): what refers to
   * one needs no second read after this sync created it.
   */
  readonly idsKnownAtSynth?: boolean;
  /** Per AM/IDM field path (as `FieldChange.field` names it), the construct prop that sets it. */
  readonly props: Readonly<Record<string, Prop>>;
  /** List fields ensured present rather than owned: plan shows only what an update adds. */
  readonly ensuredFields?: readonly string[];
  /** Said in plan when the object is created or changed. */
  readonly changeNote?: string;
  /**
   * How its secret write shows: the field of plan's `sensitive` and `rotate` changes, and what a
   * version bump gives it (plan's `will get …`). Undefined: a client's secret (`SECRET_FIELD`, "a new secret").
   */
  readonly secretWrite?: SecretWrite;
  /** A client whose secret the stack writes: its AM client in a snapshot (how the secret is proved, `ownership.ts`). */
  readonly secret?: { liveClient(s: TenantSnapshot, id: string): Record<string, unknown> | undefined };
  /** How an agent privilege refers to an object of this kind: the CREST field to query, its value in a privilege. */
  readonly grantedBy?: { readonly field: string; of(p: PrivilegeView): string | null | undefined };

  /**
   * Run once after the writes, with the objects of this kind the sync wrote (kinds that share the
   * function share one run, with all of theirs): ESVs say what waits for a tenant restart, or
   * restart it (`src/engine/esv-restart.ts`). The results returned fail the apply.
   */
  afterWrites?(api: AdminApi, written: readonly Spec[], context: AfterWritesContext): Promise<readonly ObjectResult[]>;

  /** Adds to a batch request what reading `spec` needs: the object and everything it refers to. */
  readsFor(r: RequestBuilder, spec: S): void;
  /** Adds what reading an object that left the code needs (only its identity is known). */
  readsForRemoved(r: RequestBuilder, identity: Identity): void;
  /** Whether any part of the object an identity names is in the snapshot. */
  exists(identity: Identity, s: TenantSnapshot): boolean;
  /** Whether the object's primary record is in the snapshot: without it a write creates the object. */
  present(spec: S, s: TenantSnapshot): boolean;
  /** What plan says of the sync's write of the object besides its changes (an ESV: its new version, the restart it waits for). */
  planNotes?(spec: S, step: Step): string[];
  /** The pure diff of the owned fields, live → spec; throws the engine's error on an unknown reference. */
  diff(spec: S, s: TenantSnapshot, pending: Pending): FieldChange[];
  /** Preconditions beyond the diff's, checked before any write (throws an `EngineError`). */
  check?(spec: S, previous: JournalEntry | undefined, s: TenantSnapshot): void;
  /** The objects of other kinds that an object of this kind names, from its id (a grant: its agent and application). */
  references?(id: string): readonly (readonly [Kind, string])[];
  /** Whether an object the journal does not list is the stack's own by what it refers to (`ours`). */
  recognizes?(spec: S, s: TenantSnapshot, ours: (kind: Kind, id: string) => boolean): boolean;
  /** The sync's write of a prepared step against the snapshot it was prepared from. */
  write(api: AdminApi, step: Step & { readonly spec: S }, s: TenantSnapshot, context: WriteContext): Promise<ObjectResult>;
  /** Reads the object (one GET each) and creates or updates it in place (`reconcile`). */
  apply(api: AdminApi, spec: S, options: EngineOptions): Promise<ObjectResult>;
  /** Deletes the object an identity names; one already gone is fine. */
  delete(api: AdminApi, identity: Identity): Promise<ObjectResult>;
  /**
   * What plan says of the object once it left the code, when it is not simply deleted if it exists;
   * `deleting`: the client ids this apply deletes before it (they no longer count as users of anything).
   */
  planRemoval?(identity: Identity, s: TenantSnapshot, deleting: ReadonlySet<string>): PlannedRemoval;
  /** Ids of every object of this kind in a realm's listing (the unmanaged ones are those no stack names). */
  listed?(listing: TenantListing): string[];
  /** How `export` writes objects of this kind; a kind without it is not exported. */
  readonly export?: KindExport;
}
