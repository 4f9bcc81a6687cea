// Loads Prisma's schema engine (`@prisma/schema-engine-wasm`) without
// `--experimental-wasm-modules`: the package's ESM entry does
// `import * as wasm from "./x.wasm"`, which Node 20 only allows behind that
// flag, so the .wasm is instantiated by hand (exactly what schema_engine.js
// does). After a panic (panics.ts) the instance is unusable and the next call
// loads a fresh one.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

import { installPanicRegistry, onPanic } from "./panics";
import { trackedSetTimeout } from "./wasm-timers";

type EngineModule = typeof import("@prisma/schema-engine-wasm");
type BgModule = EngineModule & { __wbg_set_wasm(exports: WebAssembly.Exports): void };
type Loaded = { mod: EngineModule; poisoned: boolean };

let loaded: Promise<Loaded> | undefined;
let generation = 0;

onPanic(() => void loaded?.then((l) => (l.poisoned = true)));

/**
 * Same steps as the package's schema_engine.js, minus the `.wasm` ESM import:
 * read the bytes, instantiate with the JS glue as import object, hand the
 * exports to the glue, run the start function. After a Rust panic the instance
 * is unusable, so the next call loads a fresh copy of the glue + instance
 * (a distinct module URL gives a distinct glue module state).
 */
export async function loadEngineModule(): Promise<EngineModule> {
  installPanicRegistry();
  const current = loaded && (await loaded.catch(() => undefined));
  if (current && !current.poisoned) return current.mod;
  loaded = (async () => {
    const require = createRequire(import.meta.url);
    const bgJsPath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
    const bg = (
      generation++ === 0 ? await import("@prisma/schema-engine-wasm/schema_engine_bg") : await import(`${pathToFileURL(bgJsPath).href}?instance=${generation}`)
    ) as BgModule;
    const bytes = await readFile(path.join(path.dirname(bgJsPath), "schema_engine_bg.wasm"));
    const imports: Record<string, unknown> = { ...bg };
    for (const key of Object.keys(imports)) {
      if (key.startsWith("__wbg_setTimeout_")) imports[key] = trackedSetTimeout;
    }
    const { instance } = await WebAssembly.instantiate(bytes, {
      "./schema_engine_bg.js": imports as WebAssembly.ModuleImports,
    });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return { mod: bg, poisoned: false };
  })();
  return (await loaded).mod;
}
