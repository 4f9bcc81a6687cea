// What an operation is called and where it leads back to, per kind: shared by
// the operation page (server) and lists. Params are read through the kind's
// schema (lib/operations/kinds.ts); an unreadable one still gets a title.
import { isOperationKind, operationKinds, readParams, type OperationKind, type ParamsOf } from "@/lib/operations/kinds";

type Link = { href: string; label: string };
export type OperationHeading = { title: string; back: Link; section: Link; subject: string };

const headings: { [K in OperationKind]: (p: ParamsOf<K>, subjectId: string) => Omit<OperationHeading, "title"> & { name: string } } = {
  "config.deploy": (p, scope) => ({
    name: `revision #${p.revisionNumber}`,
    subject: scope,
    back: { href: `/config/${scope}`, label: "Back to the configuration" },
    section: { href: "/config", label: "Configuration" },
  }),
  "node.drain": (p, id) => nodeHeading(p.nodeName, id),
  "node.resume": (p, id) => nodeHeading(p.nodeName, id),
  "node.maintenance": (p, id) => nodeHeading(p.nodeName, id),
  "db.promote": (p) => databaseHeading(p.candidateName, p.candidateId),
  // A rebuild names its member like a promotion names its candidate.
  "db.rebuild": (p, id) => databaseHeading(p.memberName, id),
};

function nodeHeading(name: string, id: string) {
  return { name, subject: name, back: { href: `/nodes/${id}`, label: `Back to ${name}` }, section: { href: "/nodes", label: "App nodes" } };
}

function databaseHeading(name: string, id: string) {
  return { name, subject: name, back: { href: `/databases/${id}`, label: `Back to ${name}` }, section: { href: "/databases", label: "Databases" } };
}

export function operationHeading(op: { kind: string; subjectId: string; params: unknown }): OperationHeading {
  if (!isOperationKind(op.kind)) return unknownHeading(op);
  return headingOf(op.kind, op.params, op.subjectId) ?? unknownHeading(op);
}

function headingOf<K extends OperationKind>(kind: K, raw: unknown, subjectId: string): OperationHeading | null {
  const params = readParams(kind, raw);
  if (!params) return null;
  const { name, ...rest } = headings[kind](params, subjectId);
  return { title: `${operationKinds[kind].label} of ${name}`, ...rest };
}

function unknownHeading(op: { kind: string; subjectId: string }): OperationHeading {
  return {
    title: `${op.kind} of ${op.subjectId}`,
    subject: op.subjectId,
    back: { href: "/events", label: "Back to events" },
    section: { href: "/events", label: "Events" },
  };
}
