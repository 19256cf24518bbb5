import { z } from "zod";

/**
 * Paths a spec or profile names on the cluster. They end up as arguments of commands (`find`, `cd`,
 * `singularity`, `python`) and in NeoX configs that jobs read from their own working directory, so a
 * relative path would be resolved against whichever process happens to use it, and a value starting
 * with `-` would be read as an option. Only absolute, normalised paths are accepted: one spelling per
 * directory, which is also what the supervisor compares when it looks for checkpoints.
 */
// `/`, or segments that are neither empty, `.` nor `..`; a regex so the JSON Schema carries it too
const ABSOLUTE_NORMAL = /^(?:\/|(?:\/(?!\.\.?(?:\/|$))[^/\0]+)+)$/;

export function isAbsoluteNormalPath(p: string): boolean {
  return ABSOLUTE_NORMAL.test(p);
}

const ABSOLUTE_RULE =
  "must be an absolute, normalised path: starting with /, without //, /./, /../ or a trailing /";

export const AbsolutePathSchema = z.string().regex(ABSOLUTE_NORMAL, { error: ABSOLUTE_RULE });

/** A path below a root the same document names (data prefixes under data_root): never leaving it. */
export function isRelativeNormalPath(p: string): boolean {
  return (
    !p.startsWith("/") &&
    !p.startsWith("-") &&
    !p.includes("\0") &&
    p.split("/").every((seg) => seg !== "" && seg !== "." && seg !== "..")
  );
}

/** An absolute path, or a relative one below a root given elsewhere; the caller checks the root exists. */
export const AbsoluteOrRelativePathSchema = z
  .string()
  .refine((p) => isAbsoluteNormalPath(p) || isRelativeNormalPath(p), {
    error:
      "must be an absolute, normalised path, or a relative one without ., .., empty segments, a leading - or a trailing /"
  });

// a bare program name is looked up in PATH on the compute node, as the job's shell would
const PROGRAM_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/;

/** A program: a bare name found in PATH (`python`) or an absolute path to it. */
export const ProgramSchema = z.string().refine((p) => PROGRAM_NAME.test(p) || isAbsoluteNormalPath(p), {
  error: `must be a program name (letters, digits, _ . + -, not starting with -) or ${ABSOLUTE_RULE.replace("must be ", "")}`
});

// the URI forms `singularity exec` pulls from; anything else must be a local image file
const IMAGE_URI = /^(docker|docker-archive|oci-archive|library|oras|shub):\/\/[^\s\0]+$/;

export const ContainerImageSchema = z.string().refine((p) => isAbsoluteNormalPath(p) || IMAGE_URI.test(p), {
  error: `must be an image URI (docker://, library://, oras://, shub://, docker-archive://, oci-archive://) or ${ABSOLUTE_RULE.replace("must be ", "")}`
});

/**
 * One Singularity bind, `src[:dest[:ro|rw]]`. The binds travel joined by commas in SINGULARITY_BIND,
 * so a comma (or a colon inside a path) would silently split one bind into others.
 */
export function isBindSpec(b: string): boolean {
  const parts = b.split(":");
  if (parts.length > 3 || b.includes(",")) return false;
  const [src, dest, opts] = parts;
  return (
    src !== undefined &&
    isAbsoluteNormalPath(src) &&
    (dest === undefined || isAbsoluteNormalPath(dest)) &&
    (opts === undefined || opts === "ro" || opts === "rw")
  );
}

export const BindSchema = z.string().refine(isBindSpec, {
  error: "must be src[:dest[:ro|rw]] with absolute, normalised paths and no comma"
});
