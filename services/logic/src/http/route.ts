import type { Request, Response } from "express";

export type HttpMethod = "get" | "post" | "put" | "patch" | "delete";

/**
 * One HTTP route. The router registers exactly these (tests compare them with docs/openapi.yaml), with the
 * authentication middleware `auth` names in front of the handler.
 */
export interface Route {
  method: HttpMethod;
  /** Express path syntax (`/api/v1/rooms/:roomId`). */
  path: string;
  auth: "session" | "api-key" | "none";
  handle(req: Request, res: Response): Promise<void>;
}

/** `/api/v1/rooms/:roomId` → `/api/v1/rooms/{roomId}` (the OpenAPI spelling). */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
}
