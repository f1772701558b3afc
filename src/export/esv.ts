/**
 * How `export` writes the tenant's secret store: environment secrets (never a value: the file names
 * a variable to create one anew), environment variables (their values are in code: variables hold no
 * secrets) and the realm's mappings of secret labels to ESV secrets. A client's own mapping is
 * written by its construct (`Secret.fromEsv`); the others become `SecretMapping`s.
 */
import { clientSecretLabel, ESV_EXPRESSION_TYPES } from "../contract/esv";
import type { EsvSecret, EsvVariable, SecretStoreMapping } from "../contract/schemas";
import type { ExportContext, ExportedObject, KindExport } from "../kinds/unit";
import type { ClientProps } from "./client";
import { byString, camelName, props, q, upperSnake, type Entry } from "./source";

export interface EsvSecretProps {
  readonly description: string;
  readonly encoding: EsvSecret["encoding"];
  readonly useInPlaceholders: boolean;
}

export interface EsvVariableProps {
  readonly description: string;
  readonly expressionType: EsvVariable["expressionType"];
  readonly value: string;
}

export interface SecretMappingProps {
  readonly esv: string;
  /** The file's variable of the ESV secret, when it exports it. */
  readonly esvVariable?: string;
}

/** ESV secrets the exported clients' mappings read: with `--client-ids`, the only ones exported. */
function esvsOfWantedClients(mappings: readonly SecretStoreMapping[], context: ExportContext, clients: Iterable<[string, Record<string, unknown>]>): Set<string> {
  const out = new Set<string>();
  for (const [id, item] of clients) {
    if (!context.wanted(id)) continue;
    const identifier = (item.coreOAuth2ClientConfig as { secretLabelIdentifier?: unknown } | undefined)?.secretLabelIdentifier;
    const mapping = typeof identifier === "string" ? mappings.find((m) => m._id === clientSecretLabel(identifier)) : undefined;
    for (const esv of mapping?.aliases ?? []) out.add(esv);
  }
  return out;
}

const common = (id: string, description: string): Entry[] => [["esvId", q(id)], description ? ["description", q(description)] : undefined];

export const esvSecretExport: KindExport<EsvSecretProps> = {
  construct: "EnvironmentSecret",
  label: "ESV secret",
  countedWhenAny: true,
  objects(listing, context) {
    const wanted = context.clientIds === undefined ? undefined : esvsOfWantedClients(listing.secretMappings, context, [...listing.clients, ...listing.agents]);
    return [...listing.esvSecrets]
      .filter((e) => wanted === undefined || wanted.has(e._id))
      .sort((a, b) => byString(a._id, b._id))
      .map((e) => ({
        kind: "esv-secret",
        id: e._id,
        constructId: e._id,
        variable: context.variables.take(camelName(e._id)),
        secretEnv: `${context.secretEnvs.take(upperSnake(e._id))}_SECRET`,
        unexpressed: [],
        props: { description: e.description, encoding: e.encoding, useInPlaceholders: e.useInPlaceholders },
      }));
  },
  render(o, constructId) {
    const p = o.props;
    return [
      `const ${o.variable} = new EnvironmentSecret(stack, ${q(constructId)}, {`,
      ...props(
        [
          ...common(o.id, p.description),
          ["value", `Secret.fromEnv(${q(o.secretEnv!)})`],
          p.encoding !== "generic" ? ["encoding", q(p.encoding)] : undefined,
          p.useInPlaceholders ? undefined : ["useInPlaceholders", "false"],
          ["adopt", "true"],
        ],
        "  ",
      ),
      "});",
    ];
  },
};

/** A variable's text from its `valueBase64` (a list read without values has none). */
const variableText = (v: EsvVariable): string | undefined => (v.valueBase64 === undefined ? undefined : Buffer.from(v.valueBase64, "base64").toString("utf8"));

export const esvVariableExport: KindExport<EsvVariableProps> = {
  construct: "EnvironmentVariable",
  label: "ESV variable",
  countedWhenAny: true,
  objects(listing, context) {
    // Variables belong to no client: `--client-ids` leaves them out.
    if (context.clientIds !== undefined) return [];
    return [...listing.esvVariables]
      .sort((a, b) => byString(a._id, b._id))
      .flatMap((v): ExportedObject<EsvVariableProps>[] => {
        const value = variableText(v);
        if (value === undefined || !(ESV_EXPRESSION_TYPES as readonly string[]).includes(v.expressionType)) {
          context.skip("esv-variable", v._id, value === undefined ? "the tenant returned no value" : `expression type "${v.expressionType}" is not one the constructs take`);
          return [];
        }
        return [{ kind: "esv-variable", id: v._id, constructId: v._id, unexpressed: [], props: { description: v.description, expressionType: v.expressionType, value } }];
      });
  },
  render(o, constructId) {
    const p = o.props;
    return [
      `new EnvironmentVariable(stack, ${q(constructId)}, {`,
      ...props([...common(o.id, p.description), ["value", q(p.value)], p.expressionType !== "string" ? ["expressionType", q(p.expressionType)] : undefined, ["adopt", "true"]], "  "),
      "});",
    ];
  },
};

/** The mapping labels that exported clients declare themselves (`Secret.fromEsv`). */
function labelsOfClients(objects: readonly ExportedObject[]): Set<string> {
  return new Set(
    objects.flatMap((o) => {
      const store = (o.props as Partial<ClientProps>).storeSecret;
      return store ? [clientSecretLabel(store.identifier)] : [];
    }),
  );
}

export const secretMappingExport: KindExport<SecretMappingProps> = {
  construct: "SecretMapping",
  label: "secret mapping",
  countedWhenAny: true,
  objects(listing, context) {
    const ofClients = labelsOfClients(context.objects);
    return [...listing.secretMappings]
      .sort((a, b) => byString(a._id, b._id))
      .flatMap((m): ExportedObject<SecretMappingProps>[] => {
        if (ofClients.has(m._id)) return []; // written by its client's construct
        if (context.clientIds !== undefined) return [];
        if (m.aliases.length !== 1) {
          context.skip("secret-mapping", m._id, `${m.aliases.length} aliases: a mapping of the ESV store reads exactly one ESV secret`);
          return [];
        }
        const esv = m.aliases[0];
        const esvVariable = context.exported("esv-secret", esv)?.variable;
        return [{ kind: "secret-mapping", id: m._id, constructId: m._id, unexpressed: [], props: { esv, ...(esvVariable ? { esvVariable } : {}) } }];
      });
  },
  render(o, constructId) {
    return [`new SecretMapping(stack, ${q(constructId)}, {`, ...props([["label", q(o.id)], ["secret", o.props.esvVariable ?? q(o.props.esv)], ["adopt", "true"]], "  "), "});"];
  },
};
