import { z } from "zod";

/**
 * zod's records skip an own `__proto__` key without a word (assigning it would replace the result's
 * prototype), so `env: {__proto__: …}` would pass while the value the user wrote vanished. Strict
 * objects already refuse it as an unknown key; this gives records the same answer, with a field path.
 */
export function refuseProtoKey<T extends z.ZodType>(record: T): z.ZodPreprocess<T> {
  return z.preprocess((value, ctx) => {
    if (value !== null && typeof value === "object" && Object.hasOwn(value, "__proto__"))
      ctx.issues.push({
        code: "custom",
        input: value,
        path: ["__proto__"],
        message: "is not allowed as a key (it names the JavaScript object prototype)"
      });
    return value;
  }, record);
}
