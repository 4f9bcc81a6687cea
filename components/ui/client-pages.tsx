"use client";
// Paging for lists that arrive whole but can be long (a deployment to 2,000
// targets): only one page of rows is in the DOM, so a live refresh stays cheap.
import { useState } from "react";

export function useClientPages<T>(items: readonly T[], pageSize = 100) {
  const [wanted, setPage] = useState(1);
  const pages = Math.max(1, Math.ceil(items.length / pageSize));
  const page = Math.min(wanted, pages);
  const rows = items.slice((page - 1) * pageSize, page * pageSize);
  const controls =
    pages <= 1 ? null : (
      <nav className="pagination" aria-label="Pages of rows">
        <span>
          {(page - 1) * pageSize + 1}–{Math.min(items.length, page * pageSize)} of {items.length}
        </span>
        <span className="row">
          <button type="button" className="btn btn-sm" disabled={page <= 1} onClick={() => setPage(page - 1)}>
            Previous
          </button>
          <span>
            Page {page} of {pages}
          </span>
          <button type="button" className="btn btn-sm" disabled={page >= pages} onClick={() => setPage(page + 1)}>
            Next
          </button>
        </span>
      </nav>
    );
  return { rows, controls };
}
