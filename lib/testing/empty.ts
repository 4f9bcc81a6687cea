// Stands in for `server-only` under vitest, which has no react-server condition.
export {};
