// Command-line parsing on node:util parseArgs, with per-command help.
import { parseArgs } from "node:util";
import { UsageError } from "./errors";

export type OptionSpec = {
  type: "string" | "boolean";
  /** Placeholder shown in help, e.g. "EMAIL". */
  value?: string;
  description: string;
  required?: boolean;
};

export type Values = Record<string, string | boolean | undefined>;

export type Command = {
  /** Full name, e.g. "users create". */
  name: string;
  summary: string;
  /** Extra paragraph for --help. */
  details?: string;
  options: Record<string, OptionSpec>;
  run(values: Values): Promise<number | void>;
};

export function commandHelp(command: Command): string {
  const required = Object.entries(command.options).filter(([, o]) => o.required);
  const optional = Object.entries(command.options).filter(([, o]) => !o.required);
  const flag = ([name, o]: [string, OptionSpec]) => `--${name}${o.type === "string" ? ` ${o.value ?? "VALUE"}` : ""}`;
  const usage = [`clusterdeck ${command.name}`, ...required.map(flag), ...optional.map((o) => `[${flag(o)}]`)].join(" ");
  const rows = [...Object.entries(command.options), ["help", { type: "boolean", description: "Show this help" }] as [string, OptionSpec]];
  const width = Math.max(...rows.map((r) => flag(r).length));
  const lines = [`Usage: ${usage}`, "", command.summary];
  if (command.details) lines.push("", command.details);
  lines.push("", "Options:", ...rows.map((r) => `  ${flag(r).padEnd(width)}  ${r[1].description}`));
  return lines.join("\n") + "\n";
}

/** Parses a command's flags; returns null when --help was asked for. */
export function parseCommand(command: Command, argv: string[]): Values | null {
  refusePasswordFlag(argv);
  let values: Values;
  try {
    const parsed = parseArgs({
      args: argv,
      options: {
        ...Object.fromEntries(Object.entries(command.options).map(([name, o]) => [name, { type: o.type }])),
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    });
    values = parsed.values as Values;
  } catch (error) {
    // parseArgs explains "--" positional tricks after the first sentence; keep it short.
    const message = error instanceof Error ? error.message.split(". ")[0]!.replace(/\.$/, "") : String(error);
    throw new UsageError(message, command.name);
  }
  if (values.help) return null;
  for (const [name, o] of Object.entries(command.options)) {
    if (o.required && (values[name] === undefined || values[name] === "")) {
      throw new UsageError(`--${name} is required`, command.name);
    }
  }
  return values;
}

/** Passwords on the command line end up in shell history and `ps`: refuse them by name. */
export function refusePasswordFlag(argv: string[]): void {
  if (argv.some((a) => a === "--password" || a.startsWith("--password="))) {
    throw new UsageError(
      "--password is not accepted: a password on the command line ends up in shell history and `ps`.\n" +
        "Pipe it on stdin (first line) or set CLUSTERDECK_PASSWORD; on a terminal you will be prompted.",
    );
  }
}

export function str(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === "string" ? v : undefined;
}
