import type { RoyaltySettlementStatus, RoyaltyTransactionStatus } from "../db/schema";

/** One payout of a settlement as pages show it. */
export interface SettlementTransactionView {
  id: string | null;
  amount: number;
  status: RoyaltyTransactionStatus;
  settleAccount: string | null;
  sourceUser: string | null;
  recipientApp: string | null;
  failureMsg: string | null;
}

/** What a page may see of a royalty settlement: never the Ping++ object (ARCHITECTURE.md rule 6). */
export interface SettlementSummary {
  id: string;
  pingppId: string | null;
  status: RoyaltySettlementStatus;
  method: string;
  payerApp: string;
  recipientApp: string | null;
  amount: number;
  amountSucceeded: number;
  amountFailed: number;
  amountCanceled: number;
  count: number;
  countSucceeded: number;
  countFailed: number;
  countCanceled: number;
  fee: number;
  createdAt: string;
  timeFinished: string | null;
}

export interface SettlementView extends SettlementSummary {
  transactions: SettlementTransactionView[];
}

/** A computed settlement (`is_preview`): nothing was created. */
export interface SettlementPreview {
  amount: number;
  count: number;
  fee: number;
  transactions: SettlementTransactionView[];
}
