// zod pieces shared by the resources.
import { z } from "zod";

export const metadataSchema = z
  .record(z.string(), z.unknown())
  .refine((m) => Object.keys(m).length <= 10, "metadata 最多 10 个键值对 (metadata: at most 10 keys)")
  .refine(
    (m) => JSON.stringify(m).length <= 1000,
    "metadata 总长度不能超过 1000 个字符 (metadata: at most 1000 characters)",
  );

export const chars = (param: string, max: number, min = 1) =>
  z
    .string()
    .min(min, `${param} 不能为空 (${param} must not be empty)`)
    .max(max, `${param} 不能超过 ${max} 个字符 (${param}: at most ${max} characters)`);

export const positiveFen = (param: string) =>
  z
    .number({ error: `${param} 必须是以分为单位的正整数 (${param} must be a positive integer in fen)` })
    .int(`${param} 必须是以分为单位的正整数 (${param} must be a positive integer in fen)`)
    .positive(`${param} 必须是以分为单位的正整数 (${param} must be a positive integer in fen)`)
    .max(Number.MAX_SAFE_INTEGER);

/** JSON booleans, or the strings "true"/"false" some SDKs send. */
export const boolish = z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")]);

export const unixTime = z.number().int().nonnegative();
