export declare const WORKER_V8_FLAGS: readonly string[];
