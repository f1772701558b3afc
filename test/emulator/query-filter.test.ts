import { FilterSyntaxError, matchesFilter, parseFilter, valuesAt } from "../../src/emulator/query-filter";

const user = {
  _id: "u1",
  userName: "barbara.jensen",
  age: 42,
  active: true,
  manager: null,
  ssoEntities: { oidcId: "digital-assistant-web-app" },
  subjects: [{ _refResourceId: "a" }, { _refResourceId: "b" }],
  tags: ["x", "y"],
};

const matches = (filter: string, object: unknown = user) => matchesFilter(parseFilter(filter), object);

describe("parseFilter", () => {
  it("parses a comparison into operator, JSON-pointer path and value", () => {
    expect(parseFilter('/ssoEntities/oidcId eq "app"')).toEqual({ type: "compare", op: "eq", path: ["ssoEntities", "oidcId"], value: "app" });
  });

  it("reads a plain path the same as a JSON pointer", () => {
    expect(parseFilter("ssoEntities/oidcId pr")).toEqual(parseFilter("/ssoEntities/oidcId pr"));
  });

  it("gives 'and' precedence over 'or'", () => {
    expect(parseFilter("a eq 1 or b eq 2 and c eq 3")).toEqual({
      type: "or",
      filters: [
        { type: "compare", op: "eq", path: ["a"], value: 1 },
        { type: "and", filters: [{ type: "compare", op: "eq", path: ["b"], value: 2 }, { type: "compare", op: "eq", path: ["c"], value: 3 }] },
      ],
    });
  });

  it("reads single- and double-quoted strings, numbers, booleans and null", () => {
    const values = ["'x y'", '"x\\"y"', "12.5", "true", "null"].map((v) => (parseFilter(`f eq ${v}`) as { value: unknown }).value);
    expect(values).toEqual(["x y", 'x"y', 12.5, true, null]);
  });

  it.each([["userName eq"], ["userName xx 'a'"], ["(a eq 1"], ["a eq 'open"], ["a eq 1 b"], [""]])(
    "fails with a FilterSyntaxError on %j",
    (text) => {
      expect(() => parseFilter(text)).toThrow(FilterSyntaxError);
    },
  );
});

describe("matchesFilter", () => {
  it("accepts everything with true and nothing with false", () => {
    expect([matches("true"), matches("false")]).toEqual([true, false]);
  });

  it("compares strings with eq, co and sw", () => {
    expect([matches('userName eq "barbara.jensen"'), matches("userName co 'jens'"), matches("userName sw 'barb'"), matches("userName sw 'jens'")]).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });

  it("compares numbers with gt, ge, lt and le", () => {
    expect([matches("age gt 41"), matches("age ge 42"), matches("age lt 42"), matches("age le 42")]).toEqual([true, true, false, true]);
  });

  it("does not order values of different types", () => {
    expect(matches("age gt '1'")).toBe(false);
  });

  it("matches booleans and _id", () => {
    expect([matches("active eq true"), matches("_id eq 'u1'"), matches("_id eq 'u2'")]).toEqual([true, true, false]);
  });

  it("treats pr as present and not null", () => {
    expect([matches("userName pr"), matches("manager pr"), matches("missing pr")]).toEqual([true, false, false]);
  });

  it("negates with !(...)", () => {
    expect([matches("!(userName eq 'x')"), matches("!(userName pr)")]).toEqual([true, false]);
  });

  it("combines with and/or and parentheses", () => {
    expect(matches("(age lt 10 or userName sw 'barb') and active eq true")).toBe(true);
    expect(matches("age lt 10 or (userName sw 'barb' and active eq false)")).toBe(false);
  });

  it("matches a multi-valued field when any value matches", () => {
    expect([matches("tags eq 'y'"), matches("/subjects/_refResourceId eq 'b'"), matches("/subjects/_refResourceId eq 'c'")]).toEqual([true, true, false]);
  });

  it("follows nested JSON pointers", () => {
    expect(matches("/ssoEntities/oidcId eq 'digital-assistant-web-app'")).toBe(true);
  });
});

describe("valuesAt", () => {
  it("flattens arrays on the way", () => {
    expect(valuesAt(user, ["subjects", "_refResourceId"])).toEqual(["a", "b"]);
  });

  it("returns nothing for a missing path", () => {
    expect(valuesAt(user, ["nope", "deeper"])).toEqual([]);
  });
});
