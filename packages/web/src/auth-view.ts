import { byId, setText } from "./dom.ts";

export type AuthAction = "login" | "register";

/** The login / register form. `onSubmit` resolves with an error text, or null when the user is in. */
export class AuthView {
  readonly #root = byId("auth");
  readonly #form = byId<HTMLFormElement>("auth-form");
  readonly #username = byId<HTMLInputElement>("auth-username");
  readonly #password = byId<HTMLInputElement>("auth-password");
  readonly #error = byId("auth-error");

  constructor(onSubmit: (action: AuthAction, username: string, password: string) => Promise<string | null>) {
    this.#form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const submitter = (event as SubmitEvent).submitter as HTMLButtonElement | null;
      const action: AuthAction = submitter?.value === "register" ? "register" : "login";
      const username = this.#username.value.trim();
      const password = this.#password.value;
      if (!username || !password) {
        setText(this.#error, "Enter a username and a password.");
        return;
      }
      this.#busy(true);
      setText(this.#error, "");
      const error = await onSubmit(action, username, password);
      this.#busy(false);
      if (error) setText(this.#error, error);
      else this.#password.value = "";
    });
  }

  show(message = ""): void {
    setText(this.#error, message);
    this.#root.hidden = false;
    this.#username.focus();
  }

  hide(): void {
    this.#root.hidden = true;
  }

  #busy(busy: boolean): void {
    for (const button of this.#form.querySelectorAll("button")) button.disabled = busy;
  }
}
