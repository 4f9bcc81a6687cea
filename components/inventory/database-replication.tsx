"use client";
// A database member's replication as its agent reports it now. A primary: the
// standbys streaming from it (as pg_stat_replication lists them), its
// replication slots and its WAL archiving. A replica: its WAL receiver, the
// primary it follows, how far it has received and replayed and how far behind
// that is; slots and archiving only when it has any of its own (cascading,
// archive_mode = always). Polled (lib/inventory/queries.ts), not streamed.
import Link from "next/link";
import { useId } from "react";
import { StatusBadge } from "@/components/ui/badge";
import { DataTable, rowHeader } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { bytes } from "@/components/inventory/labels";
import { useDatabaseReplication } from "@/lib/inventory/queries";
import type { DatabaseReplicationWire } from "@/lib/inventory/schemas";

const seconds = (v: number | null | undefined) => (v === null || v === undefined ? "—" : `${v < 10 ? v.toFixed(2) : Math.round(v)} s`);
const upper = (v: string | null | undefined) => (v ?? "").toUpperCase();

function MemberName({ member, fallback }: { member: { id: string; name: string } | null; fallback: string }) {
  if (!member) return <>{fallback || <span className="muted">unnamed</span>}</>;
  return (
    <>
      <Link href={`/databases/${member.id}`}>{member.name}</Link>
      {fallback && fallback !== member.name && <span className="muted"> ({fallback})</span>}
    </>
  );
}

function Standbys({ data }: { data: DatabaseReplicationWire }) {
  return (
    <DataTable
      label="Standbys"
      columns={["Standby", "Address", "State", "Sync", "Sent", "Written", "Flushed", "Replayed", "Lag", "Replay lag", "Slot", "Connected"]}
      empty={data.replicas.length === 0 ? "No standby is streaming from this server." : undefined}
    >
      {data.replicas.map((r, i) => (
        <tr key={`${r.applicationName}:${r.clientAddr}:${i}`}>
          <th scope="row" style={rowHeader}>
            <MemberName member={r.member} fallback={r.applicationName} />
          </th>
          <td className="mono">{r.clientAddr ?? "local"}</td>
          <td>
            <StatusBadge value={upper(r.state)} />
          </td>
          <td>
            {r.syncState}
            {r.syncPriority ? <span className="muted"> (priority {r.syncPriority})</span> : null}
          </td>
          <td className="mono">{r.sentLsn ?? "—"}</td>
          <td className="mono">{r.writeLsn ?? "—"}</td>
          <td className="mono">{r.flushLsn ?? "—"}</td>
          <td className="mono">{r.replayLsn ?? "—"}</td>
          <td className="mono">{bytes(r.lagBytes)}</td>
          <td className="mono" title={`write ${seconds(r.writeLagSeconds)}, flush ${seconds(r.flushLagSeconds)}`}>
            {seconds(r.replayLagSeconds)}
          </td>
          <td className="mono">{r.slotName ?? <span className="muted">none</span>}</td>
          <td>
            <Time value={r.backendStart ?? null} />
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

function Slots({ data }: { data: DatabaseReplicationWire }) {
  const limit = data.maxSlotWalKeepSize;
  return (
    <>
      <p style={{ margin: 0 }}>
        max_slot_wal_keep_size:{" "}
        {limit === null ? (
          <span className="muted">unknown</span>
        ) : limit < 0 ? (
          <>
            <strong>unlimited</strong>
            {data.slots.some((s) => !s.temporary) && <span className="muted"> — a dead replica&apos;s slot can fill the disk</span>}
          </>
        ) : (
          <span className="mono">{bytes(limit)}</span>
        )}
      </p>
      <DataTable
        label="Replication slots"
        columns={["Slot", "Serves", "Type", "Active", "WAL status", "WAL kept", "Room left", "Restart LSN"]}
        empty={data.slots.length === 0 ? "No replication slot on this server." : undefined}
      >
        {data.slots.map((s) => (
          <tr key={s.name}>
            <th scope="row" className="mono" style={rowHeader}>
              {s.name}
            </th>
            <td>{s.member ? <Link href={`/databases/${s.member.id}`}>{s.member.name}</Link> : <span className="muted">unknown</span>}</td>
            <td>
              {s.type}
              {s.temporary && <span className="muted"> (temporary)</span>}
            </td>
            <td>{s.active ? "yes" : "no"}</td>
            <td>{s.walStatus ? <StatusBadge value={upper(s.walStatus)} /> : <span className="muted">—</span>}</td>
            <td className="mono">{bytes(s.retainedBytes)}</td>
            <td className="mono">{bytes(s.safeWalSize)}</td>
            <td className="mono">{s.restartLsn ?? "—"}</td>
          </tr>
        ))}
      </DataTable>
    </>
  );
}

function Archiving({ archiver }: { archiver: DatabaseReplicationWire["archiver"] }) {
  if (!archiver) return <p className="muted">Not reported by this agent.</p>;
  if (archiver.mode === "off")
    return (
      <p data-testid="archive-status" style={{ margin: 0 }}>
        <strong>Archiving off</strong> <span className="muted">(archive_mode = off): no WAL is kept for point-in-time recovery</span>
      </p>
    );
  return (
    <dl className="props" data-testid="archive-status">
      <dt>Status</dt>
      <dd>
        <StatusBadge value={archiver.failing ? "FAILING" : "ARCHIVING"} />{" "}
        <span className="muted">
          archive_mode = {archiver.mode}
          {!archiver.configured && ", but no archive_command or archive_library is set"}
        </span>
      </dd>
      <dt>Archived</dt>
      <dd>
        {archiver.archivedCount} files; last <span className="mono">{archiver.lastArchivedWal ?? "—"}</span> <Time value={archiver.lastArchivedAt} />
      </dd>
      <dt>Failed</dt>
      <dd>
        {archiver.failedCount} attempts
        {archiver.lastFailedWal && (
          <>
            ; last <span className="mono">{archiver.lastFailedWal}</span> <Time value={archiver.lastFailedAt} />
          </>
        )}
      </dd>
    </dl>
  );
}

function Receiver({ receiver, follows, slot }: { receiver: NonNullable<DatabaseReplicationWire["receiver"]>; follows: Member | null; slot: string | null }) {
  return (
    <dl className="props" data-testid="wal-receiver">
      <dt>WAL receiver</dt>
      <dd>
        <StatusBadge value={receiver.status ? upper(receiver.status) : "STOPPED"} />
        {!receiver.status && <span className="muted"> not receiving WAL from any primary</span>}
      </dd>
      <dt>Follows</dt>
      <dd>{follows ? <Link href={`/databases/${follows.id}`}>{follows.name}</Link> : <span className="muted">no primary in the inventory</span>}</dd>
      <dt>Timeline</dt>
      <dd className="mono">{receiver.timeline ?? "—"}</dd>
      <dt>Received up to</dt>
      <dd className="mono">{receiver.receivedLsn ?? "—"}</dd>
      <dt>Replayed up to</dt>
      <dd className="mono">
        {receiver.replayedLsn ?? "—"}
        {receiver.replayPaused && <strong> (replay paused)</strong>}
      </dd>
      <dt>Replay lag</dt>
      <dd className="mono" data-testid="replay-lag">
        {bytes(receiver.lagBytes)} · {seconds(receiver.lagSeconds)}
      </dd>
      <dt>Slot on its primary</dt>
      <dd>{slot ? <span className="mono">{slot}</span> : <span className="muted">none (WAL it needs is not reserved for it)</span>}</dd>
    </dl>
  );
}

type Member = { id: string; name: string };

export function DatabaseReplication({ id, primary, follows }: { id: string; primary: boolean; follows: Member | null }) {
  const { data, error, isPending } = useDatabaseReplication(id);
  const titleId = useId();
  return (
    <section className="stack" aria-labelledby={titleId} data-testid="database-replication">
      <h2 id={titleId} style={{ margin: 0 }}>
        Replication
      </h2>
      {isPending ? (
        <p className="muted">Asking its agent…</p>
      ) : !data ? (
        <div className="alert alert-warn">Could not ask: {error?.message ?? "no answer"}</div>
      ) : data.problem ? (
        <p className="muted">{data.problem}</p>
      ) : (
        <>
          {(primary || data.replicas.length > 0) && (
            <div className="card stack">
              <h3 style={{ margin: 0 }}>Standbys</h3>
              <Standbys data={data} />
            </div>
          )}
          {data.receiver && (
            <div className="card stack">
              <h3 style={{ margin: 0 }}>Following its primary</h3>
              <Receiver receiver={data.receiver} follows={follows} slot={data.primarySlotName} />
            </div>
          )}
          {(!data.receiver || data.slots.length > 0) && (
            <div className="card stack">
              <h3 style={{ margin: 0 }}>Replication slots</h3>
              <Slots data={data} />
            </div>
          )}
          {/* A standby archives only with archive_mode = always; otherwise its primary does. */}
          {(!data.receiver || data.archiver?.mode === "always") && (
            <div className="card stack">
              <h3 style={{ margin: 0 }}>WAL archiving</h3>
              <Archiving archiver={data.archiver} />
            </div>
          )}
        </>
      )}
    </section>
  );
}
