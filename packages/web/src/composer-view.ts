import { byId, setText } from "./dom.ts";

/**
 * The message box: Enter sends, Shift+Enter starts a new line; it grows with its text up to a limit. Typing in it
 * tells `onTyping` (the SDK sends at most one typing signal per room every few seconds).
 */
export class ComposerView {
  readonly #form = byId<HTMLFormElement>("composer");
  readonly #input = byId<HTMLTextAreaElement>("composer-input");
  readonly #button = this.#form.querySelector("button") as HTMLButtonElement;
  readonly #notice = byId("composer-notice");

  /** `onSend` returns false to keep the text in the box (nothing was sent). */
  constructor(onSend: (text: string) => boolean, onTyping: () => void = () => {}) {
    const submit = () => {
      const text = this.#input.value;
      if (!text.trim()) return;
      if (onSend(text)) {
        this.#input.value = "";
        this.#fit();
      }
    };
    this.#form.addEventListener("submit", (event) => {
      event.preventDefault();
      submit();
    });
    this.#input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        submit();
      }
    });
    this.#input.addEventListener("input", () => {
      this.#fit();
      if (this.#input.value.trim() !== "") onTyping();
    });
  }

  setEnabled(enabled: boolean, placeholder: string): void {
    this.#input.disabled = !enabled;
    this.#button.disabled = !enabled;
    this.#input.placeholder = placeholder;
  }

  /** A line above the box saying why it cannot be used (a mute); "" hides it. */
  notice(text: string): void {
    setText(this.#notice, text);
    this.#notice.hidden = text === "";
  }

  focus(): void {
    if (!this.#input.disabled) this.#input.focus();
  }

  #fit(): void {
    this.#input.style.height = "auto";
    this.#input.style.height = `${this.#input.scrollHeight + 2}px`;
  }
}
