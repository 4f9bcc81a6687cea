"use client";
// A load balancer's pool: who is in it, and (for admins) adding, re-weighting
// and removing members. Writes go through the API; the page's server data is
// refreshed afterwards.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useId, useRef, useState, useTransition } from "react";
import { Dialog, DialogActions } from "@/components/ui/dialog";
import { StatusBadge } from "@/components/ui/badge";
import { zodFieldErrors } from "@/components/ui/form-errors";
import { actionsColumn, DataTable, RowHeaderLink } from "@/components/ui/table";
import { poolMemberCreate, poolMemberUpdate } from "@/lib/inventory/schemas";
import { useAddPoolMember, useRemovePoolMember, useUpdatePoolMember } from "@/lib/inventory/queries";
import { useDialog } from "@/components/inventory/dialogs";
import { FormActions, FormAlert, Select, TextInput } from "@/components/inventory/form-parts";
import { changedFields, numberMessage, parseNumber, requestErrors, reword, useFormErrors } from "@/components/inventory/form-utils";
import { address, adminStateLabels, healthLabels, type AdminState, type Health } from "@/components/inventory/labels";

export type PoolMemberRow = { nodeId: string; name: string; host: string; port: number; weight: number; backup: boolean; health: string; adminState: string };
export type PoolCandidate = { id: string; name: string; host: string; port: number; weight: number; health: string; adminState: string };

type Props = {
  loadBalancerId: string;
  loadBalancerName: string;
  clusterId: string;
  clusterName: string;
  members: PoolMemberRow[];
  candidates: PoolCandidate[];
  canWrite: boolean;
};

const stateText = (n: { health: string; adminState: string }) =>
  `${healthLabels[n.health as Health] ?? n.health}, ${(adminStateLabels[n.adminState as AdminState] ?? n.adminState).toLowerCase()}`;

export function PoolMembers({ loadBalancerId, loadBalancerName, clusterId, clusterName, members, candidates, canWrite }: Props) {
  const router = useRouter();
  const [refreshing, startRefresh] = useTransition();
  const [status, setStatus] = useState("");
  const addButton = useRef<HTMLButtonElement>(null);
  const adding = useDialog();
  const changing = useDialog<PoolMemberRow>();
  const removing = useDialog<PoolMemberRow>();

  const done = (message: string) => {
    setStatus(message);
    startRefresh(() => router.refresh());
  };

  const inRotation = members.filter((m) => !m.backup && m.adminState === "ACTIVE");
  const backups = members.filter((m) => m.backup).length;

  return (
    <div className="stack">
      <div className="row" style={{ justifyContent: "space-between" }}>
        <p className="muted" style={{ margin: 0 }}>
          {members.length === 0
            ? "No nodes in this pool yet."
            : `${members.length} member${members.length === 1 ? "" : "s"}: ${inRotation.length} active in rotation, ${backups} backup${backups === 1 ? "" : "s"}.`}
        </p>
        {canWrite && (
          <button ref={addButton} type="button" className="btn btn-primary" onClick={(e) => adding.show(true, e.currentTarget)}>
            Add node to pool
          </button>
        )}
      </div>
      {members.length > 0 && inRotation.length === 0 && (
        <div className="alert alert-warn">No member is active and in rotation: this balancer has no primary node to send traffic to.</div>
      )}
      <p role="status" aria-live="polite" className="sr-only">
        {status}
      </p>
      {members.length === 0 ? (
        <div className="card empty">
          {canWrite
            ? `Put nodes of cluster ${clusterName} behind ${loadBalancerName} with Add node to pool.`
            : `No nodes of cluster ${clusterName} are behind ${loadBalancerName} yet.`}
        </div>
      ) : (
        <DataTable label="Pool members" busy={refreshing} columns={["Node", "Address", "Weight", "Backup", "Health", "Admin state", canWrite && actionsColumn]}>
          {members.map((m) => (
            <tr key={m.nodeId}>
              <RowHeaderLink href={`/nodes/${m.nodeId}`}>{m.name}</RowHeaderLink>
              <td className="mono">{address(m.host, m.port)}</td>
              <td>{m.weight === 0 ? <span title="Weight 0 takes no new traffic">0 (no new traffic)</span> : m.weight}</td>
              <td>{m.backup ? "Yes" : "No"}</td>
              <td>
                <StatusBadge value={m.health} />
              </td>
              <td>
                <StatusBadge value={m.adminState} />
              </td>
              {canWrite && (
                <td>
                  <span className="row">
                    <button type="button" className="btn btn-sm" onClick={(e) => changing.show(m, e.currentTarget)}>
                      Change<span className="sr-only"> {m.name}</span>
                    </button>
                    <button type="button" className="btn btn-sm btn-danger" onClick={(e) => removing.show(m, e.currentTarget)}>
                      Remove<span className="sr-only"> {m.name}</span>
                    </button>
                  </span>
                </td>
              )}
            </tr>
          ))}
        </DataTable>
      )}

      {canWrite && adding.open && (
        // Titles stay clear of the field labels ("Node", "Weight", "Backup") so a label finds one control.
        <Dialog open title="Add a member to the pool" onClose={adding.hide}>
          {candidates.length === 0 ? (
            <>
              <p>
                {members.length > 0 ? `Every node of cluster ${clusterName} is already in this pool.` : `Cluster ${clusterName} has no nodes yet.`} A pool only
                takes nodes of its own cluster.
              </p>
              <div className="dialog-actions">
                <Link className="btn" href={`/nodes/new?clusterId=${encodeURIComponent(clusterId)}`}>
                  Create a node in {clusterName}
                </Link>
                <button type="button" className="btn" onClick={adding.hide}>
                  Close
                </button>
              </div>
            </>
          ) : (
            <AddMemberForm
              loadBalancerId={loadBalancerId}
              candidates={candidates}
              onCancel={adding.hide}
              onDone={(name) => {
                adding.hide();
                done(`${name} added to the pool.`);
              }}
            />
          )}
        </Dialog>
      )}

      {canWrite && changing.value && (
        <Dialog open title="Change pool member" onClose={changing.hide}>
          <ChangeMemberForm
            loadBalancerId={loadBalancerId}
            member={changing.value}
            onCancel={changing.hide}
            onDone={(name) => {
              changing.hide();
              done(`${name} changed.`);
            }}
          />
        </Dialog>
      )}

      {canWrite && removing.value && (
        <Dialog open title="Remove from pool" onClose={removing.hide}>
          <RemoveMember
            loadBalancerId={loadBalancerId}
            loadBalancerName={loadBalancerName}
            member={removing.value}
            lastInRotation={inRotation.length === 1 && inRotation[0]?.nodeId === removing.value.nodeId}
            onCancel={removing.hide}
            onDone={(name) => {
              removing.hide();
              // The row (and its button) is gone: the focus goes to "Add node to pool".
              requestAnimationFrame(() => addButton.current?.focus());
              done(`${name} removed from the pool.`);
            }}
          />
        </Dialog>
      )}
    </div>
  );
}

function WeightInput({ value, onChange, error }: { value: string; onChange: (value: string) => void; error?: string }) {
  return (
    <TextInput
      label="Weight"
      name="weight"
      value={value}
      onChange={onChange}
      error={error}
      hint="0 to 256, relative to the other members; 0 takes no new traffic."
      numeric
    />
  );
}

function BackupCheckbox({ checked, onChange }: { checked: boolean; onChange: (v: boolean) => void }) {
  const hintId = useId();
  return (
    <div className="field">
      <label className="checkbox">
        <input type="checkbox" name="backup" checked={checked} onChange={(e) => onChange(e.target.checked)} aria-describedby={hintId} />
        Backup
      </label>
      <span id={hintId} className="hint">
        A backup takes traffic only when no other member can.
      </span>
    </div>
  );
}

function AddMemberForm({
  loadBalancerId,
  candidates,
  onCancel,
  onDone,
}: {
  loadBalancerId: string;
  candidates: PoolCandidate[];
  onCancel: () => void;
  onDone: (name: string) => void;
}) {
  const add = useAddPoolMember(loadBalancerId);
  const only = candidates.length === 1 ? candidates[0] : undefined;
  const [nodeId, setNodeId] = useState(only?.id ?? "");
  const [weight, setWeight] = useState(String(only?.weight ?? 100));
  const [weightTouched, setWeightTouched] = useState(false);
  const [backup, setBackup] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const form = useFormErrors(["nodeId", "weight", "backup"], formRef);
  const chosen = candidates.find((c) => c.id === nodeId);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (add.isPending) return;
    const parsed = poolMemberCreate.safeParse({ nodeId, weight: parseNumber(weight), backup });
    if (!parsed.success) {
      const wording = { nodeId: nodeId ? undefined : "Choose a node", weight: numberMessage(weight, "Weight", 0, 256) };
      return form.fail(reword(zodFieldErrors(parsed.error), wording), "Check the highlighted fields.");
    }
    form.clear();
    try {
      await add.mutateAsync(parsed.data);
      onDone(chosen?.name ?? "The node");
    } catch (error) {
      const { fields, message } = requestErrors(error, ["nodeId", "weight", "backup"]);
      form.fail(fields, message);
    }
  }

  return (
    <form ref={formRef} className="form" onSubmit={onSubmit} noValidate>
      <FormAlert message={form.message} />
      <Select
        label="Node"
        name="nodeId"
        value={nodeId}
        onChange={(id) => {
          setNodeId(id);
          form.clearField("nodeId");
          // The node's own weight is the natural default until the person types one.
          const picked = candidates.find((c) => c.id === id);
          if (picked && !weightTouched) setWeight(String(picked.weight));
        }}
        error={form.errors.nodeId}
        placeholder={only ? undefined : "Choose a node…"}
        hint={chosen ? `${address(chosen.host, chosen.port)} · ${stateText(chosen)}` : "Nodes of this cluster that are not in the pool yet."}
        options={candidates.map((c) => ({ value: c.id, label: c.name }))}
      />
      <WeightInput
        value={weight}
        onChange={(v) => {
          setWeight(v);
          setWeightTouched(true);
          form.clearField("weight");
        }}
        error={form.errors.weight}
      />
      <BackupCheckbox checked={backup} onChange={setBackup} />
      <FormActions pending={add.isPending} submitLabel="Add to pool" pendingLabel="Adding…" onCancel={onCancel} />
    </form>
  );
}

function ChangeMemberForm({
  loadBalancerId,
  member,
  onCancel,
  onDone,
}: {
  loadBalancerId: string;
  member: PoolMemberRow;
  onCancel: () => void;
  onDone: (name: string) => void;
}) {
  const update = useUpdatePoolMember(loadBalancerId);
  const [weight, setWeight] = useState(String(member.weight));
  const [backup, setBackup] = useState(member.backup);
  const formRef = useRef<HTMLFormElement>(null);
  const form = useFormErrors(["weight", "backup"], formRef);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (update.isPending) return;
    const patch = changedFields<Record<string, unknown>>({ weight: member.weight, backup: member.backup }, { weight: parseNumber(weight), backup });
    if (Object.keys(patch).length === 0) return form.fail({}, "Nothing has changed.");
    const parsed = poolMemberUpdate.safeParse(patch);
    if (!parsed.success) {
      return form.fail(reword(zodFieldErrors(parsed.error), { weight: numberMessage(weight, "Weight", 0, 256) }), "Check the highlighted fields.");
    }
    form.clear();
    try {
      await update.mutateAsync({ nodeId: member.nodeId, body: parsed.data });
      onDone(member.name);
    } catch (error) {
      const { fields, message } = requestErrors(error, ["weight", "backup"]);
      form.fail(fields, message);
    }
  }

  return (
    <form ref={formRef} className="form" onSubmit={onSubmit} noValidate>
      <p style={{ margin: 0 }}>
        <strong>{member.name}</strong> <span className="mono">{address(member.host, member.port)}</span> <span className="muted">({stateText(member)})</span>
      </p>
      <FormAlert message={form.message} />
      <WeightInput
        value={weight}
        onChange={(v) => {
          setWeight(v);
          form.clearField("weight");
        }}
        error={form.errors.weight}
      />
      <BackupCheckbox checked={backup} onChange={setBackup} />
      <FormActions pending={update.isPending} submitLabel="Save changes" pendingLabel="Saving…" onCancel={onCancel} />
    </form>
  );
}

function RemoveMember({
  loadBalancerId,
  loadBalancerName,
  member,
  lastInRotation,
  onCancel,
  onDone,
}: {
  loadBalancerId: string;
  loadBalancerName: string;
  member: PoolMemberRow;
  lastInRotation: boolean;
  onCancel: () => void;
  onDone: (name: string) => void;
}) {
  const remove = useRemovePoolMember(loadBalancerId);
  const [error, setError] = useState<string | null>(null);

  async function confirm() {
    setError(null);
    try {
      await remove.mutateAsync(member.nodeId);
      onDone(member.name);
    } catch (e) {
      setError(requestErrors(e, []).message);
    }
  }

  return (
    <>
      <p style={{ margin: 0 }}>
        <strong>{member.name}</strong> (<span className="mono">{address(member.host, member.port)}</span>) leaves the pool of {loadBalancerName}. The node
        itself stays in the inventory.
      </p>
      {lastInRotation && (
        <div className="alert alert-warn">
          It is the only active member in rotation: without it, {loadBalancerName} has only backups (or nothing) to send traffic to.
        </div>
      )}
      {error && (
        <div className="alert alert-error" role="alert">
          {error}
        </div>
      )}
      <DialogActions
        onCancel={onCancel}
        lockCancel
        onConfirm={confirm}
        tone="danger"
        label="Remove from pool"
        pendingLabel="Removing…"
        pending={remove.isPending}
      />
    </>
  );
}
