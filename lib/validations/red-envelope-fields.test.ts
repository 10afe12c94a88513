import { describe, expect, it } from "vitest";
import { checkSend, MAX_CSV_BYTES, RED_ENVELOPE_SCENES, type SendFields } from "./red-envelope-fields";
import { sendRedEnvelopeSchema } from "./red-envelopes";

const ok: SendFields = {
  recipient: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
  amount: "8.88",
  sceneId: "",
  sendName: "示例商户",
  subject: "新年红包",
  body: "恭喜发财，大吉大利",
  description: "年会抽奖",
};

/** The server's schema, issue by issue (first per field, as authedAction reports them). */
function serverSays(v: SendFields): { ok: true; fen: number } | { ok: false; errors: Record<string, string> } {
  const r = sendRedEnvelopeSchema.safeParse({ ...v, idempotencyKey: "7b0d3c52-4a9e-4f0b-9a55-2d0f5e3c8a11" });
  if (r.success) return { ok: true, fen: r.data.amount };
  const errors: Record<string, string> = {};
  for (const i of r.error.issues) errors[String(i.path[0])] ??= i.message;
  return { ok: false, errors };
}

describe("the send form's check in the browser (no zod)", () => {
  const cases: [string, Partial<SendFields>][] = [
    ["valid", {}],
    ["amount with a yuan sign and separators", { amount: "¥1,99.00" }],
    ["amount 1 yuan", { amount: "1" }],
    ["amount 200 yuan", { amount: "200" }],
    ["below 1 yuan", { amount: "0.99" }],
    ["above 200 yuan", { amount: "200.01" }],
    ["below 1 yuan with a scene", { amount: "0.50", sceneId: "PRODUCT_3" }],
    ["4,999 yuan with a scene", { amount: "4999", sceneId: "PRODUCT_8" }],
    ["above 4,999 yuan with a scene", { amount: "5000", sceneId: "PRODUCT_8" }],
    ["not an amount", { amount: "abc" }],
    ["three decimals", { amount: "1.234" }],
    ["zero", { amount: "0" }],
    ["too large for any form", { amount: "99999999999" }],
    ["unknown scene", { sceneId: "PRODUCT_9" }],
    ["subject 32 bytes", { subject: "红".repeat(10) + "ab" }],
    ["subject 33 bytes", { subject: "红".repeat(11) }],
    ["send name 33 bytes", { sendName: "a".repeat(33) }],
    ["wishing 129 bytes", { body: "福".repeat(43) }],
    ["description 256 bytes", { description: "x".repeat(256) }],
    ["description of spaces", { description: "   " }],
    ["trimmed before counting", { subject: `  ${"红".repeat(10)}  ` }],
    ["open_id with a space", { recipient: "not an open id!" }],
    ["open_id empty", { recipient: "" }],
    ["open_id of 129 characters", { recipient: "o".repeat(129) }],
    ["several at once", { recipient: "x y", subject: "红".repeat(11), amount: "300" }],
  ];
  it.each(cases)("%s: the same verdict, messages and amount in fen as the server's schema", (_, over) => {
    const input = { ...ok, ...over };
    const client = checkSend(input);
    const server = serverSays(input);
    if (server.ok) expect(client).toEqual(server);
    else {
      expect(client.ok).toBe(false);
      // the server stops at the field types before the amount's range; the browser reports all at once
      expect(client.ok ? {} : client.errors).toMatchObject(server.errors);
    }
  });

  it("gives the fen the server will send, and the messages the catalogue has", () => {
    expect(checkSend({ ...ok, amount: "8.88" })).toEqual({ ok: true, fen: 888 });
    expect(checkSend({ ...ok, amount: "300", subject: "红".repeat(11) })).toEqual({
      ok: false,
      errors: { amount: "redEnvelopeAmountRange", subject: "redEnvelopeSubjectBytes" },
    });
    expect(RED_ENVELOPE_SCENES).toHaveLength(8);
    expect(MAX_CSV_BYTES).toBeLessThan(1024 * 1024);
  });
});
