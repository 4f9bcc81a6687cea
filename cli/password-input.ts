// Passwords come from CLUSTERDECK_PASSWORD or stdin, never from argv: piped
// stdin gives its first line; a terminal is prompted without echo.
import { passwordSchema } from "@/lib/auth/schemas";
import { cliEnv } from "./env";
import { CliError, UsageError } from "./errors";
import { shutdown } from "./lifecycle";

export async function readNewPassword(): Promise<string> {
  const fromEnv = cliEnv().CLUSTERDECK_PASSWORD;
  let password: string;
  if (fromEnv !== undefined) {
    password = fromEnv;
  } else if (process.stdin.isTTY) {
    password = await promptHidden("Password: ");
    const again = await promptHidden("Repeat password: ");
    if (again !== password) throw new CliError("The two passwords differ; nothing was changed.");
  } else {
    const line = await readFirstLine(process.stdin);
    if (line === null) {
      throw new UsageError("No password given: pipe it on stdin (first line) or set CLUSTERDECK_PASSWORD.");
    }
    password = line;
  }
  const parsed = passwordSchema.safeParse(password);
  if (!parsed.success) throw new UsageError(`Password not accepted: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
  return parsed.data;
}

function readFirstLine(stream: NodeJS.ReadStream): Promise<string | null> {
  return new Promise((resolve, reject) => {
    let buffer = "";
    const finish = (value: string | null) => {
      stream.off("data", onData);
      stream.off("end", onEnd);
      stream.off("error", reject);
      stream.pause();
      stream.destroy(); // we want nothing more from stdin; let the process end
      resolve(value === null ? null : value.replace(/\r$/, ""));
    };
    const onData = (chunk: string) => {
      buffer += chunk;
      const newline = buffer.indexOf("\n");
      if (newline >= 0) finish(buffer.slice(0, newline));
    };
    const onEnd = () => finish(buffer.length > 0 ? buffer : null);
    stream.setEncoding("utf8");
    stream.on("data", onData);
    stream.on("end", onEnd);
    stream.on("error", reject);
  });
}

function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.setEncoding("utf8");
  stdin.resume();
  return new Promise((resolve) => {
    let chars: string[] = [];
    const done = () => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
    };
    const onData = (input: string) => {
      for (const ch of input) {
        if (ch === "\r" || ch === "\n" || ch === "\u0004") {
          done();
          resolve(chars.join(""));
          return;
        }
        if (ch === "\u0003") {
          // Raw mode swallows Ctrl-C's SIGINT: act on it ourselves.
          done();
          void shutdown(130);
          return;
        }
        if (ch === "\u007f" || ch === "\b") chars = chars.slice(0, -1);
        else if (ch === "\u0015")
          chars = []; // Ctrl-U
        else if (ch >= " ") chars.push(ch);
      }
    };
    stdin.on("data", onData);
  });
}
