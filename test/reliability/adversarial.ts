import fc from "fast-check";

/** Characters that have bitten YAML, shells or terminals: RTL overrides, zero-width, BOM, NEL, line separators. */
const TRICKY_CHARS = [
  "\u202e",
  "\u202d",
  "\u200b",
  "\u200d",
  "\u2060",
  "\ufeff",
  "\u0085",
  "\u2028",
  "\u2029",
  "\u0000",
  "\u001b[31m",
  "\t",
  "\r",
  "\n",
  "\ud800"
];

/** Shell payloads; each one, if executed, creates `canary`. */
function shellPayloads(canary: string): string[] {
  return [
    `$(touch ${canary})`,
    `\`touch ${canary}\``,
    `;touch ${canary};`,
    `|touch ${canary}`,
    `&touch ${canary}&`,
    `&&touch ${canary}`,
    `\ntouch ${canary}\n`,
    `'; touch ${canary}; '`,
    `"; touch ${canary}; "`,
    `\${IFS}$(touch\${IFS}${canary})`,
    `$'\\x0a'touch ${canary}`,
    `\\\ntouch ${canary}`,
    `\rtouch ${canary}`,
    `>(touch ${canary})`,
    `<(touch ${canary})`
  ];
}

/** Text that mixes ordinary path pieces, unicode of every plane and tricky characters. */
export const weirdText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc
    .array(
      fc.oneof(
        fc.constantFrom(...TRICKY_CHARS),
        fc.constantFrom("/", "a", "ü", "ع", "中", " ", "-", ".", "~", "*", "?", "[", "{", "#", "!", "%", "\\")
      ),
      { maxLength: 30 }
    )
    .map((a) => a.join("")),
  fc.nat({ max: 200_000 }).map((n) => "x".repeat(n))
);

/** A string carrying one of the shell payloads between arbitrary text. */
export function injectingText(canary: string): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.constantFrom("", "/scratch/p/", "a", "ü中"),
      fc.constantFrom(...shellPayloads(canary)),
      fc.constantFrom("", "x", "/y", "\u202e")
    )
    .map(([a, p, b]) => a + p + b);
}

/** Values of every wrong type and every extreme a YAML field can hold. */
const weirdValue: fc.Arbitrary<unknown> = fc.oneof(
  weirdText,
  fc.constantFrom(
    NaN,
    Infinity,
    -Infinity,
    -0,
    0,
    -1,
    1e308,
    -1e308,
    5e-324,
    Number.MAX_SAFE_INTEGER + 2,
    2 ** 53,
    1.5,
    0.1,
    -0.5
  ),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.integer(), weirdText), { maxLength: 4 }),
  fc.dictionary(weirdText, fc.oneof(fc.integer(), weirdText), { maxKeys: 3 }),
  fc.anything({ maxDepth: 3 })
);

type Json = Record<string, unknown>;

/** Every path into an object tree (objects, arrays and leaves), root excluded. */
function allPaths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [];
  if (Array.isArray(value)) value.forEach((v, i) => out.push([...prefix, i], ...allPaths(v, [...prefix, i])));
  else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) out.push([...prefix, k], ...allPaths(v, [...prefix, k]));
  }
  return out;
}

export type Mutation =
  | { op: "delete"; path: (string | number)[] }
  | { op: "replace"; path: (string | number)[]; value: unknown }
  | { op: "addKey"; path: (string | number)[]; key: string; value: unknown };

export function applyMutation(base: Json, m: Mutation): Json {
  const doc = structuredClone(base);
  const parentPath = m.op === "addKey" ? m.path : m.path.slice(0, -1);
  let parent: unknown = doc;
  for (const k of parentPath) {
    if (parent === null || typeof parent !== "object") return doc;
    parent = (parent as Record<string | number, unknown>)[k];
  }
  if (parent === null || typeof parent !== "object") return doc;
  const obj = parent as Record<string | number, unknown>;
  switch (m.op) {
    case "delete": {
      const key = m.path[m.path.length - 1]!;
      if (Array.isArray(obj) && typeof key === "number") obj.splice(key, 1);
      else delete obj[key];
      return doc;
    }
    case "replace":
      obj[m.path[m.path.length - 1]!] = m.value;
      return doc;
    case "addKey":
      // defineProperty, not assignment: `obj["__proto__"] = v` would set the prototype instead of
      // adding the `__proto__:` key the adversarial document is meant to carry
      if (!Array.isArray(obj))
        Object.defineProperty(obj, m.key, {
          value: m.value,
          enumerable: true,
          writable: true,
          configurable: true
        });
      return doc;
  }
}

/** One to three mutations of a valid document. */
export function mutationsOf(base: Json): fc.Arbitrary<Mutation[]> {
  const paths = allPaths(base);
  const objectPaths: (string | number)[][] = [
    [],
    ...paths.filter((p) => {
      let v: unknown = base;
      for (const k of p) v = (v as Record<string | number, unknown>)[k];
      return v !== null && typeof v === "object" && !Array.isArray(v);
    })
  ];
  const one: fc.Arbitrary<Mutation> = fc.oneof(
    fc.constantFrom(...paths).map((path): Mutation => ({ op: "delete", path })),
    fc
      .tuple(fc.constantFrom(...paths), weirdValue)
      .map(([path, value]): Mutation => ({ op: "replace", path, value })),
    fc
      .tuple(
        fc.constantFrom(...objectPaths),
        fc.oneof(weirdText, fc.constantFrom("gpus", "Name", "train-iters", "__proto__", "constructor")),
        weirdValue
      )
      .map(([path, key, value]): Mutation => ({ op: "addKey", path, key, value }))
  );
  return fc.array(one, { minLength: 1, maxLength: 3 });
}

/** Raw-text attacks on a YAML document: alias bombs, duplicate keys, deep nesting, tags, truncation, byte flips. */
export function textAttacks(validYaml: string): fc.Arbitrary<string> {
  const bomb = (levels: number): string => {
    let text = 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
    for (let i = 1; i <= levels; i++)
      text += `a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(",")}]\n`;
    return text;
  };
  return fc.oneof(
    fc.integer({ min: 2, max: 12 }).map((n) => bomb(n) + validYaml),
    fc
      .integer({ min: 2, max: 12 })
      .map((n) => validYaml + `training:\n  extra: ${bomb(n).replace(/\n/g, " ")}\n`),
    fc
      .constantFrom(...validYaml.split("\n").filter((l) => /^[a-z]/.test(l)))
      .map((line) => `${validYaml}\n${line}\n`),
    fc.integer({ min: 100, max: 5000 }).map((n) => `x: ${"[".repeat(n)}${"]".repeat(n)}\n${validYaml}`),
    fc
      .constantFrom(
        "!!python/object/apply:os.system ['id']",
        "!!binary aGk=",
        "!!js/function 'f(){}'",
        "*undefined_alias",
        "&a",
        "<<: *x",
        "? complex\n: key",
        "%YAML 9.9\n---",
        "---\n---",
        "{",
        "]",
        "\t- tab"
      )
      .map((t) => `${validYaml}\n${t}\n`),
    fc.nat({ max: validYaml.length }).map((n) => validYaml.slice(0, n)),
    fc
      .array(fc.tuple(fc.nat({ max: validYaml.length - 1 }), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 8
      })
      .map((flips) => {
        const bytes = Buffer.from(validYaml, "utf8");
        for (const [at, b] of flips) bytes[Math.min(at, bytes.length - 1)] = b;
        return bytes.toString("utf8");
      }),
    fc
      .tuple(
        fc.nat({ max: validYaml.length }),
        fc.constantFrom(...TRICKY_CHARS, ": ", "- ", "&x ", "*x", "!", "|", ">", "'", '"', "#")
      )
      .map(([at, s]) => validYaml.slice(0, at) + s + validYaml.slice(at))
  );
}
