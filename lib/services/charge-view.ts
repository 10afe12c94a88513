import type { ChargeStatus } from "../db/schema";

/** What a cashier screen may see of a charge: never the Ping++ object (ARCHITECTURE.md rule 6). */
export interface ChargeView {
  /** Our id (the status endpoint's key). */
  id: string;
  /** Ping++'s ch_ id, once Ping++ has answered. */
  chargeId: string | null;
  status: ChargeStatus;
  amount: number;
  currency: string;
  channel: string;
  qrPayload: string | null;
  timeExpire: string | null;
  timePaid: string | null;
  failureMsg: string | null;
  reversible: boolean;
  terminalId: string | null;
}
