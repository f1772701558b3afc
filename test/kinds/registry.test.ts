import * as library from "../../constructs";
import { KINDS } from "../../src/contract/constants";
import { Spec } from "../../src/contract/spec";
import { APPLY_ORDER, APPLY_STAGES, DELETE_ORDER, KIND_UNITS, unitOf } from "../../src/kinds";
import { UNMANAGED_KINDS } from "../../src/plan/schema";

describe("KIND_UNITS", () => {
  it("has a unit for every kind, under its own name", () => {
    expect(Object.keys(KIND_UNITS).sort()).toEqual([...KINDS].sort());
    for (const kind of KINDS) expect(unitOf(kind).kind).toBe(kind);
  });

  it("gives every unit its kind's member of the Spec union as its schema", () => {
    for (const member of Spec.options) {
      const kind = member.shape.kind.value;
      expect(unitOf(kind).schema).toBe(member);
    }
  });

  it("says which kinds carry a client secret exactly where their spec has one, save the environment secret (its value is never read back)", () => {
    for (const member of Spec.options) {
      const kind = member.shape.kind.value;
      expect(unitOf(kind).secret !== undefined).toBe("secret" in member.shape && kind !== "esv-secret");
    }
  });

  it("lists for the unmanaged report exactly the kinds the plan schema names", () => {
    expect(KINDS.filter((kind) => unitOf(kind).listed !== undefined)).toEqual([...UNMANAGED_KINDS]);
  });

  it("exports each kind it can as a construct class the library exports, the one the exported file imports", () => {
    const exported = KINDS.flatMap((kind) => (unitOf(kind).export ? [[kind, unitOf(kind).export!.construct] as const] : []));
    expect(exported.map(([kind]) => kind)).toEqual(expect.arrayContaining(["oauth2-provider-grants", "web-app", "ai-agent", "agent-grant"]));
    for (const [, construct] of exported) expect(typeof (library as Record<string, unknown>)[construct]).toBe("function");
  });
});

describe("apply and delete order", () => {
  it("writes every kind after the kinds it depends on, in an earlier stage", () => {
    const stageOf = (kind: string) => APPLY_STAGES.findIndex((stage) => stage.includes(kind as never));
    for (const kind of KINDS) for (const dependency of unitOf(kind).dependsOn) expect(stageOf(dependency)).toBeLessThan(stageOf(kind));
  });

  it("deletes in the reverse of the apply order, dependents first", () => {
    expect(DELETE_ORDER).toEqual([...APPLY_ORDER].reverse());
    for (const kind of KINDS) for (const dependency of unitOf(kind).dependsOn) expect(DELETE_ORDER.indexOf(kind)).toBeLessThan(DELETE_ORDER.indexOf(dependency));
  });

  it("is the order the sync has always used: grants, agents, applications, then the scripts they ran and the provider's grant types; ESVs depend on nothing; secret mappings come after their ESV and clients", () => {
    expect(DELETE_ORDER).toEqual(["secret-mapping", "agent-grant", "ai-agent", "service-app", "native-app", "spa", "web-app", "esv-variable", "esv-secret", "script", "oauth2-provider-grants"]);
    expect(APPLY_STAGES).toEqual([["oauth2-provider-grants", "script", "esv-secret", "esv-variable"], ["web-app", "spa", "native-app", "service-app", "ai-agent"], ["agent-grant", "secret-mapping"]]);
  });

  it("holds every kind exactly once", () => {
    expect([...APPLY_ORDER].sort()).toEqual([...KINDS].sort());
  });
});
