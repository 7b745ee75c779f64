import { ApiError, ChatHttp } from "@chatroom/client";
import { AuthView } from "./auth-view.ts";
import { ChatApp } from "./chat-app.ts";

/**
 * Entry of the web client. The session lives in an HttpOnly cookie set by the login response: nothing secret is
 * kept in script-visible storage, and the WebSocket authenticates with that cookie.
 */
const http = new ChatHttp({ rememberToken: false, credentials: "same-origin" });
const auth = new AuthView(async (action, username, password) => {
  try {
    const result =
      action === "register" ? await http.register(username, password) : await http.login(username, password);
    auth.hide();
    void chat.enter(result.member);
    return null;
  } catch (error) {
    return authErrorText(error);
  }
});
const chat = new ChatApp(http, (message) => auth.show(message));

/** "Am I signed in?" asked without a failed request for a visitor who is not (GET /api/v1/me would be a 401). */
async function boot(): Promise<void> {
  try {
    const { session, reason } = await http.currentSession();
    if (session) void chat.enter(session.member);
    else auth.show(reason === "token_expired" ? "Your session has expired. Please log in again." : "");
  } catch (error) {
    auth.show(authErrorText(error));
  }
}

function authErrorText(error: unknown): string {
  if (error instanceof ApiError) {
    switch (error.code) {
      case "unauthorized":
        return "Wrong username or password.";
      case "username_taken":
        return "That username is taken.";
      case "rate_limited":
        return `Too many attempts; try again in ${Math.ceil(error.retryAfterMs / 1000) || 1}s.`;
      default:
        return error.message;
    }
  }
  return error instanceof Error ? `Network error: ${error.message}` : String(error);
}

void boot();
