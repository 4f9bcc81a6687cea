// Which code runs each operation kind. Typed by the registry
// (lib/operations/kinds.ts): a kind without an executor does not compile.
import type { OperationKind } from "@/lib/operations/kinds";
import type { Executor } from "@/worker/operations";
import { deployExecutor } from "@/worker/deploy";
import { drainExecutor, maintenanceExecutor, resumeExecutor } from "@/worker/node-ops";
import { promoteExecutor, rebuildExecutor } from "@/worker/db-ops";

export function allExecutors(): Record<OperationKind, Executor> {
  return {
    "config.deploy": deployExecutor(),
    "node.drain": drainExecutor,
    "node.resume": resumeExecutor,
    "node.maintenance": maintenanceExecutor,
    "db.promote": promoteExecutor(),
    "db.rebuild": rebuildExecutor,
  };
}
