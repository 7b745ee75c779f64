import type { StateChange } from "@chatroom/client";
import { byId, setText } from "./dom.ts";

/** The connection state: a dot and word in the top bar, and a banner while reconnecting or just after. */
export class BannerView {
  readonly #banner = byId("banner");
  readonly #state = byId("connection-state");
  #hideTimer: ReturnType<typeof setTimeout> | undefined;

  state(change: StateChange): void {
    this.#state.dataset.state = change.state;
    setText(this.#state, LABELS[change.state]);
    if (change.state === "reconnecting") {
      const delayMs = change.delayMs ?? 0;
      const when = delayMs < 1000 ? "now" : `in ${Math.round(delayMs / 1000)}s`;
      this.show(`Reconnecting… (attempt ${change.attempt ?? 1}, next try ${when})`, "warn", 0, "reconnecting");
    }
  }

  /** After a reconnect: how many missed messages were caught up. */
  resumed(replayed: number): void {
    const text =
      replayed > 0
        ? `Reconnected — caught up on ${replayed} missed message${replayed === 1 ? "" : "s"}`
        : "Reconnected";
    this.show(text, "ok", 3000, "resumed");
  }

  show(text: string, kind: "ok" | "warn" | "error", hideAfterMs: number, status: string = kind): void {
    clearTimeout(this.#hideTimer);
    setText(this.#banner, text);
    this.#banner.dataset.kind = kind;
    this.#banner.dataset.status = status;
    this.#banner.hidden = false;
    if (hideAfterMs > 0) this.#hideTimer = setTimeout(() => this.hide(), hideAfterMs);
  }

  hide(): void {
    clearTimeout(this.#hideTimer);
    this.#banner.hidden = true;
  }
}

const LABELS: Record<StateChange["state"], string> = {
  connecting: "connecting",
  authenticating: "connecting",
  open: "online",
  reconnecting: "reconnecting",
  closed: "offline",
};
