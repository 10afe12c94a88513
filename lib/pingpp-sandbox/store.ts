// Sandbox state and its persistence: one JSON file, written atomically (write temp + rename).
import { generateKeyPairSync } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import type {
  Charge,
  Delivery,
  Job,
  Order,
  PingppEvent,
  RedEnvelope,
  Refund,
  Royalty,
  RoyaltySettlement,
  RoyaltyTransaction,
  SettlementStatus,
} from "./types";

export interface Outcome {
  status: Extract<SettlementStatus, "succeeded" | "partially_succeeded" | "failed">;
  fail_count?: number;
}

export interface State {
  version: 1;
  config: { webhookUrl?: string };
  seeded: boolean;
  charges: Record<string, Charge>;
  refunds: Record<string, Refund>;
  orders: Record<string, Order>;
  redEnvelopes: Record<string, RedEnvelope>;
  royalties: Record<string, Royalty>;
  settlements: Record<string, RoyaltySettlement>;
  transactions: Record<string, RoyaltyTransaction>;
  events: Record<string, PingppEvent>;
  deliveries: Record<string, Delivery>;
  jobs: Job[];
  nextOutcome: Outcome | null;
}

const emptyState = (): State => ({
  version: 1,
  config: {},
  seeded: false,
  charges: {},
  refunds: {},
  orders: {},
  redEnvelopes: {},
  royalties: {},
  settlements: {},
  transactions: {},
  events: {},
  deliveries: {},
  jobs: [],
  nextOutcome: null,
});

/** How many delivery records to keep in the log (oldest finished ones are dropped first). */
const MAX_DELIVERIES = 2000;

export class Store {
  state: State;
  private readonly file: string | null;
  private pendingWrite: NodeJS.Immediate | null = null;

  constructor(private readonly dataDir?: string) {
    this.file = dataDir ? path.join(dataDir, "state.json") : null;
    this.state = emptyState();
    if (this.file && existsSync(this.file)) {
      const loaded = JSON.parse(readFileSync(this.file, "utf8")) as Partial<State>;
      this.state = { ...emptyState(), ...loaded };
    }
  }

  /**
   * Persist the state. The write is coalesced to the end of the current event-loop turn, so the several saves one
   * request or job makes cost one write of the whole file (what bounds the sandbox's throughput with a dataDir);
   * close() flushes.
   */
  save(): void {
    this.trimDeliveries();
    if (!this.file || this.pendingWrite) return;
    this.pendingWrite = setImmediate(() => {
      this.pendingWrite = null;
      try {
        this.flush();
      } catch (err) {
        console.error("[pingpp-sandbox] could not write state:", err);
      }
    });
  }

  /** Write now (write temp + rename), cancelling a coalesced write. */
  flush(): void {
    if (this.pendingWrite) {
      clearImmediate(this.pendingWrite);
      this.pendingWrite = null;
    }
    if (!this.file || !this.dataDir) return;
    mkdirSync(this.dataDir, { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.state));
    renameSync(tmp, this.file);
  }

  private trimDeliveries(): void {
    const ids = Object.keys(this.state.deliveries);
    if (ids.length <= MAX_DELIVERIES) return;
    for (const id of ids.slice(0, ids.length - MAX_DELIVERIES)) {
      if (this.state.deliveries[id]?.status !== "pending") delete this.state.deliveries[id];
    }
  }
}

export interface KeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
  publicKeyPath: string | null;
}

/** The sandbox's own RSA-2048 key pair (signs webhooks); persisted in dataDir when given. */
export function loadOrCreateKeyPair(dataDir?: string): KeyPair {
  const privPath = dataDir ? path.join(dataDir, "sandbox_rsa_private_key.pem") : null;
  const pubPath = dataDir ? path.join(dataDir, "sandbox_rsa_public_key.pem") : null;
  if (privPath && pubPath && existsSync(privPath) && existsSync(pubPath)) {
    return {
      privateKeyPem: readFileSync(privPath, "utf8"),
      publicKeyPem: readFileSync(pubPath, "utf8"),
      publicKeyPath: pubPath,
    };
  }
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  if (dataDir && privPath && pubPath) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(privPath, privateKey, { mode: 0o600 });
    writeFileSync(pubPath, publicKey);
  }
  return { privateKeyPem: privateKey, publicKeyPem: publicKey, publicKeyPath: pubPath };
}
