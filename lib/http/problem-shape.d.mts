export declare const PROBLEM_CONTENT_TYPE: string;
export declare function problemShape<E extends Record<string, unknown>>(
  status: number,
  title: string,
  detail: string | undefined,
  requestId: string,
  extra?: E,
): { type: string; title: string; status: number; detail: string | undefined; requestId: string; code: string } & E;
