import { ChatClientError } from "@chatroom/client";

/** The ChatClientError code a call failed with, "resolved" when it did not fail (for asserting on refusals). */
export async function failureCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "resolved";
  } catch (error) {
    return error instanceof ChatClientError ? error.code : String(error);
  }
}
