// Prints the plain closing line CI reads ("N passed, N failed[, N skipped]") from vitest's JSON
// report. When the runner never wrote a report (typecheck or lint failed first) the run counts as
// one failure, so a broken build can never look green.
import { existsSync, readFileSync } from "node:fs";

const [file, status] = process.argv.slice(2);
if (!file || !existsSync(file)) {
  console.log(`0 passed, ${status === "0" ? 0 : 1} failed`);
  process.exit(0);
}
const r = JSON.parse(readFileSync(file, "utf8"));
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
// a file that failed to load counts as a failure even though it ran no test
const brokenSuites = (r.testResults ?? []).filter(
  (s) => s.status === "failed" && (s.assertionResults ?? []).length === 0
).length;
const failed = (r.numFailedTests ?? 0) + brokenSuites;
console.log(`${r.numPassedTests ?? 0} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
