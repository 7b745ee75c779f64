import { ChatError } from "@chatroom/core";
import type { Request } from "express";
import { isInt32 } from "./goim-ops.ts";

/**
 * Query parameters the way goim's gin binding reads them: a list is the parameter repeated (`mids=1&mids=2`);
 * chatroom's comma-separated form (`mids=1,2`) is accepted too, since no key, mid or room id contains a comma.
 * Empty items are dropped.
 */
export function goimValues(req: Request, name: string): string[] {
  const raw: unknown = req.query[name];
  const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  if (!values.every((v): v is string => typeof v === "string")) {
    throw new ChatError("bad_request", `query parameter ${name} must be plain values`);
  }
  return values.flatMap((v) => v.split(",")).filter((v) => v.length > 0);
}

/** One value (the first, as gin binds a scalar from a repeated parameter); "" when absent. */
export function goimValue(req: Request, name: string): string {
  return goimValues(req, name)[0] ?? "";
}

/** A required non-zero int32 (gin's `binding:"required"` on an int refuses 0); optional ones default to 0. */
export function goimInt(req: Request, name: string, required: boolean): number {
  const raw = goimValue(req, name);
  if (raw === "") {
    if (required) throw new ChatError("bad_request", `query parameter ${name} is required`);
    return 0;
  }
  const value = /^[+-]?\d{1,10}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!isInt32(value)) throw new ChatError("bad_request", `query parameter ${name} must be an int32`);
  if (required && value === 0) throw new ChatError("bad_request", `query parameter ${name} is required`);
  return value;
}

/** A required string parameter. */
export function goimString(req: Request, name: string): string {
  const value = goimValue(req, name);
  if (value === "") throw new ChatError("bad_request", `query parameter ${name} is required`);
  return value;
}
