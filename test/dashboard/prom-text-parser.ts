/**
 * A strict parser for the Prometheus text exposition format (0.0.4): HELP/TYPE comments, metric
 * names, label sets with escaped values, float samples (NaN, +Inf, -Inf), optional timestamps.
 * It throws on anything the format does not allow, so a test fails on malformed output.
 */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: string;
  help: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

function parseValue(text: string, line: number): number {
  if (text === "NaN") return Number.NaN;
  if (text === "+Inf") return Number.POSITIVE_INFINITY;
  if (text === "-Inf") return Number.NEGATIVE_INFINITY;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text))
    throw new Error(`line ${line}: bad value ${JSON.stringify(text)}`);
  return Number(text);
}

function parseLabels(src: string, line: number): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let s = src.slice(1);
  for (;;) {
    s = s.replace(/^ */, "");
    if (s.startsWith("}")) return { labels, rest: s.slice(1) };
    const m = LABEL.exec(s);
    if (!m) throw new Error(`line ${line}: bad label name in ${src}`);
    s = s.slice(m[0].length);
    if (!s.startsWith('="')) throw new Error(`line ${line}: expected =" after ${m[0]}`);
    s = s.slice(2);
    let value = "";
    for (;;) {
      const c = s[0];
      if (c === undefined) throw new Error(`line ${line}: unterminated label value`);
      s = s.slice(1);
      if (c === '"') break;
      if (c === "\\") {
        const e = s[0];
        s = s.slice(1);
        if (e === "n") value += "\n";
        else if (e === "\\" || e === '"') value += e;
        else throw new Error(`line ${line}: bad escape \\${e ?? ""}`);
      } else value += c;
    }
    if (m[0] in labels) throw new Error(`line ${line}: duplicate label ${m[0]}`);
    labels[m[0]] = value;
    s = s.replace(/^ */, "");
    if (s.startsWith(",")) s = s.slice(1);
    else if (!s.startsWith("}")) throw new Error(`line ${line}: expected , or }`);
  }
}

function familyOf(sample: string, families: Map<string, Family>): Family | undefined {
  const direct = families.get(sample);
  if (direct) return direct;
  for (const suffix of ["_bucket", "_sum", "_count", "_total", "_created"]) {
    if (sample.endsWith(suffix)) {
      const f = families.get(sample.slice(0, -suffix.length));
      if (f) return f;
    }
  }
  return undefined;
}

export function parsePromText(text: string): Map<string, Family> {
  if (text.length > 0 && !text.endsWith("\n")) throw new Error("exposition must end with a newline");
  const families = new Map<string, Family>();
  const seen = new Set<string>();
  text.split("\n").forEach((raw, i) => {
    const line = i + 1;
    if (raw === "") return;
    if (raw.startsWith("#")) {
      const m = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) ?(.*)$/.exec(raw);
      if (!m) return; // other comments are allowed
      const [, kind, name, rest] = m as unknown as [string, string, string, string];
      const f = families.get(name) ?? { name, type: "untyped", help: "", samples: [] };
      if (kind === "TYPE") {
        if (!TYPES.has(rest)) throw new Error(`line ${line}: unknown type ${rest}`);
        if (f.samples.length) throw new Error(`line ${line}: TYPE after samples of ${name}`);
        f.type = rest;
      } else f.help = rest.replace(/\\n/g, "\n").replace(/\\\\/g, "\\");
      families.set(name, f);
      return;
    }
    const nm = NAME.exec(raw);
    if (!nm) throw new Error(`line ${line}: bad metric name in ${raw}`);
    let rest = raw.slice(nm[0].length);
    let labels: Record<string, string> = {};
    if (rest.startsWith("{")) ({ labels, rest } = parseLabels(rest, line));
    const parts = rest.trim().split(/ +/);
    if (!rest.startsWith(" ") || parts.length < 1 || parts.length > 2)
      throw new Error(`line ${line}: expected value [timestamp] in ${raw}`);
    const value = parseValue(parts[0] as string, line);
    if (parts[1] !== undefined && !/^-?\d+$/.test(parts[1])) throw new Error(`line ${line}: bad timestamp`);
    const key = nm[0] + JSON.stringify(Object.entries(labels).sort());
    if (seen.has(key)) throw new Error(`line ${line}: duplicate sample ${key}`);
    seen.add(key);
    const f = familyOf(nm[0], families) ?? { name: nm[0], type: "untyped", help: "", samples: [] };
    families.set(f.name, f);
    f.samples.push({ name: nm[0], labels, value });
  });
  return families;
}
