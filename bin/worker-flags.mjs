/**
 * V8 settings for the worker (`clusterdeck start` and `clusterdeck worker`), measured with bench/monitor-cost/ at 2,000
 * agents (worker RSS max 447 MB without them, 241 MB with them):
 * - An explicit old-space ceiling. Without one V8 sizes the heap limit from
 *   the host's memory and then lets the heap grow up to 4× its live set
 *   between full collections; the worker's live set is ~60 MB but its heap
 *   reached 260 MB. With a 1 GiB ceiling (still 16× the live set, so no risk
 *   of running out) V8 grows it by ~1.6× instead.
 * - Liftoff only for WebAssembly: Prisma's query compiler is wasm, and the
 *   optimised second copy of its code cost ~50 MB for no gain we could measure.
 */
export const WORKER_V8_FLAGS = ["--max-old-space-size=1024", "--liftoff-only"];
