import { byId } from "./dom.ts";

/** The message box: Enter sends, Shift+Enter starts a new line; it grows with its text up to a limit. */
export class ComposerView {
  readonly #form = byId<HTMLFormElement>("composer");
  readonly #input = byId<HTMLTextAreaElement>("composer-input");
  readonly #button = this.#form.querySelector("button") as HTMLButtonElement;

  /** `onSend` returns false to keep the text in the box (nothing was sent). */
  constructor(onSend: (text: string) => boolean) {
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
    this.#input.addEventListener("input", () => this.#fit());
  }

  setEnabled(enabled: boolean, placeholder: string): void {
    this.#input.disabled = !enabled;
    this.#button.disabled = !enabled;
    this.#input.placeholder = placeholder;
  }

  focus(): void {
    if (!this.#input.disabled) this.#input.focus();
  }

  #fit(): void {
    this.#input.style.height = "auto";
    this.#input.style.height = `${this.#input.scrollHeight + 2}px`;
  }
}
