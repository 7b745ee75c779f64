/** The slice of a pino logger logic uses; pino's Logger satisfies it. */
export interface LogicLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export const silentLogger: LogicLogger = {
  info() {},
  warn() {},
  error() {},
};
