"use client";
// The editor of a new revision: a form per kind (app settings; PostgreSQL
// settings as "name = value" lines; HAProxy's knobs and its free-form
// sections), "Validate" to see the exact text with HAProxy's own complaints
// on their lines and the diff against the latest revision, then "Save".
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Field } from "@/components/ui/field";
import { ApiClientError } from "@/lib/http/client";
import type { LocatedProblem as Problem, ValidationAnswer as Validation } from "@/lib/config/schemas";
import { useCreateRevision, useValidateConfig } from "@/lib/config/queries";
import { DiffView, NumberedText } from "./code-view";

type Kind = "APP" | "POSTGRES" | "HAPROXY";
type Input = Record<string, unknown>;

export function ConfigEditor({ scopeKey, kind, initialInput }: { scopeKey: string; kind: Kind; initialInput: Input }) {
  const router = useRouter();
  const validation = useValidateConfig(scopeKey);
  const creation = useCreateRevision(scopeKey);
  const [input, setInput] = useState<Input>(initialInput);
  const [pgText, setPgText] = useState(() => settingsToText((initialInput.settings as Record<string, string>) ?? {}));
  const [message, setMessage] = useState("");
  const [result, setResult] = useState<Validation | null>(null);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState<"validate" | "save" | null>(null);

  const currentInput = (): Input | null => {
    if (kind !== "POSTGRES") return input;
    const parsed = textToSettings(pgText);
    if ("error" in parsed) {
      setError(parsed.error);
      return null;
    }
    return { settings: parsed.settings };
  };

  function showError(e: unknown) {
    if (e instanceof ApiClientError) {
      setError(e.problem.detail ?? e.problem.title);
      setFieldErrors(Object.fromEntries(Object.entries(e.fieldErrors).map(([k, v]) => [k.replace(/^input\./, ""), v])));
      const p = (e.problem as { problems?: Problem[]; content?: string }).problems;
      if (p) setProblems(p);
    } else setError("The console could not be reached.");
  }

  async function validate() {
    const body = currentInput();
    if (!body) return;
    setBusy("validate");
    setError(null);
    setFieldErrors({});
    setProblems([]);
    try {
      const v = await validation.mutateAsync(body);
      setResult(v);
      setProblems(v.problems);
      setFieldErrors(problemsByField(v.problems));
    } catch (e) {
      setResult(null);
      showError(e);
    } finally {
      setBusy(null);
    }
  }

  async function save(e: React.FormEvent) {
    e.preventDefault();
    const body = currentInput();
    if (!body) return;
    setBusy("save");
    setError(null);
    setFieldErrors({});
    setProblems([]);
    try {
      const created = await creation.mutateAsync({ input: body, message });
      router.push(`/config/${scopeKey}?saved=${created.number}`);
      router.refresh();
    } catch (err) {
      setBusy(null);
      showError(err);
    }
  }

  const set = (path: string[], value: unknown) =>
    setInput((prev) => {
      const next = structuredClone(prev);
      let at = next as Record<string, unknown>;
      for (const p of path.slice(0, -1)) at = (at[p] ??= {}) as Record<string, unknown>;
      at[path.at(-1)!] = value;
      return next;
    });

  return (
    <form className="stack" onSubmit={save} noValidate>
      <div className="card stack">
        {kind === "APP" && <AppFields input={input} set={set} errors={fieldErrors} />}
        {kind === "POSTGRES" && (
          <Field
            label="Settings"
            hint="One per line: name = value. Only settings a reload applies are managed (work_mem, statement_timeout, synchronous_commit, …)."
            error={fieldErrors.settings ?? firstUnder(fieldErrors, "settings.")}
          >
            {(p) => <textarea {...p} className="code-input" rows={10} value={pgText} onChange={(e) => setPgText(e.target.value)} spellCheck={false} />}
          </Field>
        )}
        {kind === "HAPROXY" && <HaproxyFields input={input} set={set} errors={fieldErrors} />}
      </div>

      <div className="card stack">
        <Field label="What changed, and why" error={fieldErrors.message}>
          {(p) => <input {...p} value={message} maxLength={500} onChange={(e) => setMessage(e.target.value)} placeholder="e.g. add app-4 to the pool" />}
        </Field>
        {error && (
          <div className="alert alert-error" role="alert">
            {error}
          </div>
        )}
        {problems.length > 0 && (
          <div className="alert alert-error" role="alert">
            <strong>
              {kind === "HAPROXY" ? "The agent refused" : "Validation found"} {problems.length} problem{problems.length === 1 ? "" : "s"}:
            </strong>
            <ul style={{ margin: "4px 0 0" }}>
              {problems.map((p, i) => (
                <li key={i}>
                  {p.line ? `line ${p.line}${p.input ? ` (${FIELD_LABELS[p.input.field] ?? p.input.field}, line ${p.input.line})` : ""}: ` : ""}
                  {p.message}
                </li>
              ))}
            </ul>
          </div>
        )}
        <div className="row">
          <button type="button" className="btn" onClick={validate} disabled={busy !== null}>
            {busy === "validate" ? "Validating…" : "Validate"}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy !== null || message.trim() === ""}>
            {busy === "save" ? "Validating and saving…" : "Save revision"}
          </button>
          {result && problems.length === 0 && <span className="badge badge-ok">Valid</span>}
        </div>
      </div>

      {result && (
        <>
          <section className="stack" aria-labelledby="diff-title">
            <h2 id="diff-title" style={{ margin: 0, fontSize: 16 }}>
              {result.againstRevision ? `Changes against revision ${result.againstRevision}` : "Changes (no revision yet)"}
            </h2>
            <DiffView diff={result.diff} label="Changes against the latest revision" />
          </section>
          <section className="stack" aria-labelledby="content-title">
            <h2 id="content-title" style={{ margin: 0, fontSize: 16 }}>
              The text targets will run
            </h2>
            <NumberedText text={result.content} badLines={problems.map((p) => p.line).filter((l): l is number => l !== null)} label="Rendered configuration" />
          </section>
        </>
      )}
    </form>
  );
}

/** Labels of the free-form HAProxy fields, as the form shows them. */
const FIELD_LABELS: Record<string, string> = {
  globalExtra: "Extra lines in global",
  defaultsExtra: "Extra lines in defaults",
  frontendExtra: "Extra lines in the frontend",
  backendExtra: "Extra lines in the backend",
  extraSections: "Extra sections",
};

/** The first problem typed in each field, for the field's own error line. */
function problemsByField(problems: Problem[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of problems) if (p.input) out[p.input.field] ??= `line ${p.input.line}: ${p.message}`;
  return out;
}

const firstUnder = (errors: Record<string, string>, prefix: string) => Object.entries(errors).find(([k]) => k.startsWith(prefix))?.[1];

type FieldsProps = { input: Input; set: (path: string[], value: unknown) => void; errors: Record<string, string> };
const get = (input: Input, path: string[]): unknown =>
  path.reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined), input);
const str = (v: unknown) => (v === undefined || v === null ? "" : String(v));
const num = (v: string) => (v.trim() === "" ? undefined : Number(v));

function AppFields({ input, set, errors }: FieldsProps) {
  return (
    <>
      <Field label="Database URL (the primary the app writes to)" hint="postgresql://user:password@host:port/database" error={errors["database.url"]}>
        {(p) => (
          <input
            {...p}
            className="mono"
            value={str(get(input, ["database", "url"]))}
            onChange={(e) => set(["database", "url"], e.target.value)}
            spellCheck={false}
          />
        )}
      </Field>
      <Field label="Session idle time (seconds)" error={errors.sessionIdleSeconds}>
        {(p) => (
          <input
            {...p}
            type="number"
            min={5}
            max={86400}
            value={str(get(input, ["sessionIdleSeconds"]))}
            onChange={(e) => set(["sessionIdleSeconds"], num(e.target.value))}
          />
        )}
      </Field>
      <Field label="Log level" error={errors.logLevel}>
        {(p) => (
          <select {...p} value={str(get(input, ["logLevel"])) || "info"} onChange={(e) => set(["logLevel"], e.target.value)}>
            {["debug", "info", "warn", "error"].map((l) => (
              <option key={l}>{l}</option>
            ))}
          </select>
        )}
      </Field>
    </>
  );
}

function HaproxyFields({ input, set, errors }: FieldsProps) {
  const text = (path: string[], label: string, hint?: string, rows = 3) => (
    <Field label={label} hint={hint} error={errors[path.join(".")]}>
      {(p) => (
        <textarea {...p} className="code-input" rows={rows} value={str(get(input, path))} onChange={(e) => set(path, e.target.value)} spellCheck={false} />
      )}
    </Field>
  );
  const line = (path: string[], label: string, hint?: string) => (
    <Field label={label} hint={hint} error={errors[path.join(".")]}>
      {(p) => <input {...p} className="mono" value={str(get(input, path))} onChange={(e) => set(path, e.target.value)} spellCheck={false} />}
    </Field>
  );
  const number = (path: string[], label: string) => (
    <Field label={label} error={errors[path.join(".")]}>
      {(p) => <input {...p} type="number" value={str(get(input, path))} onChange={(e) => set(path, num(e.target.value))} />}
    </Field>
  );
  return (
    <>
      <p className="muted" style={{ margin: 0 }}>
        The frontend, the backend and its servers (weights, backup flags) come from the load balancer and its pool in the inventory. Change the pool there, then
        save a revision here. The admin socket and pidfile are the agent&apos;s own (its config file on the load balancer host), and the agent accepts only a
        safe set of directives and the files its host&apos;s owner lists: Validate shows anything it refuses, on its line.
      </p>
      <div className="grid" style={{ gridTemplateColumns: "repeat(auto-fit, minmax(16em, 1fr))" }}>
        {line(["bind"], "Frontend bind", "host:port; empty: the load balancer's address")}
        <Field label="Balance" error={errors.balance}>
          {(p) => (
            <select {...p} value={str(get(input, ["balance"])) || "roundrobin"} onChange={(e) => set(["balance"], e.target.value)}>
              {["roundrobin", "leastconn", "static-rr", "first", "source"].map((b) => (
                <option key={b}>{b}</option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Sticky cookie" hint="Empty: no sticky sessions" error={errors.stickyCookie}>
          {(p) => (
            <input
              {...p}
              className="mono"
              value={str(get(input, ["stickyCookie"]))}
              onChange={(e) => set(["stickyCookie"], e.target.value.trim() === "" ? null : e.target.value)}
            />
          )}
        </Field>
        {line(["healthCheck", "path"], "Health check path")}
        {number(["healthCheck", "interMs"], "Check interval (ms)")}
        {number(["healthCheck", "fall"], "Fall (failed checks to DOWN)")}
        {number(["healthCheck", "rise"], "Rise (passed checks to UP)")}
        {number(["slowstartSeconds"], "Slow start (s)")}
        {number(["timeouts", "connectMs"], "Timeout connect (ms)")}
        {number(["timeouts", "clientMs"], "Timeout client (ms)")}
        {number(["timeouts", "serverMs"], "Timeout server (ms)")}
        {number(["timeouts", "httpRequestMs"], "Timeout http-request (ms)")}
        {number(["timeouts", "checkMs"], "Timeout check (ms)")}
      </div>
      {text(["globalExtra"], FIELD_LABELS.globalExtra!)}
      {text(["defaultsExtra"], FIELD_LABELS.defaultsExtra!)}
      {text(["frontendExtra"], FIELD_LABELS.frontendExtra!, "e.g. http-request deny if { path_beg /admin }")}
      {text(["backendExtra"], FIELD_LABELS.backendExtra!)}
      {text(["extraSections"], FIELD_LABELS.extraSections!, "Whole sections appended at the end (more frontends, backends, userlists…)", 6)}
    </>
  );
}

function settingsToText(settings: Record<string, string>): string {
  return Object.entries(settings)
    .map(([k, v]) => `${k} = ${v}`)
    .join("\n");
}

function textToSettings(text: string): { settings: Record<string, string> } | { error: string } {
  const settings: Record<string, string> = {};
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.replace(/#.*$/, "").trim();
    if (!line) continue;
    const m = /^([a-z_]+)\s*=\s*'?([^']*?)'?$/.exec(line);
    if (!m) return { error: `Line ${i + 1} is not "name = value": ${raw.trim()}` };
    settings[m[1]!] = m[2]!;
  }
  return { settings };
}
