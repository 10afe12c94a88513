import { z } from "zod";

/**
 * zod, for every schema that can reach the browser (lib/validations, lib/pingpp). On its fast
 * path zod probes `new Function` when a schema is built; the pages' CSP forbids eval in
 * production and reports the probe as a violation, so in the browser zod runs without it.
 * Importing zod through here guarantees the setting comes before the first schema.
 */
if (typeof window !== "undefined") z.config({ jitless: true });

export { z };
