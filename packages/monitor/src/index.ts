export type {
  LogEvent,
  LogEventKind,
  LogFormat,
  TrainEvent,
  BadNodeSource,
  StorageFault,
  OomSource,
  RcclNetLine
} from "./parse/events.ts";
export { parseLine, LineParser } from "./parse/text/parse-line.ts";
export { ChunkParser } from "./parse/bytes/chunk-parser.ts";
export type { ChunkParserOptions, LocatedEvent } from "./parse/bytes/chunk-parser.ts";
export type { ParseFormat } from "./parse/text/parse-line.ts";
export { surveyTrainingLines } from "./parse/text/line-survey.ts";
export type { LineSurvey } from "./parse/text/line-survey.ts";
export { readRcclTransport, RcclTransportReader, transportOfNetwork } from "./rccl/transport.ts";
export type { RcclTransport, RcclTransportReading } from "./rccl/transport.ts";
export { parsePyFloat } from "./parse/text/numbers.ts";
export type { LossPoint, AlarmKind, Alarm, Notice, DetectorEvent, LossDetector } from "./spike/types.ts";
export { RobustSpikeDetector } from "./spike/robust-detector.ts";
export { ROBUST_DEFAULTS } from "./spike/robust-options.ts";
export type { RobustDetectorOptions } from "./spike/robust-options.ts";
export {
  OlmoSigmaDetector,
  MegatronTenXDetector,
  MetaseqEwmDetector,
  FoundryPatienceDetector
} from "./spike/published-detectors.ts";
export { createDetector, DETECTOR_NAMES } from "./spike/detector-registry.ts";
export type { DetectorName } from "./spike/detector-registry.ts";
export { lossSeriesFromCsv, lossSeriesFromLog } from "./spike/loss-series.ts";
export type { LossSeries } from "./spike/loss-series.ts";
export { LogFollower } from "./follow/log-follower.ts";
export type { FollowNote, FollowResult, FollowerOptions } from "./follow/log-follower.ts";
export { EventFollower } from "./follow/event-follower.ts";
export type { EventFollowResult, EventFollowerOptions } from "./follow/event-follower.ts";
export { MultiFollower } from "./follow/multi-follower.ts";
export type { MultiFollowerOptions } from "./follow/multi-follower.ts";
export { LineBuffer } from "./follow/line-buffer.ts";
export { judgeHang, hangPolicyFromSpec, HANG_DEFAULTS } from "./hang/hang-detector.ts";
export type { HangPolicy, HangVerdict, IterationSeen, JobRunState } from "./hang/hang-detector.ts";
export { requiredFiles, requiredLayerPatterns } from "./checkpoint/expected-files.ts";
export type { CheckpointLayout } from "./checkpoint/expected-files.ts";
export {
  inspectCheckpoints,
  listingCommand,
  evaluateCheckpoints,
  newestComplete,
  parseFindListing
} from "./checkpoint/inspect.ts";
export type { CheckpointReport, CheckpointStatus, LatestVerdict, ListedFile } from "./checkpoint/inspect.ts";
