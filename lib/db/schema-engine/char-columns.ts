// PostgreSQL's one-byte `"char"` type (OID 18, e.g. pg_constraint.contype),
// which the engine's introspection queries return, made to survive the trip
// through adapter-pg. adapter-pg cannot decode OID 18, so a pg.Client
// subclass reports it as `text` (OID 25); the engine then reads those columns
// as `char` and panics on Text (any CHECK constraint, every NOT NULL on
// PostgreSQL 18), so the adapter's queryRaw reports them as ColumnType
// Character again. Both halves are needed.
import { ColumnTypeEnum } from "@prisma/driver-adapter-utils";
import pg from "pg";

const CHAR_OID = 18;
const TEXT_OID = 25;

/**
 * Result rows arrays that contained `"char"` columns -> those column indexes.
 * adapter-pg passes the `rows` array through unchanged, which lets the
 * adapter-level `queryRaw` wrapper restore the proper column type.
 */
const charColumnsByRows = new WeakMap<unknown[], number[]>();

type FieldLike = { dataTypeID: number };
function markCharFields<T>(result: T): T {
  for (const r of Array.isArray(result) ? result : [result]) {
    const { fields, rows } = (r ?? {}) as { fields?: FieldLike[]; rows?: unknown[] };
    if (!Array.isArray(fields)) continue;
    const charColumns: number[] = [];
    fields.forEach((f, i) => {
      if (f.dataTypeID === CHAR_OID) {
        f.dataTypeID = TEXT_OID;
        charColumns.push(i);
      }
    });
    if (charColumns.length > 0 && Array.isArray(rows)) charColumnsByRows.set(rows, charColumns);
  }
  return result;
}

/**
 * pg.Client that reports PostgreSQL's internal one-byte `"char"` type
 * (OID 18, e.g. pg_constraint.contype) as `text` (OID 25): adapter-pg throws
 * "Column type 'char' could not be deserialized" on OID 18 otherwise.
 */
export class CharAsTextClient extends pg.Client {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    const last = args[args.length - 1];
    if (typeof last === "function") {
      args[args.length - 1] = (err: unknown, res: unknown) => last(err, err ? res : markCharFields(res));
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      return (super.query as any)(...args);
    }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const ret = (super.query as any)(...args);
    return ret && typeof ret.then === "function" ? ret.then(markCharFields) : ret;
  }
}

type Queryable = {
  queryRaw(q: unknown): Promise<{ columnTypes: number[]; rows: unknown[][] }>;
};

/**
 * Reporting "char" as Text is not enough on its own: the engine's describer
 * reads e.g. `constraint_type` with `get_expect_char`, which panics on a Text
 * value (any CHECK constraint, and on PostgreSQL 18 every NOT NULL
 * constraint). So for those columns we report ColumnType Character.
 */
export function restoreCharColumns<Q extends Queryable>(q: Q): Q {
  const queryRaw = q.queryRaw.bind(q);
  q.queryRaw = async (query) => {
    const result = await queryRaw(query);
    const charColumns = charColumnsByRows.get(result.rows);
    if (charColumns) for (const i of charColumns) result.columnTypes[i] = ColumnTypeEnum.Character;
    return result;
  };
  return q;
}
