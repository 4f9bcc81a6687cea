import type { Logger } from "pino";

export declare function createLogger(options: {
  role: () => string;
  mask: (fields: Record<string, unknown>) => Record<string, unknown>;
  redactPaths: string[];
  censor: string;
}): Logger;
export declare const REDACT_PATHS: string[];
export declare function maskPlainStrings<T>(value: T, censor: string): T;
