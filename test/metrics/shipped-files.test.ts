import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { Redis } from "ioredis";
import { buildDashboard, SupervisorReadModel } from "@neoxctl/dashboard";
import type { Dashboard } from "@neoxctl/dashboard";
import { clearPrefix, seedHistory } from "../dashboard/seed-history.ts";
import { parsePromText } from "../dashboard/prom-text-parser.ts";
import { promqlMetricNames, withoutGrafanaVariables } from "./promql-names.test-support.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const RULES = join(ROOT, "ops/prometheus/neoxctl.rules.yml");
const RULES_TEST = join(ROOT, "ops/prometheus/neoxctl.rules.test.yml");
const BOARD = join(ROOT, "ops/grafana/neoxctl.json");
/** series Prometheus itself adds to every scrape */
const PROMETHEUS_OWN = new Set(["up", "scrape_duration_seconds", "scrape_samples_scraped"]);

// the parts of Grafana's dashboard model (schemaVersion 39) this board uses
const Datasource = z.object({ type: z.literal("prometheus"), uid: z.literal("${datasource}") });
const Target = z.object({
  refId: z.string().min(1),
  datasource: Datasource,
  expr: z.string().min(1),
  legendFormat: z.string().optional()
});
const GridPos = z.object({
  x: z.number().int().min(0).max(23),
  y: z.number().int().min(0),
  w: z.number().int().min(1).max(24),
  h: z.number().int().min(1)
});
const Panel = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("row"),
    id: z.number().int(),
    title: z.string().min(1),
    collapsed: z.boolean(),
    gridPos: GridPos,
    panels: z.array(z.unknown()),
    repeat: z.string().optional()
  }),
  z.object({
    type: z.enum(["timeseries", "stat"]),
    id: z.number().int(),
    title: z.string().min(1),
    description: z.string().optional(),
    datasource: Datasource,
    gridPos: GridPos,
    fieldConfig: z.object({
      defaults: z.object({ unit: z.string() }).passthrough(),
      overrides: z.array(z.unknown())
    }),
    options: z.record(z.string(), z.unknown()),
    targets: z.array(Target).min(1)
  })
]);
const Variable = z.discriminatedUnion("type", [
  z.object({ type: z.literal("datasource"), name: z.literal("datasource"), query: z.literal("prometheus") }),
  z.object({
    type: z.literal("query"),
    name: z.string(),
    datasource: Datasource,
    query: z.object({ query: z.string(), refId: z.string() }),
    definition: z.string(),
    refresh: z.union([z.literal(1), z.literal(2)]),
    multi: z.boolean(),
    includeAll: z.boolean()
  })
]);
const Board = z.object({
  uid: z.string().regex(/^[a-zA-Z0-9_-]{1,40}$/),
  title: z.string().min(1),
  schemaVersion: z.number().int().min(36),
  tags: z.array(z.string()),
  time: z.object({ from: z.string(), to: z.string() }),
  refresh: z.string(),
  templating: z.object({ list: z.array(Variable) }),
  panels: z.array(Panel).min(1)
});
type BoardT = z.infer<typeof Board>;

const RuleFile = z.object({
  groups: z.array(
    z.object({
      name: z.string(),
      rules: z.array(
        z.object({
          alert: z.string(),
          expr: z.string(),
          for: z.string().optional(),
          labels: z.object({ severity: z.enum(["warning", "critical"]) }),
          annotations: z.object({ summary: z.string(), description: z.string(), runbook: z.string() })
        })
      )
    })
  )
});

const prefix = `neoxctl-test:metrics-files:${process.pid}:${Date.now()}:`;
let redis: Redis;
let dash: Dashboard;
/** every metric family the live dashboard's /metrics exposes */
let exported: Set<string>;

beforeAll(async () => {
  redis = new Redis("redis://127.0.0.1:6379");
  await seedHistory(redis, prefix, 3);
  dash = await buildDashboard({ model: new SupervisorReadModel({ redis, prefix }) });
  const base = await dash.app.listen({ host: "127.0.0.1", port: 0 });
  const res = await fetch(`${base}/metrics`);
  expect(res.status).toBe(200);
  exported = new Set(parsePromText(await res.text()).keys());
});

afterAll(async () => {
  await dash?.close();
  if (redis) {
    await clearPrefix(redis, prefix);
    redis.disconnect();
  }
});

function promtool(...args: string[]): { status: number | null; out: string } {
  const r = spawnSync("promtool", args, { encoding: "utf8" });
  if (r.error) throw r.error;
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function boardQueries(b: BoardT): { where: string; expr: string }[] {
  const out: { where: string; expr: string }[] = [];
  for (const p of b.panels)
    if (p.type !== "row") for (const t of p.targets) out.push({ where: `panel "${p.title}"`, expr: t.expr });
  for (const v of b.templating.list)
    if (v.type === "query") out.push({ where: `variable ${v.name}`, expr: v.query.query });
  return out;
}

/** label_values(metric, label) names its metric as the first argument */
function namesIn(expr: string): string[] {
  const lv = /^label_values\(\s*([A-Za-z_:][A-Za-z0-9_:]*)\s*,/.exec(expr);
  return lv ? [lv[1]!] : promqlMetricNames(withoutGrafanaVariables(expr));
}

describe("the shipped Prometheus rules", () => {
  it("pass promtool check rules (and promtool does reject a broken copy)", () => {
    const ok = promtool("check", "rules", RULES);
    expect(ok.out).toMatch(/SUCCESS: \d+ rules found/);
    expect(ok.status).toBe(0);
    const dir = mkdtempSync("/tmp/neoxctl-rules-");
    try {
      const broken = join(dir, "broken.yml");
      writeFileSync(broken, readFileSync(RULES, "utf8").replace("> 1800", "> > 1800"));
      expect(promtool("check", "rules", broken).status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("pass their promtool unit tests, which fail when NoProgress also fires for a graph run in export", () => {
    const ok = promtool("test", "rules", RULES_TEST);
    expect(ok.out).toContain("SUCCESS");
    expect(ok.status).toBe(0);
    const dir = mkdtempSync("/tmp/neoxctl-rules-");
    try {
      const rules = readFileSync(RULES, "utf8");
      const unless =
        / unless on\(run\) delta\(neoxctl_run_wall_seconds\{category="workflow_steps"\}\[10m\]\) > 0/;
      expect(rules).toMatch(unless);
      writeFileSync(join(dir, "neoxctl.rules.yml"), rules.replace(unless, ""));
      writeFileSync(join(dir, "neoxctl.rules.test.yml"), readFileSync(RULES_TEST, "utf8"));
      const bad = promtool("test", "rules", join(dir, "neoxctl.rules.test.yml"));
      expect(bad.out).toMatch(/FAILED/);
      expect(bad.status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("load in the shipped example Prometheus configuration (promtool check config)", () => {
    const r = promtool("check", "config", join(ROOT, "ops/prometheus/prometheus.example.yml"));
    expect(r.out).toMatch(/SUCCESS: 1 rule files found/);
    expect(r.status).toBe(0);
  });

  it("cover what issue 19 asks for, each with a severity and a runbook, naming only exported metrics", () => {
    const file = RuleFile.parse(parseYaml(readFileSync(RULES, "utf8")));
    const rules = file.groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert).sort()).toEqual(
      [
        "NeoxctlDashboardScrapeDown",
        "NeoxctlNoLiveSupervisor",
        "NeoxctlRunNeedsAttention",
        "NeoxctlRunNoProgress",
        "NeoxctlRunSlowdown",
        "NeoxctlSlurmPollFailures",
        "NeoxctlSlurmPollStale",
        "NeoxctlStuckLeases",
        "NeoxctlSupervisorWedged"
      ].sort()
    );
    const docs = readFileSync(join(ROOT, "docs/monitoring.md"), "utf8");
    for (const r of rules) {
      for (const name of promqlMetricNames(r.expr))
        expect(exported.has(name) || PROMETHEUS_OWN.has(name), `${r.alert}: ${name}`).toBe(true);
      const anchor = r.annotations.runbook.split("#")[1] ?? "";
      expect(r.annotations.runbook.startsWith("docs/monitoring.md#"), r.alert).toBe(true);
      // GitHub's anchor of a "## Title" heading: lower case, spaces to dashes
      const headings = [...docs.matchAll(/^#+ (.+)$/gm)].map((m) =>
        m[1]!
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, "")
          .replace(/ /g, "-")
      );
      expect(headings, `${r.alert} → #${anchor}`).toContain(anchor);
    }
  });
});

describe("the shipped Grafana dashboard", () => {
  const board = Board.parse(JSON.parse(readFileSync(BOARD, "utf8")));

  it("has a fleet row and a per-run row repeated over a run variable that lists the runs' ids", () => {
    const rows = board.panels.filter((p) => p.type === "row");
    expect(rows.map((r) => r.title)).toEqual(["Fleet", "Run $run"]);
    expect(rows[1]).toMatchObject({ repeat: "run" });
    const run = board.templating.list.find((v) => v.name === "run");
    expect(run).toMatchObject({ type: "query", multi: true, includeAll: true });
    const titles = board.panels.map((p) => p.title);
    for (const t of [
      "Runs by state",
      "Supervisors alive",
      "Loss",
      "Step rate",
      "Tokens/s",
      "MFU",
      "Effective training time",
      "ETA",
      "Slowdowns and step time"
    ])
      expect(titles).toContain(t);
    expect(new Set(board.panels.map((p) => p.id)).size).toBe(board.panels.length);
    // every per-run query is narrowed to the selected runs
    const perRun = board.panels.slice(board.panels.indexOf(rows[1]!) + 1);
    for (const p of perRun)
      if (p.type !== "row") for (const t of p.targets) expect(t.expr, p.title).toContain('run=~"$run"');
  });

  it("shows a graph run's share of the training part: productive over wall clock less workflow_steps", () => {
    const panel = board.panels.find((p) => p.title === "Effective training time");
    const expr = panel?.type === "row" ? undefined : panel?.targets.find((t) => t.refId === "B")?.expr;
    expect(expr).toBeDefined();
    const dir = mkdtempSync("/tmp/neoxctl-board-");
    try {
      // one graph run (g: 600 s productive, 200 s queue, 1000 s in steps) and one without steps (p)
      const series = (run: string, split: Record<string, number>): string[] =>
        Object.entries(split).map(
          ([c, v]) =>
            `      - series: 'neoxctl_run_wall_seconds{run="${run}",name="${run}",category="${c}"}'\n        values: '${v}'`
        );
      writeFileSync(join(dir, "empty.yml"), "groups: []\n");
      writeFileSync(
        join(dir, "board.test.yml"),
        [
          "rule_files: [empty.yml]",
          "tests:",
          "  - interval: 1m",
          "    input_series:",
          ...series("g", { productive: 600, queue: 200, workflow_steps: 1000 }),
          ...series("p", { productive: 900, queue: 100, workflow_steps: 0 }),
          "    promql_expr_test:",
          `      - expr: '${withoutGrafanaVariables(expr!).replaceAll('=~"x"', '=~".*"')}'`,
          "        eval_time: 0m",
          "        exp_samples:",
          `          - labels: '{run="g",name="g"}'`,
          "            value: 0.75",
          ""
        ].join("\n")
      );
      const r = promtool("test", "rules", join(dir, "board.test.yml"));
      expect(r.out, r.out).toContain("SUCCESS");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("queries only metrics the dashboard's /metrics really exports", () => {
    const queries = boardQueries(board);
    expect(queries.length).toBeGreaterThan(20);
    const unknown: string[] = [];
    for (const q of queries) {
      const names = namesIn(q.expr);
      expect(names.length, `${q.where}: ${q.expr}`).toBeGreaterThan(0);
      for (const n of names) if (!exported.has(n) && !PROMETHEUS_OWN.has(n)) unknown.push(`${q.where}: ${n}`);
    }
    expect(unknown).toEqual([]);
  });

  it("the name check can fail: a misspelt metric is caught", () => {
    expect(namesIn('rate(neoxctl_run_stepz{run=~"$run"}[5m])')).toEqual(["neoxctl_run_stepz"]);
    expect(exported.has("neoxctl_run_stepz")).toBe(false);
    expect(promqlMetricNames('sum by (state) (neoxctl_runs{state=~"a|b"}) > 0 and on(x) up == 1')).toEqual([
      "neoxctl_runs",
      "up"
    ]);
    expect(promqlMetricNames("increase(neoxctl_recoveries_total[1h]) / 1e3")).toEqual([
      "neoxctl_recoveries_total"
    ]);
  });
});
