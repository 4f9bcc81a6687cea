// Whether a stopped member can simply follow the new primary, without pg_rewind:
// its data must hold nothing the new primary's history does not. Read from
// pg_controldata (the member) and the new primary's timeline history. Pure.

/** "16/B374D848" → a number of bytes. */
export function parseLsn(text: string): bigint {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text.trim());
  if (!m) throw new Error(`not an LSN: ${text.slice(0, 40)}`);
  return (BigInt(`0x${m[1]}`) << 32n) | BigInt(`0x${m[2]}`);
}

export function formatLsn(lsn: bigint): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

export type ControlData = {
  state: string;
  checkpoint: bigint;
  checkpointTli: number;
  /** 0 when none (a primary shut down cleanly). */
  minRecoveryPoint: bigint;
  minRecoveryTli: number;
};

/** The fields of pg_controldata's output a follow decision needs; throws when one is missing. */
export function parseControlData(text: string): ControlData {
  // A damaged pg_control still prints, under a warning that its values are untrustworthy.
  if (/untrustworthy|CRC checksum does not match/i.test(text)) throw new Error("pg_control is damaged (its checksum does not match)");
  const field = (label: string) => {
    const line = text.split("\n").find((l) => l.startsWith(`${label}:`));
    if (line === undefined) throw new Error(`pg_controldata printed no "${label}"`);
    return line.slice(label.length + 1).trim();
  };
  return {
    state: field("Database cluster state"),
    checkpoint: parseLsn(field("Latest checkpoint location")),
    checkpointTli: Number(field("Latest checkpoint's TimeLineID")),
    minRecoveryPoint: parseLsn(field("Minimum recovery ending location")),
    minRecoveryTli: Number(field("Min recovery ending loc's timeline")),
  };
}

/** One line of a NNNNNNNN.history file: timeline `tli` ended at `end`, where its child began. */
export type HistoryEntry = { tli: number; end: bigint };

export function parseHistory(text: string): HistoryEntry[] {
  const out: HistoryEntry[] = [];
  for (const line of text.split("\n")) {
    const m = /^\s*(\d+)\s+([0-9A-Fa-f]+\/[0-9A-Fa-f]+)/.exec(line);
    if (m) out.push({ tli: Number(m[1]), end: parseLsn(m[2]!) });
  }
  return out;
}

/** The history file's name of timeline `tli`, as in pg_wal/. */
export function historyFileName(tli: number): string {
  return `${tli.toString(16).toUpperCase().padStart(8, "0")}.history`;
}

export type Source = {
  /** The timeline the new primary writes. */
  tli: number;
  /** pg_current_wal_lsn() on it. */
  lsn: bigint;
  /** Its timeline's history (null when it could not be read; [] on timeline 1). */
  history: HistoryEntry[] | null;
};

export type FollowDecision = { follow: boolean; why: string };

// A cluster left this way holds no change past the positions pg_controldata
// shows: a clean shutdown writes nothing after its checkpoint, and a standby
// flushes no page past its minimum recovery point (PostgreSQL's own rule for
// standbys surviving a crash). A crashed primary has no such bound.
const BOUNDED_STATES = new Set(["shut down", "shut down in recovery", "in archive recovery"]);

/**
 * Whether the member (pg_controldata, and its own timeline's history when it
 * is past timeline 1) can start as a standby of the source as it is. The same
 * test pg_rewind makes before saying "no rewind required": the last checkpoint
 * lies before the fork point (records start before it, so end at it at the
 * latest) and the minimum recovery point at or before it. Undecided cases
 * (history unreadable) say no: pg_rewind then decides.
 */
export function followDecision(member: ControlData, memberHistory: HistoryEntry[] | null, source: Source): FollowDecision {
  if (!BOUNDED_STATES.has(member.state)) return { follow: false, why: `it was not shut down cleanly (${member.state})` };
  if (member.checkpointTli > source.tli) return { follow: false, why: `it is on timeline ${member.checkpointTli}, past the new primary's ${source.tli}` };
  if (source.history === null && member.checkpointTli !== source.tli) return { follow: false, why: "the new primary's timeline history could not be read" };
  if (member.checkpointTli > 1) {
    // Same timeline number is not the same timeline unless it forked from the same place.
    if (memberHistory === null) return { follow: false, why: `its own history of timeline ${member.checkpointTli} is missing` };
    const theirs = new Map((source.history ?? []).map((e) => [e.tli, e.end]));
    if (memberHistory.some((e) => theirs.get(e.tli) !== e.end)) return { follow: false, why: "its timeline history differs from the new primary's" };
  }
  const endOf = (tli: number): bigint | null => {
    if (tli === source.tli) return source.lsn;
    return (source.history ?? []).find((e) => e.tli === tli)?.end ?? null;
  };
  const forkAt = endOf(member.checkpointTli);
  if (forkAt === null) return { follow: false, why: `timeline ${member.checkpointTli} is not in the new primary's history` };
  if (member.checkpoint >= forkAt)
    return {
      follow: false,
      why: `its last checkpoint ${formatLsn(member.checkpoint)} is not before ${formatLsn(forkAt)}, where the new primary's history leaves timeline ${member.checkpointTli}`,
    };
  if (member.minRecoveryPoint !== 0n) {
    const minAt = endOf(member.minRecoveryTli);
    if (minAt === null || member.minRecoveryPoint > minAt)
      return {
        follow: false,
        why: `its minimum recovery point ${formatLsn(member.minRecoveryPoint)} (timeline ${member.minRecoveryTli}) is not in the new primary's history`,
      };
  }
  return {
    follow: true,
    why:
      member.checkpointTli === source.tli
        ? `its last checkpoint ${formatLsn(member.checkpoint)} is on the new primary's timeline ${source.tli}, behind it`
        : `its last checkpoint ${formatLsn(member.checkpoint)} on timeline ${member.checkpointTli} is before the fork at ${formatLsn(forkAt)}`,
  };
}
