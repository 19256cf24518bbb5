// The public API of @neoxctl/emulator: what other packages import, named one by one.
export { expectedCheckpointFiles } from "./checkpoint/expected-files.ts";
export { formatExp, formatFixed, humanReadableFlops } from "./format/pyformat.ts";
export { writeConvertedCheckpoint } from "./tools/convert-hf.ts";
