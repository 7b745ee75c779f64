/** Every backend is opened by its factory and must be closed; close() is idempotent. */
export interface Closable {
  close(): Promise<void>;
}
