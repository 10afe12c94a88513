import { randomInt } from "node:crypto";

const ALNUM = "0123456789abcdefghijklmnopqrstuvwxyz";

function randomChars(alphabet: string, n: number): string {
  let out = "";
  for (let i = 0; i < n; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** `YYMMDDhhmmss` in UTC. */
function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\D/g, "").slice(2, 14);
}

/**
 * A charge `order_no` (also valid as an order's `merchant_order_no`):
 * 20 letters/digits = UTC time to the second + 8 random base-36 characters
 * (36^8 ≈ 2.8e12 per second), within every channel's limit (≤ 27, alnum).
 */
export function generateOrderNo(now: number = Date.now()): string {
  return stamp(now) + randomChars(ALNUM, 8);
}

/** A red envelope `order_no`: 23 digits (ms timestamp + 10 random digits), within 1-28 digits. */
export function generateRedEnvelopeOrderNo(now: number = Date.now()): string {
  return String(Math.floor(now)).padStart(13, "0") + randomChars("0123456789", 10);
}
