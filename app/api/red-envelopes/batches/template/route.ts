import { can, getActor } from "@/lib/auth/session";
import { csvResponse } from "@/lib/csv/write";
import { BATCH_TEMPLATE } from "@/lib/validations/red-envelopes";

export const dynamic = "force-dynamic";

/**
 * GET: the batch file template, UTF-8 with a BOM (Excel opens it with Chinese intact and saves it
 * back as "CSV UTF-8"): the header row and one example line. Capability "redEnvelopes.manage", like the upload form.
 */
export async function GET() {
  const actor = await getActor().catch(() => null);
  if (!actor) return new Response("unauthenticated", { status: 401 });
  if (!can(actor.role, "redEnvelopes.manage")) return new Response("forbidden", { status: 403 });
  return csvResponse(
    "red-envelope-batch-template.csv",
    [...BATCH_TEMPLATE.header],
    (async function* () {
      yield [BATCH_TEMPLATE.example];
    })(),
    (row) => [...row],
  );
}
