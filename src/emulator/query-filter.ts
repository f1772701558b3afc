/**
 * CREST `_queryFilter`: a parser and an evaluator, pure functions over plain JSON.
 *
 * Grammar (the subset AM and IDM clients use):
 *   expr       := and ("or" and)*
 *   and        := unary ("and" unary)*
 *   unary      := "!" unary | "(" expr ")" | "true" | "false" | pointer "pr" | pointer op value
 *   op         := eq | co | sw | gt | ge | lt | le
 *   value      := "string" | 'string' | number | true | false | null
 *   pointer    := /a/b | a/b | a
 * A pointer that crosses an array looks into every element, so `eq` on a multi-valued field is true
 * when any value matches, as in IDM.
 */

export type Operator = "eq" | "co" | "sw" | "gt" | "ge" | "lt" | "le";
export type Literal = string | number | boolean | null;

export type Filter =
  | { type: "literal"; value: boolean }
  | { type: "and" | "or"; filters: Filter[] }
  | { type: "not"; filter: Filter }
  | { type: "present"; path: string[] }
  | { type: "compare"; op: Operator; path: string[]; value: Literal };

export class FilterSyntaxError extends Error {}

const OPERATORS = new Set<string>(["eq", "co", "sw", "gt", "ge", "lt", "le"]);

type Token = { kind: "word" | "string" | "punct"; text: string };

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "(" || c === ")" || c === "!") {
      tokens.push({ kind: "punct", text: c });
      i++;
    } else if (c === '"' || c === "'") {
      let text = "";
      i++;
      while (i < input.length && input[i] !== c) {
        if (input[i] === "\\" && i + 1 < input.length) i++;
        text += input[i++];
      }
      if (i >= input.length) throw new FilterSyntaxError(`unterminated string in '${input}'`);
      i++;
      tokens.push({ kind: "string", text });
    } else {
      let text = "";
      while (i < input.length && !/[\s()]/.test(input[i])) text += input[i++];
      tokens.push({ kind: "word", text });
    }
  }
  return tokens;
}

export function parseFilter(input: string): Filter {
  const tokens = tokenize(input);
  let pos = 0;
  const peek = () => tokens[pos];
  const isWord = (t: Token | undefined, text: string) => t?.kind === "word" && t.text.toLowerCase() === text;
  const fail = (what: string): never => {
    throw new FilterSyntaxError(`invalid query filter '${input}': ${what}`);
  };

  const parseOr = (): Filter => {
    const filters = [parseAnd()];
    while (isWord(peek(), "or")) {
      pos++;
      filters.push(parseAnd());
    }
    return filters.length === 1 ? filters[0] : { type: "or", filters };
  };
  const parseAnd = (): Filter => {
    const filters = [parseUnary()];
    while (isWord(peek(), "and")) {
      pos++;
      filters.push(parseUnary());
    }
    return filters.length === 1 ? filters[0] : { type: "and", filters };
  };
  const parseUnary = (): Filter => {
    const t = tokens[pos++] ?? fail("unexpected end");
    if (t.kind === "punct" && t.text === "!") return { type: "not", filter: parseUnary() };
    if (t.kind === "punct" && t.text === "(") {
      const inner = parseOr();
      const close = tokens[pos++];
      if (close?.kind !== "punct" || close.text !== ")") fail("missing ')'");
      return inner;
    }
    if (t.kind !== "word") return fail(`unexpected '${t.text}'`);
    if (t.text === "true" || t.text === "false") return { type: "literal", value: t.text === "true" };
    const path = parsePointer(t.text);
    const op = tokens[pos++] ?? fail(`operator expected after '${t.text}'`);
    const opName = op.text.toLowerCase();
    if (op.kind === "word" && opName === "pr") return { type: "present", path };
    if (op.kind !== "word" || !OPERATORS.has(opName)) return fail(`unknown operator '${op.text}'`);
    return { type: "compare", op: opName as Operator, path, value: parseValue(tokens[pos++] ?? fail("value expected")) };
  };
  const parseValue = (t: Token): Literal => {
    if (t.kind === "string") return t.text;
    if (t.kind !== "word") return fail(`unexpected '${t.text}'`);
    if (t.text === "true" || t.text === "false") return t.text === "true";
    if (t.text === "null") return null;
    const n = Number(t.text);
    return Number.isFinite(n) ? n : fail(`invalid value '${t.text}'`);
  };

  const filter = parseOr();
  if (pos < tokens.length) fail(`unexpected '${tokens[pos].text}'`);
  return filter;
}

function parsePointer(text: string): string[] {
  const segments = text.split("/").filter((s) => s !== "");
  if (segments.length === 0) throw new FilterSyntaxError(`invalid field '${text}'`);
  return segments.map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** Every value the pointer reaches; arrays on the way (and at the end) are flattened. */
export function valuesAt(object: unknown, path: string[]): unknown[] {
  let current: unknown[] = [object];
  for (const segment of path) {
    const next: unknown[] = [];
    for (const value of current) {
      if (value && typeof value === "object" && !Array.isArray(value)) {
        const child = (value as Record<string, unknown>)[segment];
        if (Array.isArray(child)) next.push(...child);
        else if (child !== undefined) next.push(child);
      }
    }
    current = next.flatMap((v) => (Array.isArray(v) ? v : [v]));
  }
  return current;
}

function compare(op: Operator, actual: unknown, expected: Literal): boolean {
  switch (op) {
    case "eq":
      return actual === expected;
    case "co":
      return typeof actual === "string" && typeof expected === "string" && actual.includes(expected);
    case "sw":
      return typeof actual === "string" && typeof expected === "string" && actual.startsWith(expected);
    default: {
      const comparable =
        (typeof actual === "number" && typeof expected === "number") ||
        (typeof actual === "string" && typeof expected === "string");
      if (!comparable) return false;
      const a = actual as number | string;
      const e = expected as number | string;
      return op === "gt" ? a > e : op === "ge" ? a >= e : op === "lt" ? a < e : a <= e;
    }
  }
}

export function matchesFilter(filter: Filter, object: unknown): boolean {
  switch (filter.type) {
    case "literal":
      return filter.value;
    case "and":
      return filter.filters.every((f) => matchesFilter(f, object));
    case "or":
      return filter.filters.some((f) => matchesFilter(f, object));
    case "not":
      return !matchesFilter(filter.filter, object);
    case "present":
      return valuesAt(object, filter.path).some((v) => v !== null);
    case "compare":
      return valuesAt(object, filter.path).some((v) => compare(filter.op, v, filter.value));
  }
}
