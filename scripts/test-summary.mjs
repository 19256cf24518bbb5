// Prints the plain closing line CI reads ("N passed, N failed[, N skipped]") from vitest's JSON
// reports: the root run's (integration and end-to-end) and each package's unit-test run (written by
// turbo's `test` task, restored from its cache when the package did not change). When no report was
// written (formatting, typecheck or lint failed first) the run counts as one failure, so a broken
// build can never look green.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const [rootReport, status] = process.argv.slice(2);
const reports = [
  rootReport,
  ...readdirSync("packages").map((p) => join("packages", p, "test-results", "vitest.json"))
].filter((f) => f && existsSync(f));
if (reports.length === 0 || (rootReport && !existsSync(rootReport) && status !== "0")) {
  const partial = reports.length ? summarise(reports) : { passed: 0, failed: 0, skipped: 0 };
  console.log(`${partial.passed} passed, ${partial.failed + 1} failed`);
  process.exit(0);
}
const t = summarise(reports);
console.log(`${t.passed} passed, ${t.failed} failed${t.skipped ? `, ${t.skipped} skipped` : ""}`);

function summarise(files) {
  const t = { passed: 0, failed: 0, skipped: 0 };
  for (const f of files) {
    const r = JSON.parse(readFileSync(f, "utf8"));
    t.passed += r.numPassedTests ?? 0;
    t.skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    // a file that failed to load counts as a failure even though it ran no test
    const broken = (r.testResults ?? []).filter(
      (s) => s.status === "failed" && (s.assertionResults ?? []).length === 0
    ).length;
    t.failed += (r.numFailedTests ?? 0) + broken;
  }
  return t;
}
