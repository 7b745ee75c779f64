import {
  ChatClient,
  ChatClientError,
  type ChatHttp,
  type ChatMessage,
  type HttpMember,
  type RoomEvent,
  RoomEventType,
  type RoomInfo,
} from "@chatroom/client";
import { Attention } from "./attention.ts";
import { BannerView } from "./banner-view.ts";
import { ComposerView } from "./composer-view.ts";
import { type Conversation, Conversations } from "./conversation.ts";
import { ConversationHeaderView } from "./conversation-header-view.ts";
import { byId, frameScheduler, setText } from "./dom.ts";
import { messageOf } from "./error-text.ts";
import { Invitations } from "./invitations.ts";
import { MembersPanel } from "./members-panel.ts";
import { MessageActions } from "./message-actions.ts";
import { MessageListView } from "./message-list-view.ts";
import { deleteEvent, editEvent, MessageRevisionControls } from "./message-revisions.ts";
import { ReadCursors } from "./read-cursors.ts";
import { ReadMarker } from "./read-marker.ts";
import { directRoomId, roomTitle } from "./room-ids.ts";
import { ownEventNotice } from "./room-notices.ts";
import { SidebarView } from "./sidebar-view.ts";
import { TypingLineView } from "./typing-line-view.ts";

const LAST_ROOM_KEY = "chatroom.lastRoom";

/** Events that change who is in a room (and so its member list and read cursors). */
const MEMBERSHIP_EVENTS: ReadonlySet<RoomEventType> = new Set([
  RoomEventType.ROOM_EVENT_TYPE_JOINED,
  RoomEventType.ROOM_EVENT_TYPE_LEFT,
  RoomEventType.ROOM_EVENT_TYPE_KICKED,
  RoomEventType.ROOM_EVENT_TYPE_BANNED,
]);

/**
 * The signed-in chat: one ChatClient (cookie-authenticated WebSocket), the views, and what is open. `enter` starts
 * it for a member; it calls `onSignedOut` when the session ends (logout, or the server rejecting the cookie).
 */
export class ChatApp {
  readonly #http: ChatHttp;
  readonly #onSignedOut: (message: string) => void;
  readonly #conversations = new Conversations();
  readonly #cursors = new ReadCursors();
  readonly #root = byId("app");
  readonly #banner = new BannerView();
  readonly #attention = new Attention();
  readonly #sidebar: SidebarView;
  readonly #invitations: Invitations;
  readonly #list: MessageListView;
  readonly #composer: ComposerView;
  readonly #header: ConversationHeaderView;
  readonly #typingLine = new TypingLineView();
  readonly #members: MembersPanel;
  readonly #actions: MessageActions;
  readonly #revisions: MessageRevisionControls;
  readonly #reads = new ReadMarker(
    () => this.#client,
    () => (this.#current ? { roomId: this.#current, room: this.#currentRoom() } : null),
  );
  readonly #renderMessages = frameScheduler(() => this.#drawMessages());
  readonly #renderSidebar = frameScheduler(() => this.#drawSidebar());
  #client: ChatClient | null = null;
  #me: HttpMember = { id: 0, username: "" };
  #current: string | null = null;
  /** The other member of a direct conversation that will be created by the first message. */
  #peer: { id: number; username: string } | null = null;
  #muteTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(http: ChatHttp, onSignedOut: (message: string) => void) {
    this.#http = http;
    this.#onSignedOut = onSignedOut;
    this.#sidebar = new SidebarView({
      onOpen: (roomId) => this.open(roomId),
      onJoin: (roomId) => this.#join(roomId),
      onCreate: (roomId, name, isPrivate) => this.#create(roomId, name, isPrivate),
      listRooms: (after) => this.#http.listRooms({ after, limit: 50 }),
    });
    this.#invitations = new Invitations({
      http,
      client: () => this.#client,
      join: (roomId) => this.#join(roomId),
      notify: (text) => this.#banner.show(text, "error", 4000),
      me: () => this.#me.id,
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
        actionsFor: (message) => this.#revisions.actionsFor(message),
        onSaveEdit: (message, text) => this.#revisions.save(message, text),
      },
      () => this.#me.id,
    );
    this.#revisions = new MessageRevisionControls({
      client: () => this.#client,
      me: () => this.#me.id,
      room: (roomId) => this.#rooms.get(roomId),
      startEdit: (message) => this.#list.startEdit(message),
      applied: (event) => this.#onRevision(event),
      notify: (text) => this.#banner.show(text, "error", 4000),
    });
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
    this.#composer = new ComposerView(
      (text) => this.#actions.send(text),
      () => {
        if (this.#current && !this.#peer) void this.#client?.typing(this.#current);
      },
    );
    this.#header = new ConversationHeaderView(this.#composer);
    this.#members = new MembersPanel({
      http,
      client: () => this.#client,
      open: () =>
        this.#current ? { roomId: this.#current, room: this.#currentRoom(), peer: this.#peer !== null } : null,
      me: () => this.#me.id,
      onMembers: (roomId, members) => {
        this.#cursors.seed(roomId, members);
        this.#renderMessages();
      },
      onMessage: (member) => this.#openDirect(member),
      notify: (text) => this.#banner.show(text, "error", 4000),
    });
    byId("leave-room").addEventListener("click", () => void this.#leave());
    byId("logout").addEventListener("click", () => void this.#logout());
    const setSidebar = (open: boolean) => {
      this.#root.dataset.sidebar = open ? "open" : "closed";
    };
    byId("toggle-sidebar").addEventListener("click", () => setSidebar(this.#root.dataset.sidebar !== "open"));
    byId("drawer-backdrop").addEventListener("click", () => setSidebar(false));
    document.addEventListener("visibilitychange", () => {
      this.#reads.schedule();
      this.#renderSidebar();
    });
    window.addEventListener("focus", () => this.#reads.schedule());
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
    client.on("edit", (edit) => this.#onRevision(editEvent(edit)));
    client.on("delete", (deletion) => this.#onRevision(deleteEvent(deletion)));
    client.on("rooms", () => {
      // A role may have changed: moderators get Delete on every message.
      this.#list.invalidate();
      this.#onRooms();
    });
    client.on("online", () => {
      this.#drawHeader();
      void this.#members.refresh(false);
    });
    client.on("event", (event) => this.#onEvent(event));
    client.on("typing", (detail) => {
      if (detail.roomId === this.#current) this.#typingLine.render(detail.members.map((m) => m.username));
    });
    client.on("read", (detail) => {
      if (detail.memberId === this.#me.id) return;
      if (this.#cursors.read(detail.roomId, detail.memberId, detail.username, detail.seq)) {
        if (detail.roomId === this.#current) this.#renderMessages();
      }
    });
    void this.#invitations.load();
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
    this.#reads.flush();
    this.#current = roomId;
    this.#peer = peer;
    this.#root.dataset.sidebar = "closed";
    localStorage.setItem(LAST_ROOM_KEY, roomId);
    const conversation = this.#conversations.get(roomId);
    this.#typingLine.render(this.#client?.typists(roomId).map((m) => m.username) ?? []);
    this.#draw();
    this.#composer.focus();
    if (!conversation.loadedLatest) void this.#actions.loadLatest(conversation);
    void this.#members.refresh(true);
    this.#reads.schedule();
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

  #currentRoom(): RoomInfo | undefined {
    return this.#current ? this.#rooms.get(this.#current) : undefined;
  }

  #onMessage(message: ChatMessage): void {
    this.#conversations.get(message.roomId).add(message);
    if (message.roomId === this.#current) {
      this.#renderMessages();
      this.#reads.schedule();
    }
    this.#renderSidebar();
    const room = this.#rooms.get(message.roomId);
    if (message.senderId !== this.#me.id && room) {
      this.#attention.message(message, roomTitle(room), () => this.open(message.roomId));
    }
  }

  /** An edit or delete (pushed, or the answer to this client's own): the message shows it at once. */
  #onRevision(event: ChatMessage): void {
    if (!this.#conversations.has(event.roomId)) return;
    if (this.#conversations.get(event.roomId).revise(event) && event.roomId === this.#current) this.#renderMessages();
    if (event.roomId === this.#current) this.#reads.schedule();
  }

  #onRooms(): void {
    if (this.#peer && this.#current && this.#rooms.has(this.#current)) this.#peer = null;
    if (this.#current && !this.#peer && !this.#rooms.has(this.#current) && this.#client?.state === "open") {
      // Left elsewhere (another tab), kicked or banned: move to a room the member still has.
      const next = this.#rooms.has("lobby") ? "lobby" : this.#rooms.keys().next().value;
      if (next) this.open(next);
      else this.#current = null;
    }
    this.#draw();
  }

  #onEvent(event: RoomEvent): void {
    if (event.memberId === this.#me.id) {
      const notice = ownEventNotice(event);
      if (notice) this.#banner.show(notice, event.type === RoomEventType.ROOM_EVENT_TYPE_INVITED ? "ok" : "warn", 6000);
      this.#invitations.apply(event);
    } else if (MEMBERSHIP_EVENTS.has(event.type) && event.type !== RoomEventType.ROOM_EVENT_TYPE_JOINED) {
      this.#cursors.forget(event.roomId, event.memberId);
    }
    if (event.roomId === this.#current) {
      void this.#members.refresh(true);
    }
  }

  async #join(roomId: string): Promise<boolean> {
    try {
      await this.#clientOrThrow().join(roomId);
      this.#invitations.used(roomId);
      this.open(roomId);
      return true;
    } catch (error) {
      this.#banner.show(`Could not join ${roomId}: ${messageOf(error)}`, "error", 4000);
      return false;
    }
  }

  async #create(roomId: string, name: string, isPrivate: boolean): Promise<string | null> {
    try {
      await this.#clientOrThrow().join(roomId, { create: true, name: name || roomId, private: isPrivate });
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
    this.#cursors.clear();
    this.#invitations.clear();
    this.#current = null;
    this.#peer = null;
    this.#banner.hide();
    this.#attention.title(0);
    this.#root.hidden = true;
    this.#onSignedOut(message);
  }

  #clientOrThrow(): ChatClient {
    if (!this.#client) throw new ChatClientError("closed", "not connected");
    return this.#client;
  }

  #draw(): void {
    this.#drawHeader();
    this.#drawSidebar();
    this.#drawMessages();
  }

  /** The room list and the unread total in the tab title (the open room counts only while the page is hidden). */
  #drawSidebar(): void {
    const unreadOf = (roomId: string) => this.#client?.unread(roomId) ?? 0;
    this.#sidebar.render(this.#rooms, this.#current, unreadOf);
    const reading = document.visibilityState === "visible" ? this.#current : null;
    let unread = 0;
    for (const room of this.#rooms.values()) if (room.roomId !== reading) unread += unreadOf(room.roomId);
    this.#attention.title(unread);
  }

  #drawHeader(): void {
    const room = this.#currentRoom();
    const online = this.#current ? this.#client?.online.get(this.#current) : undefined;
    clearTimeout(this.#muteTimer);
    const mutedUntil = room?.muted ? (room.mutedUntilMs ?? 0) : null;
    // A timed mute ends by itself: draw the composer again then.
    if (mutedUntil) this.#muteTimer = setTimeout(() => this.#drawHeader(), Math.max(0, mutedUntil - Date.now()) + 50);
    this.#header.render(room, this.#peer, online, mutedUntil);
  }

  #drawMessages(): void {
    const empty = this.#current ? "No messages yet. Say hello!" : "Join or create a room to start chatting.";
    const conversation = this.#conversation();
    const last = conversation?.messages.at(-1);
    const seenBy =
      conversation && last ? this.#cursors.seenBy(conversation.roomId, last.seq, [this.#me.id, last.senderId]) : [];
    this.#list.render(conversation, empty, { seenBy });
  }
}
