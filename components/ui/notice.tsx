/** Where a list says what its last action did; the live region is always there, so the message is announced when it appears. */
export function Notice({ message }: { message: string | null }) {
  return <div role="status">{message && <div className="alert alert-ok">{message}</div>}</div>;
}
