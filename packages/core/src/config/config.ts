/**
 * One schema per service: each setting names its environment variable, default, parser and description.
 * load() fails at start with a message naming the variable when a value is invalid; describe() feeds the README
 * configuration table.
 */
export interface Setting<T> {
  env: string;
  description: string;
  default: T;
  parse(raw: string, env: string): T;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

export type ConfigOf<S extends Record<string, Setting<unknown>>> = { [K in keyof S]: S[K]["default"] };

export function loadConfig<S extends Record<string, Setting<unknown>>>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<ConfigOf<S>> = {},
): ConfigOf<S> {
  const out: Record<string, unknown> = {};
  for (const [name, setting] of Object.entries(schema)) {
    if (name in overrides) {
      out[name] = (overrides as Record<string, unknown>)[name];
      continue;
    }
    const raw = env[setting.env];
    out[name] = raw === undefined || raw === "" ? setting.default : setting.parse(raw.trim(), setting.env);
  }
  return out as ConfigOf<S>;
}

export function describeConfig(
  schema: Record<string, Setting<unknown>>,
): Array<{ env: string; default: string; description: string }> {
  return Object.values(schema).map((s) => ({
    env: s.env,
    default: Array.isArray(s.default) ? s.default.join(",") : s.default === null ? "" : String(s.default),
    description: s.description,
  }));
}

export const setting = {
  string(env: string, defaultValue: string, description: string): Setting<string> {
    return { env, description, default: defaultValue, parse: (raw) => raw };
  },
  int(
    env: string,
    defaultValue: number,
    description: string,
    range: { min?: number; max?: number } = {},
  ): Setting<number> {
    return {
      env,
      description,
      default: defaultValue,
      parse(raw, name) {
        const value = Number(raw);
        if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(value))
          throw new ConfigError(`${name} must be an integer, got "${raw}"`);
        if (range.min !== undefined && value < range.min)
          throw new ConfigError(`${name} must be at least ${range.min}, got ${value}`);
        if (range.max !== undefined && value > range.max)
          throw new ConfigError(`${name} must be at most ${range.max}, got ${value}`);
        return value;
      },
    };
  },
  bool(env: string, defaultValue: boolean, description: string): Setting<boolean> {
    return {
      env,
      description,
      default: defaultValue,
      parse(raw, name) {
        if (/^(1|true|yes|on)$/i.test(raw)) return true;
        if (/^(0|false|no|off)$/i.test(raw)) return false;
        throw new ConfigError(`${name} must be true or false, got "${raw}"`);
      },
    };
  },
  oneOf<const T extends string>(env: string, choices: readonly T[], defaultValue: T, description: string): Setting<T> {
    return {
      env,
      description: `${description} (one of: ${choices.join(", ")})`,
      default: defaultValue,
      parse(raw, name) {
        if (!(choices as readonly string[]).includes(raw)) {
          throw new ConfigError(`${name} must be one of ${choices.join(", ")}, got "${raw}"`);
        }
        return raw as T;
      },
    };
  },
  list(env: string, defaultValue: string[], description: string): Setting<string[]> {
    return {
      env,
      description,
      default: defaultValue,
      parse: (raw) =>
        raw
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s.length > 0),
    };
  },
};
