// The public API of @neoxctl/emulator: what other packages import, named one by one.
export { expectedCheckpointFiles } from "./checkpoint/expected-files.ts";
export { formatExp, formatFixed, humanReadableFlops } from "./format/pyformat.ts";
export { writeConvertedCheckpoint } from "./tools/convert-hf.ts";
export { ExportError, exportToHf } from "./tools/export-hf.ts";
export type { ExportArgs } from "./tools/export-hf.ts";
export { LLAMA3_SPECIAL_TOKENS, writeHfModelFixture, writeRawCorpus } from "./tools/hf-fixture.ts";
