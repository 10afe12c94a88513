import { pingpp } from "@/lib/services/pingpp-client";

/** The sandbox's envelopes of one batch (each carries its batch id and line in metadata), via the console's client. */
export async function batchEnvelopesAtPingpp(
  batchId: string,
): Promise<{ order_no: string; metadata: { line: number } }[]> {
  const out = [];
  let after: string | undefined;
  for (;;) {
    const list = await pingpp().redEnvelopes.list({ limit: 100, starting_after: after });
    out.push(...list.data.filter((r) => r.metadata.batch === batchId));
    if (!list.has_more) return out as never;
    after = list.data[list.data.length - 1]!.id;
  }
}
