import { ChatError } from "@chatroom/core";
import type { Request } from "express";

/** The JSON object body of a request; bad_request for anything else (no body, an array, a scalar). */
export function jsonBody(req: Request): Record<string, unknown> {
  const body: unknown = req.body;
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ChatError("bad_request", "the request body must be a JSON object (Content-Type: application/json)");
  }
  return body as Record<string, unknown>;
}

export function requiredString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (value === undefined || value === null) throw new ChatError("bad_request", `${field} is required`);
  if (typeof value !== "string") throw new ChatError("bad_request", `${field} must be a string`);
  return value;
}

export function requiredInteger(body: Record<string, unknown>, field: string): number {
  const value = body[field];
  if (value === undefined || value === null) throw new ChatError("bad_request", `${field} is required`);
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    throw new ChatError("bad_request", `${field} must be an integer`);
  }
  return value;
}

/** One query parameter as a string; repeated parameters are a bad request. */
export function queryString(req: Request, name: string): string | undefined {
  const value: unknown = req.query[name];
  if (value === undefined || value === "") return undefined;
  if (typeof value !== "string") throw new ChatError("bad_request", `query parameter ${name} must be given once`);
  return value;
}

export function queryInteger(req: Request, name: string, range: { min: number; max: number }): number | undefined {
  const raw = queryString(req, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^-?\d{1,16}$/.test(raw) || !Number.isSafeInteger(value) || value < range.min || value > range.max) {
    throw new ChatError("bad_request", `query parameter ${name} must be an integer from ${range.min} to ${range.max}`);
  }
  return value;
}

/** A page size: absent → fallback; above max → max (so clients may ask for "as many as allowed"). */
export function queryLimit(req: Request, fallback: number, max: number): number {
  return Math.min(queryInteger(req, "limit", { min: 1, max: Number.MAX_SAFE_INTEGER }) ?? fallback, max);
}

/** A comma-separated query list (goim's `keys=a,b`), empty items dropped. */
export function queryList(req: Request, name: string): string[] {
  const raw = queryString(req, name);
  return raw === undefined
    ? []
    : raw
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
}

export function pathParam(req: Request, name: string): string {
  const value = req.params[name];
  if (typeof value !== "string") throw new ChatError("bad_request", `missing path parameter ${name}`);
  return value;
}

/** The JSON object body of a request that may come without one (then {}). */
export function optionalJsonBody(req: Request): Record<string, unknown> {
  return req.body === undefined ||
    req.body === null ||
    (typeof req.body === "object" && Object.keys(req.body).length === 0)
    ? {}
    : jsonBody(req);
}

/** A member id path parameter: a positive integer, or `me` for the caller. */
export function memberParam(req: Request, name: string, callerId: number): number {
  const raw = pathParam(req, name);
  if (raw === "me") return callerId;
  const value = Number(raw);
  if (!/^\d{1,15}$/.test(raw) || value <= 0) throw new ChatError("bad_request", `${name} must be a positive integer`);
  return value;
}
