import { byId, setText } from "./dom.ts";

/** "bob is typing…" under the open room's messages (the SDK expires indicators a few seconds after the last one). */
export class TypingLineView {
  readonly #line = byId("typing-line");

  render(names: readonly string[]): void {
    setText(this.#line, typingText(names));
  }
}

export function typingText(names: readonly string[]): string {
  if (names.length === 0) return "";
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return "Several people are typing…";
}
