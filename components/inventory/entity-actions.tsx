"use client";
// The admin's Edit and Delete on each detail page. Rendered only for a role
// that may write the inventory; the API refuses everyone else regardless.
import { ClusterForm } from "@/components/inventory/cluster-form";
import { LoadBalancerForm, type LoadBalancerFormInitial } from "@/components/inventory/load-balancer-form";
import { NodeForm, type NodeFormInitial } from "@/components/inventory/node-form";
import { DatabaseForm, type DatabaseFormInitial } from "@/components/inventory/database-form";
import { PoolerForm, type PoolerFormInitial } from "@/components/inventory/pooler-form";
import { DeleteButton, EditButton } from "@/components/inventory/dialogs";

type Note = { deleteNote?: React.ReactNode };

export function ClusterActions({ id, initial, deleteNote }: { id: string; initial: { name: string; description: string; environment: string } } & Note) {
  return (
    <>
      <EditButton title="Edit cluster">{(close) => <ClusterForm mode="edit" id={id} initial={initial} onDone={close} onCancel={close} />}</EditButton>
      <DeleteButton entity="clusters" id={id} what="cluster" name={initial.name} redirectTo="/clusters">
        {deleteNote}
      </DeleteButton>
    </>
  );
}

export function LoadBalancerActions({ id, clusterName, initial, deleteNote }: { id: string; clusterName: string; initial: LoadBalancerFormInitial } & Note) {
  return (
    <>
      <EditButton title="Edit load balancer">
        {(close) => <LoadBalancerForm mode="edit" id={id} clusterName={clusterName} initial={initial} onDone={close} onCancel={close} />}
      </EditButton>
      <DeleteButton entity="load-balancers" id={id} what="load balancer" name={initial.name} redirectTo="/load-balancers">
        {deleteNote}
      </DeleteButton>
    </>
  );
}

export function NodeActions({ id, clusterName, initial, deleteNote }: { id: string; clusterName: string; initial: NodeFormInitial } & Note) {
  return (
    <>
      <EditButton title="Edit node">
        {(close) => <NodeForm mode="edit" id={id} clusterName={clusterName} initial={initial} onDone={close} onCancel={close} />}
      </EditButton>
      <DeleteButton entity="nodes" id={id} what="node" name={initial.name} redirectTo="/nodes">
        {deleteNote}
      </DeleteButton>
    </>
  );
}

export function DatabaseActions({
  id,
  clusterName,
  otherPrimary,
  initial,
  deleteNote,
}: { id: string; clusterName: string; otherPrimary: string | null; initial: DatabaseFormInitial } & Note) {
  return (
    <>
      <EditButton title="Edit database">
        {(close) => (
          <DatabaseForm mode="edit" id={id} clusterName={clusterName} otherPrimary={otherPrimary} initial={initial} onDone={close} onCancel={close} />
        )}
      </EditButton>
      <DeleteButton entity="databases" id={id} what="database" name={initial.name} redirectTo="/databases">
        {deleteNote}
      </DeleteButton>
    </>
  );
}

export function PoolerActions({
  id,
  clusterId,
  clusterName,
  initial,
  deleteNote,
}: { id: string; clusterId: string; clusterName: string; initial: PoolerFormInitial } & Note) {
  return (
    <>
      <EditButton title="Edit pooler">
        {(close) => <PoolerForm mode="edit" id={id} clusterName={clusterName} initial={initial} onDone={close} onCancel={close} />}
      </EditButton>
      <DeleteButton entity="poolers" id={id} what="pooler" name={initial.name} redirectTo={`/clusters/${clusterId}`}>
        {deleteNote}
      </DeleteButton>
    </>
  );
}
