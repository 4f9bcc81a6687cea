// Runs in the browser before hydration, before any page module builds a schema.
// Zod probes `new Function("")` the first time it builds an object schema, to
// decide whether it may compile fast parsers. The pages' CSP has no
// 'unsafe-eval', so the browser refuses the probe and reports a violation
// (Zod catches the error and carries on). Jitless: Zod does not try.
import { z } from "zod";

z.config({ jitless: true });
