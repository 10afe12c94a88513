/**
 * Wake-ups for long polls (ARCHITECTURE.md rule 5). Postgres tells every instance when a charge changes:
 * the `charge_status` trigger (drizzle/0004_charge_status_notify.sql) sends
 * `{"id": <charge id>, "t": <terminal or null>}` on channel `charge_status` in the transaction
 * that makes the change. Each process listens ONCE (postgres.js `sql.listen`, which reconnects by
 * itself; PGlite's own `listen`) and hands each notification, in memory, to the requests waiting
 * for that charge or terminal. A waiting request holds no database connection.
 *
 * Whether notifications really arrive is checked end to end: every HEARTBEAT_MS the hub sends a
 * ping on the channel through an ordinary connection and expects it back on the listening one.
 * While they don't (listener reconnecting, database down) `up` is false and callers wait only
 * briefly; when they arrive again every waiter is woken, since a change may have been missed.
 */
import type postgres from "postgres";

export const CHARGE_STATUS_CHANNEL = "charge_status";

/** What a status poll of one charge waits for. */
export const chargeKey = (id: string) => `charge:${id}`;
/** What a customer display of one terminal waits for. */
export const terminalKey = (terminal: string) => `terminal:${terminal}`;

/** A database that can LISTEN and NOTIFY (lib/db/index.ts gives the process's own). */
export interface WakeSource {
  /**
   * Listen on `channel`: `onPayload` per notification, `onListen` each time listening (re)starts.
   * Resolves with a function that stops listening.
   */
  listen(channel: string, onPayload: (payload: string) => void, onListen: () => void): Promise<() => Promise<void>>;
  /** pg_notify through an ordinary connection (the heartbeat). */
  notify(channel: string, payload: string): Promise<void>;
}

/**
 * Options of the postgres.js instance whose `listen` a hub uses (one connection of its own,
 * outside the pool). Reconnecting backs off up to 2 s: the pool's immediate retries would spin
 * while the database is down.
 */
export const LISTENER_OPTIONS = {
  max: 1,
  onnotice: () => {},
  connect_timeout: 10,
  backoff: (n: number) => Math.min(0.1 * 2 ** n, 2),
};

/** WakeSource["listen"] through postgres.js: `sql.listen`, which re-listens by itself after a lost connection. */
export function postgresListen(listener: postgres.Sql): WakeSource["listen"] {
  return async (channel, onPayload, onListen) => (await listener.listen(channel, onPayload, onListen)).unlisten;
}

export type WaitOutcome = "woken" | "timeout" | "aborted";

export interface Waiter {
  /**
   * "woken" as soon as a notification for one of its keys has arrived since subscribe() (also
   * one that arrived before this call), "timeout" after `ms`, "aborted" when `signal` aborts.
   */
  wait(ms: number, signal?: AbortSignal): Promise<WaitOutcome>;
  /** Stop listening for its keys (always call it, in a finally). */
  cancel(): void;
}

export interface WakeHub {
  /** Subscribe BEFORE reading what the client has, so no change slips between read and wait. */
  subscribe(keys: readonly string[]): Waiter;
  /** Listening, and the last heartbeat came back: a change will wake its waiters. */
  readonly up: boolean;
  /** Waiters subscribed now (for tests and benches). */
  readonly waiting: number;
  close(): Promise<void>;
}

interface Sub {
  fired: boolean;
  wake?: () => void;
}

export const HEARTBEAT_MS = 5_000;

export function createWakeHub(source: WakeSource, opts: { heartbeatMs?: number } = {}): WakeHub {
  const subs = new Map<string, Set<Sub>>();
  let listening = false;
  let heartbeatOk = true;
  let pendingPing: string | null = null;
  let closed = false;
  let waiting = 0;
  const isUp = () => listening && heartbeatOk && !closed;

  const fire = (s: Sub) => {
    s.fired = true;
    s.wake?.();
  };
  const fireKey = (key: string) => subs.get(key)?.forEach(fire);
  const fireAll = () => subs.forEach((set) => set.forEach(fire));
  /** Back up after being down: notifications may have been missed meanwhile, so everyone re-reads. */
  const transition = (wasUp: boolean) => {
    if (!wasUp && isUp()) fireAll();
  };

  const onPayload = (payload: string) => {
    let msg: { id?: unknown; t?: unknown; ping?: unknown };
    try {
      msg = JSON.parse(payload) as typeof msg;
    } catch {
      return;
    }
    if (typeof msg.ping === "string") {
      if (msg.ping === pendingPing) {
        const wasUp = isUp();
        pendingPing = null;
        heartbeatOk = true;
        transition(wasUp);
      }
      return;
    }
    if (typeof msg.id === "string") fireKey(chargeKey(msg.id));
    if (typeof msg.t === "string") fireKey(terminalKey(msg.t));
  };
  const onListen = () => {
    // (re)connected: what happened while it was away is unknown, so everyone re-reads
    listening = true;
    heartbeatOk = true;
    pendingPing = null;
    fireAll();
  };

  // Listen once. postgres.js re-listens by itself after a lost connection (and after a failed
  // first attempt), calling onListen again; a retry here would only stack duplicate listeners.
  const stop = source.listen(CHARGE_STATUS_CHANNEL, onPayload, onListen).catch((e: unknown) => {
    console.warn("[wakeups] listen failed; long polls wait briefly until it recovers", (e as Error).message);
    return undefined;
  });

  const heartbeat = setInterval(() => {
    const wasUp = isUp();
    if (pendingPing !== null) heartbeatOk = false; // the last ping never came back
    if (wasUp && !isUp())
      console.warn("[wakeups] notifications are not arriving; long polls wait briefly until they do");
    const ping = (pendingPing = Math.random().toString(36).slice(2));
    source.notify(CHARGE_STATUS_CHANNEL, JSON.stringify({ ping })).catch(() => {
      heartbeatOk = false;
    });
  }, opts.heartbeatMs ?? HEARTBEAT_MS);
  heartbeat.unref?.();

  return {
    get up() {
      return isUp();
    },
    get waiting() {
      return waiting;
    },
    subscribe(keys) {
      const sub: Sub = { fired: false };
      for (const k of keys) {
        let set = subs.get(k);
        if (!set) subs.set(k, (set = new Set()));
        set.add(sub);
      }
      waiting++;
      let cancelled = false;
      return {
        wait(ms, signal) {
          if (sub.fired) return Promise.resolve("woken");
          if (signal?.aborted) return Promise.resolve("aborted");
          return new Promise<WaitOutcome>((resolve) => {
            const done = (outcome: WaitOutcome) => {
              clearTimeout(timer);
              signal?.removeEventListener("abort", onAbort);
              sub.wake = undefined;
              resolve(outcome);
            };
            const onAbort = () => done("aborted");
            const timer = setTimeout(() => done("timeout"), Math.max(0, ms));
            signal?.addEventListener("abort", onAbort, { once: true });
            sub.wake = () => done("woken");
          });
        },
        cancel() {
          if (cancelled) return;
          cancelled = true;
          waiting--;
          sub.wake?.(); // a wait still pending ends now
          for (const k of keys) {
            const set = subs.get(k);
            set?.delete(sub);
            if (set?.size === 0) subs.delete(k);
          }
        },
      };
    },
    async close() {
      closed = true;
      clearInterval(heartbeat);
      fireAll();
      const unlisten = await stop;
      await unlisten?.().catch(() => {});
    },
  };
}
