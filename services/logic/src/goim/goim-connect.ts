import { randomBytes, randomInt } from "node:crypto";
import { ChatError } from "@chatroom/core";
import type { ConnectRequest, ConnectResponse } from "@chatroom/proto/grpc";
import { newConnectionKey } from "../logic-api/connection-key.ts";
import type { LogicServices } from "../services/logic-services.ts";
import { type GoimAuth, parseGoimAuth } from "./goim-auth.ts";
import type { GoimIdentity } from "./goim-verifier.ts";

/**
 * A key a trusted client may choose for itself (goim lets it; backends push to it with push/keys). Never with a
 * '.', which marks chatroom's session keys (`<sessionId>.<random>`), so a chosen key cannot take over one of those.
 */
const CLIENT_KEY = /^[A-Za-z0-9_:@=+-]{1,128}$/;
/** Anonymous connections (goim's mid 0) get member ids from here down: never a real member's, never pushable. */
const ANONYMOUS_IDS = 2 ** 48;

/**
 * OP_AUTH of a goim connection (DIALECT_GOIM): goim's JSON body, then who the connection is — the client's `mid`
 * as given on a trusted listener, else the identity the verifier finds in `key` (a `mid` sent beside it must
 * match). It is registered in presence like any connection (the per-member connection limit applies) with its goim
 * room, if any, and gets goim's empty OP_AUTH_REPLY.
 */
export async function goimConnect(services: LogicServices, request: ConnectRequest): Promise<ConnectResponse> {
  const { presence, config } = services;
  const auth = parseGoimAuth(request.token);
  const identity = request.trusted ? trustedIdentity(auth) : await verifiedIdentity(services, auth);
  const key = connectionKey(auth, identity, request.trusted === true);
  if (identity.memberId > 0) {
    const live = await presence.locateMembers([identity.memberId]);
    if (live.filter((c) => c.key !== key).length >= config.maxConnectionsPerMember) {
      throw new ChatError(
        "limit_exceeded",
        `at most ${config.maxConnectionsPerMember} connections per member (CHATROOM_MAX_CONNECTIONS_PER_MEMBER)`,
      );
    }
  }
  const roomIds = auth.roomId ? [auth.roomId] : [];
  await presence.upsert(
    { key, memberId: identity.memberId, server: request.server, rooms: roomIds },
    config.presenceTtlMs,
  );
  services.logger.debug(
    { key, mid: identity.memberId, room: auth.roomId, platform: auth.platform, trusted: request.trusted === true },
    "goim connection authenticated",
  );
  return {
    memberId: identity.memberId,
    key,
    roomIds,
    accepts: auth.accepts,
    heartbeatMs: config.heartbeatIntervalMs,
    authReply: new Uint8Array(0),
    expiresAtMs: identity.expiresAtMs ?? 0,
    sessionId: identity.sessionId ?? "",
  };
}

/** goim's own rule on a listener only the internal network reaches: the client is who it says it is. */
function trustedIdentity(auth: GoimAuth): GoimIdentity {
  // goim's mid 0 is an anonymous viewer: each such connection counts once in online counts and is not pushable by
  // mid (a shared id would also hit the per-member connection limit after a few viewers).
  return { memberId: auth.mid ?? -randomInt(1, ANONYMOUS_IDS) };
}

async function verifiedIdentity(services: LogicServices, auth: GoimAuth): Promise<GoimIdentity> {
  if (!auth.key) throw new ChatError("unauthorized", "goim auth: key must carry a credential on this listener");
  const identity = await services.goimVerifier(auth.key);
  if (auth.mid !== undefined && auth.mid !== identity.memberId) {
    throw new ChatError("unauthorized", "goim auth: mid does not match the credential");
  }
  return identity;
}

function connectionKey(auth: GoimAuth, identity: GoimIdentity, trusted: boolean): string {
  if (identity.sessionId) return newConnectionKey(identity.sessionId);
  if (trusted && auth.key !== "") {
    if (!CLIENT_KEY.test(auth.key)) {
      throw new ChatError("bad_request", "goim auth: key must be 1–128 characters of A-Z a-z 0-9 _ : @ = + -");
    }
    return auth.key;
  }
  return `goim-${randomBytes(12).toString("base64url")}`;
}
