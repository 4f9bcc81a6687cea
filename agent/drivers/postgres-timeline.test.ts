// The follow decision: a member starts as a standby without pg_rewind only when
// nothing it holds lies past the new primary's history.
import { describe, expect, it } from "vitest";
import { type ControlData, followDecision, formatLsn, historyFileName, parseControlData, parseHistory, parseLsn } from "./postgres-timeline";

const CONTROLDATA = `pg_control version number:            1300
Database cluster state:               shut down
Latest checkpoint location:           0/3018B80
Latest checkpoint's REDO location:    0/3018B80
Latest checkpoint's TimeLineID:       1
Latest checkpoint's PrevTimeLineID:   1
Minimum recovery ending location:     0/0
Min recovery ending loc's timeline:   0
`;

describe("parsing", () => {
  it("LSNs", () => {
    expect(parseLsn("16/B374D848")).toBe(0x16b374d848n);
    expect(formatLsn(0x16b374d848n)).toBe("16/B374D848");
    expect(() => parseLsn("nope")).toThrow(/not an LSN/);
  });

  it("pg_controldata", () => {
    expect(parseControlData(CONTROLDATA)).toEqual({ state: "shut down", checkpoint: 0x3018b80n, checkpointTli: 1, minRecoveryPoint: 0n, minRecoveryTli: 0 });
    expect(() => parseControlData("Database cluster state: shut down\n")).toThrow(/Latest checkpoint location/);
    const damaged = `WARNING: Calculated CRC checksum does not match value stored in file.\nThe results below are untrustworthy.\n\n${CONTROLDATA}`;
    expect(() => parseControlData(damaged)).toThrow(/pg_control is damaged/);
  });

  it("timeline history files", () => {
    expect(parseHistory("1\t0/3000158\tno recovery target specified\n\n# comment\n2\t0/5000000\tbefore 2000-01-01\n")).toEqual([
      { tli: 1, end: 0x3000158n },
      { tli: 2, end: 0x5000000n },
    ]);
    expect(historyFileName(2)).toBe("00000002.history");
    expect(historyFileName(26)).toBe("0000001A.history");
  });
});

describe("followDecision", () => {
  const member = (over: Partial<ControlData> = {}): ControlData => ({
    state: "shut down",
    checkpoint: 0x3000028n,
    checkpointTli: 1,
    minRecoveryPoint: 0n,
    minRecoveryTli: 0,
    ...over,
  });
  const source = { tli: 2, lsn: 0x4000000n, history: [{ tli: 1, end: 0x30000a0n }] };

  it("a clean shutdown before the fork: follow", () => {
    expect(followDecision(member(), null, source)).toEqual({
      follow: true,
      why: "its last checkpoint 0/3000028 on timeline 1 is before the fork at 0/30000A0",
    });
  });

  it("a checkpoint at or after the fork, or a crash: pg_rewind", () => {
    expect(followDecision(member({ checkpoint: 0x30000a0n }), null, source)).toMatchObject({
      follow: false,
      why: expect.stringMatching(/is not before 0\/30000A0/),
    });
    expect(followDecision(member({ state: "in production" }), null, source)).toMatchObject({
      follow: false,
      why: "it was not shut down cleanly (in production)",
    });
  });

  it("a rewound member (in archive recovery) whose minimum recovery point is on the new primary's timeline, behind it: follow", () => {
    const rewound = member({ state: "in archive recovery", minRecoveryPoint: 0x3500000n, minRecoveryTli: 2 });
    expect(followDecision(rewound, null, source).follow).toBe(true);
    expect(followDecision({ ...rewound, minRecoveryPoint: 0x4000001n }, null, source).follow).toBe(false);
    expect(followDecision({ ...rewound, minRecoveryPoint: 0x30000a1n, minRecoveryTli: 1 }, null, source).follow).toBe(false);
  });

  it("undecided (history unreadable, timeline unknown or ahead, another fork with the same number): pg_rewind", () => {
    expect(followDecision(member(), null, { ...source, history: null }).why).toMatch(/could not be read/);
    expect(followDecision(member({ checkpointTli: 3 }), null, source).why).toMatch(/past the new primary's 2/);
    // Same timeline number: its own history must match the new primary's.
    const onTwo = member({ checkpointTli: 2, checkpoint: 0x3800000n });
    expect(followDecision(onTwo, [{ tli: 1, end: 0x30000a0n }], source).follow).toBe(true);
    expect(followDecision(onTwo, [{ tli: 1, end: 0x3000200n }], source).why).toMatch(/history differs/);
    expect(followDecision(onTwo, null, source).why).toMatch(/history of timeline 2 is missing/);
    expect(followDecision(member({ checkpointTli: 1 }), null, { tli: 3, lsn: 0x5000000n, history: [{ tli: 2, end: 0x4000000n }] }).why).toMatch(
      /timeline 1 is not in the new primary's history/,
    );
  });
});
