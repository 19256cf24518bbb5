// Lint probe (test/style): a promise nobody awaits. `npm test`'s lint must refuse this file.
async function save(): Promise<void> {}

export function forget(): void {
  save();
}
