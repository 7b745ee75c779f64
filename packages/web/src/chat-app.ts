import {
  ChatClient,
  ChatClientError,
  type ChatHttp,
  type ChatMessage,
  type HttpMember,
  type RoomInfo,
} from "@chatroom/client";
import { BannerView } from "./banner-view.ts";
import { ComposerView } from "./composer-view.ts";
import { type Conversation, Conversations } from "./conversation.ts";
import { ConversationHeaderView } from "./conversation-header-view.ts";
import { byId, frameScheduler, setText } from "./dom.ts";
import { messageOf } from "./error-text.ts";
import { MembersView } from "./members-view.ts";
import { MessageActions } from "./message-actions.ts";
import { MessageListView } from "./message-list-view.ts";
import { directRoomId } from "./room-ids.ts";
import { SidebarView } from "./sidebar-view.ts";

const LAST_ROOM_KEY = "chatroom.lastRoom";
const ACK_DELAY_MS = 400;
const MEMBERS_REFRESH_MS = 3000;

/**
 * The signed-in chat: one ChatClient (cookie-authenticated WebSocket), the views, and what is open. `enter` starts
 * it for a member; it calls `onSignedOut` when the session ends (logout, or the server rejecting the cookie).
 */
export class ChatApp {
  readonly #http: ChatHttp;
  readonly #onSignedOut: (message: string) => void;
  readonly #conversations = new Conversations();
  readonly #root = byId("app");
  readonly #banner = new BannerView();
  readonly #sidebar: SidebarView;
  readonly #list: MessageListView;
  readonly #composer: ComposerView;
  readonly #header: ConversationHeaderView;
  readonly #members: MembersView;
  readonly #actions: MessageActions;
  readonly #renderMessages = frameScheduler(() => this.#drawMessages());
  readonly #renderSidebar = frameScheduler(() => this.#sidebar.render(this.#rooms, this.#current));
  #client: ChatClient | null = null;
  #me: HttpMember = { id: 0, username: "" };
  #current: string | null = null;
  /** The other member of a direct conversation that will be created by the first message. */
  #peer: { id: number; username: string } | null = null;
  #ackTimer: ReturnType<typeof setTimeout> | undefined;
  #membersLoadedAt = 0;

  constructor(http: ChatHttp, onSignedOut: (message: string) => void) {
    this.#http = http;
    this.#onSignedOut = onSignedOut;
    this.#sidebar = new SidebarView({
      onOpen: (roomId) => this.open(roomId),
      onJoin: (roomId) => this.#join(roomId),
      onCreate: (roomId, name) => this.#create(roomId, name),
      listRooms: (after) => this.#http.listRooms({ after, limit: 50 }),
    });
    this.#list = new MessageListView(
      byId("messages"),
      {
        onLoadOlder: () => void this.#actions.loadOlder(),
        onRetry: (id) => this.#actions.retry(id),
        onDiscard: (id) => {
          this.#conversation()?.pending.delete(id);
          this.#renderMessages();
        },
      },
      () => this.#me.id,
    );
    this.#actions = new MessageActions({
      client: () => this.#client,
      conversations: this.#conversations,
      current: () => this.#conversation(),
      peer: () => this.#peer,
      // Synchronous, so that the list's height is known right after (to page on while it cannot scroll).
      redraw: (roomId) => {
        if (roomId === this.#current) this.#drawMessages();
      },
      underfilled: () => this.#list.underfilled,
      notify: (text) => this.#banner.show(text, "error", 4000),
    });
    this.#composer = new ComposerView((text) => this.#actions.send(text));
    this.#header = new ConversationHeaderView(this.#composer);
    this.#members = new MembersView(
      (member) => this.#openDirect(member),
      (open) => open && void this.#refreshMembers(true),
    );
    byId("leave-room").addEventListener("click", () => void this.#leave());
    byId("logout").addEventListener("click", () => void this.#logout());
    byId("toggle-sidebar").addEventListener("click", () => {
      this.#root.dataset.sidebar = this.#root.dataset.sidebar === "open" ? "closed" : "open";
    });
    document.addEventListener("visibilitychange", () => this.#scheduleAck());
    window.addEventListener("focus", () => this.#scheduleAck());
  }

  get #rooms(): ReadonlyMap<string, RoomInfo> {
    return this.#client?.rooms ?? new Map();
  }

  async enter(member: HttpMember): Promise<void> {
    this.#me = member;
    setText(byId("me"), member.username);
    this.#root.hidden = false;
    this.#draw();
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    // Empty token: the comet authenticates the HttpOnly session cookie sent with the upgrade request.
    const client = new ChatClient({
      url: `${scheme}://${location.host}/ws`,
      token: "",
      resumeFrom: "latest",
      clientName: "web",
    });
    this.#client = client;
    client.on("state", (change) => {
      this.#banner.state(change);
      if (change.state === "open") {
        this.#banner.hide();
        // Memberships may have changed while disconnected.
        this.#onRooms();
      }
      if (change.state === "closed" && (change.code === 4001 || change.code === 4010)) {
        this.#leaveChat("Your session has ended. Please log in again.");
      }
    });
    client.on("resumed", (detail) => {
      if (detail.reconnected) this.#banner.resumed(detail.rooms.reduce((n, r) => n + r.replayed, 0));
    });
    client.on("message", (message) => this.#onMessage(message));
    client.on("rooms", () => this.#onRooms());
    client.on("online", () => {
      this.#drawHeader();
      void this.#refreshMembers(false);
    });
    client.on("event", (event) => {
      if (event.roomId === this.#current) void this.#refreshMembers(true);
    });
    try {
      await client.connect();
    } catch (error) {
      if (this.#client === client) this.#leaveChat(`Could not connect: ${messageOf(error)}`);
      return;
    }
    this.#me = { id: client.member?.memberId ?? member.id, username: client.member?.username ?? member.username };
    const last = localStorage.getItem(LAST_ROOM_KEY);
    const first =
      last && client.rooms.has(last) ? last : client.rooms.has("lobby") ? "lobby" : client.rooms.keys().next().value;
    if (first) this.open(first);
    else this.#draw();
  }

  /** Opens a room; `peer` when it is a direct conversation the first message will create. */
  open(roomId: string, peer: { id: number; username: string } | null = null): void {
    this.#flushAck();
    this.#current = roomId;
    this.#peer = peer;
    this.#root.dataset.sidebar = "closed";
    localStorage.setItem(LAST_ROOM_KEY, roomId);
    const conversation = this.#conversations.get(roomId);
    this.#draw();
    this.#composer.focus();
    if (!conversation.loadedLatest) void this.#actions.loadLatest(conversation);
    void this.#refreshMembers(true);
    this.#scheduleAck();
  }

  #openDirect(member: { id: number; username: string }): void {
    const roomId = directRoomId(this.#me.id, member.id);
    if (this.#rooms.has(roomId)) {
      this.open(roomId);
      return;
    }
    const conversation = this.#conversations.get(roomId);
    conversation.loadedLatest = true;
    conversation.hasOlder = false;
    this.open(roomId, member);
  }

  #conversation(): Conversation | null {
    return this.#current ? this.#conversations.get(this.#current) : null;
  }

  #onMessage(message: ChatMessage): void {
    this.#conversations.get(message.roomId).add(message);
    if (message.roomId === this.#current) {
      this.#renderMessages();
      this.#scheduleAck();
    }
    this.#renderSidebar();
  }

  #onRooms(): void {
    if (this.#peer && this.#current && this.#rooms.has(this.#current)) this.#peer = null;
    if (this.#current && !this.#peer && !this.#rooms.has(this.#current) && this.#client?.state === "open") {
      // Left elsewhere (another tab): move to a room the member still has.
      const next = this.#rooms.has("lobby") ? "lobby" : this.#rooms.keys().next().value;
      if (next) this.open(next);
      else this.#current = null;
    }
    this.#draw();
  }

  /** Acks the open room up to its newest message a moment after it changed (only while the page is visible). */
  #scheduleAck(): void {
    clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
    if (document.visibilityState !== "visible") return;
    this.#ackTimer = setTimeout(() => this.#flushAck(), ACK_DELAY_MS);
  }

  /** Sends the scheduled ack now (before switching rooms, so that the room left is marked read). */
  #flushAck(): void {
    if (this.#ackTimer === undefined) return;
    clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
    const roomId = this.#current;
    const room = roomId ? this.#rooms.get(roomId) : undefined;
    if (!roomId || !room || room.lastSeq <= room.ackedSeq || this.#client?.state !== "open") return;
    this.#client.ack(roomId, room.lastSeq).catch(() => undefined);
  }

  async #refreshMembers(force: boolean): Promise<void> {
    const roomId = this.#current;
    if (!roomId || !this.#members.open) return;
    if (this.#peer) {
      this.#members.render([], this.#me.id);
      return;
    }
    if (!force && Date.now() - this.#membersLoadedAt < MEMBERS_REFRESH_MS) return;
    this.#membersLoadedAt = Date.now();
    try {
      const { members } = await this.#http.members(roomId, { limit: 200 });
      if (roomId === this.#current) this.#members.render(members, this.#me.id);
    } catch (error) {
      this.#members.showError(messageOf(error));
    }
  }

  async #join(roomId: string): Promise<void> {
    try {
      await this.#clientOrThrow().join(roomId);
      this.open(roomId);
    } catch (error) {
      this.#banner.show(`Could not join ${roomId}: ${messageOf(error)}`, "error", 4000);
    }
  }

  async #create(roomId: string, name: string): Promise<string | null> {
    try {
      await this.#clientOrThrow().join(roomId, { create: true, name: name || roomId });
      this.open(roomId);
      return null;
    } catch (error) {
      return messageOf(error);
    }
  }

  async #leave(): Promise<void> {
    const roomId = this.#current;
    if (!roomId || !this.#client) return;
    try {
      await this.#client.leave(roomId);
    } catch (error) {
      this.#banner.show(`Could not leave: ${messageOf(error)}`, "error", 4000);
      return;
    }
    this.#conversations.delete(roomId);
    this.#current = null;
    this.#onRooms();
    const next = this.#rooms.has("lobby") ? "lobby" : this.#rooms.keys().next().value;
    if (next) this.open(next);
  }

  async #logout(): Promise<void> {
    const client = this.#client;
    this.#client = null;
    await client?.close();
    await this.#http.logout().catch(() => undefined);
    this.#leaveChat("");
  }

  #leaveChat(message: string): void {
    const client = this.#client;
    this.#client = null;
    void client?.close();
    this.#conversations.clear();
    this.#current = null;
    this.#peer = null;
    this.#banner.hide();
    this.#root.hidden = true;
    this.#onSignedOut(message);
  }

  #clientOrThrow(): ChatClient {
    if (!this.#client) throw new ChatClientError("closed", "not connected");
    return this.#client;
  }

  #draw(): void {
    this.#drawHeader();
    this.#sidebar.render(this.#rooms, this.#current);
    this.#drawMessages();
  }

  #drawHeader(): void {
    const room = this.#current ? this.#rooms.get(this.#current) : undefined;
    const online = this.#current ? this.#client?.online.get(this.#current) : undefined;
    this.#header.render(room, this.#peer, online);
  }

  #drawMessages(): void {
    const empty = this.#current ? "No messages yet. Say hello!" : "Join or create a room to start chatting.";
    this.#list.render(this.#conversation(), empty);
  }
}
