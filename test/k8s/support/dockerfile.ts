/** One instruction of a Dockerfile: keyword, its arguments (continuations joined), and its stage. */
export interface Instruction {
  keyword: string;
  args: string;
  stage: string;
}

export interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARG defaults declared before the first FROM. */
  globalArgs: Record<string, string>;
  stages: Stage[];
  stage(name: string): Stage;
}

/** Parses a Dockerfile without heredocs: comments dropped, `\` continuations joined, instructions grouped by stage. */
export function parseDockerfile(text: string): Dockerfile {
  const logical: string[] = [];
  let current = "";
  for (const line of text.split("\n")) {
    if (current === "" && /^\s*#/.test(line)) continue;
    if (/^\s*#/.test(line)) continue; // a comment inside a continued instruction
    if (line.trimEnd().endsWith("\\")) {
      current += `${line.trimEnd().slice(0, -1)} `;
      continue;
    }
    current += line;
    if (current.trim() !== "") logical.push(current.trim());
    current = "";
  }
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of logical) {
    const [keyword = "", ...rest] = line.split(/\s+/);
    const args = rest.join(" ");
    const upper = keyword.toUpperCase();
    if (upper === "FROM") {
      const match = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!match) throw new Error(`cannot read FROM ${args}`);
      const from = (match[1] ?? "").replace(/^\$\{(\w+)\}$/, (_, name: string) => globalArgs[name] ?? "");
      stages.push({ name: match[2] ?? String(stages.length), from, instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) {
      if (upper === "ARG") {
        const [name = "", value = ""] = args.split("=");
        globalArgs[name] = value;
      }
      continue;
    }
    stage.instructions.push({ keyword: upper, args, stage: stage.name });
  }
  return {
    globalArgs,
    stages,
    stage(name) {
      const found = stages.find((s) => s.name === name);
      if (!found) throw new Error(`no stage ${name}`);
      return found;
    },
  };
}

/** The stages a stage builds on (FROM another stage), nearest first, itself included. */
export function lineage(dockerfile: Dockerfile, name: string): Stage[] {
  const chain: Stage[] = [];
  for (let stage: Stage | undefined = dockerfile.stage(name); stage; ) {
    chain.push(stage);
    const parent: string = stage.from;
    stage = dockerfile.stages.find((s) => s.name === parent);
  }
  return chain;
}

/** Whether .dockerignore lets a path of the build context in (last matching pattern wins; `!` re-includes). */
export function dockerignoreIncludes(patterns: string[], path: string): boolean {
  const segments = path.split("/");
  let included = true;
  for (const raw of patterns) {
    const negated = raw.startsWith("!");
    const pattern = (negated ? raw.slice(1) : raw).replace(/^\/+|\/+$/g, "");
    const regex = new RegExp(
      `^${pattern
        .split("/")
        .map((part) =>
          part === "**"
            ? ".*"
            : part
                .replace(/[.+^${}()|[\]\\]/g, "\\$&")
                .replace(/\*/g, "[^/]*")
                .replace(/\?/g, "[^/]"),
        )
        .join("/")}$`,
    );
    // A pattern matches the path or any folder it is in.
    const matches = segments.some((_, i) => regex.test(segments.slice(0, i + 1).join("/")));
    if (matches) included = negated;
  }
  return included;
}

export function readDockerignore(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}
