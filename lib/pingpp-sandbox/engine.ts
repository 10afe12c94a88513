// The shared context handed to every resource: state, configuration, events and delayed jobs.
import type { Store } from "./store";
import type { Charge, Job, PingppEvent, Refund } from "./types";
import type { Webhooks } from "./webhooks";
import { badRequest, deepCopy, newId, nowSec, randomAlnum } from "./util";

export interface EngineConfig {
  appId: string;
  apiKey: string;
  timeScale: number;
  refundDelayMs: number;
  settlementDelayMs: number;
  publicUrl: () => string;
}

/** Copy of a stored object without internal (`_…`) fields: what goes on the wire. */
export function publicView<T extends object>(obj: T): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (!k.startsWith("_")) out[k] = v;
  return out;
}

type JobHandler = (ref: string) => void;
/** Finds a resource by id and renders it (for `/_sim/events`). */
type Finder = (id: string) => Record<string, unknown> | undefined;

export class Engine {
  readonly now = nowSec;
  readonly chargePaid: Array<(ch: Charge, request: string | null) => void> = [];
  readonly refundSucceeded: Array<(re: Refund, request: string | null) => void> = [];
  private jobHandlers = new Map<string, JobHandler>();
  private jobTimers = new Map<string, NodeJS.Timeout>();
  private finders: Finder[] = [];
  private closed = false;
  /** Set by the `lose_webhook` simulation: events are stored (Ping++ has them) but never delivered. */
  loseWebhooks = false;

  constructor(
    readonly store: Store,
    readonly webhooks: Webhooks,
    readonly cfg: EngineConfig,
  ) {}

  get s() {
    return this.store.state;
  }

  save(): void {
    this.store.save();
  }

  /** Store an event with a snapshot of the (already rendered) resource and deliver it. */
  emit(type: string, object: Record<string, unknown>, request: string | null): PingppEvent {
    const ev: PingppEvent = {
      id: newId("evt_"),
      object: "event",
      livemode: false,
      created: this.now(),
      type,
      data: { object: deepCopy(object) },
      pending_webhooks: 0,
      request,
    };
    this.s.events[ev.id] = ev;
    if (!this.loseWebhooks) this.webhooks.enqueue(ev);
    this.save();
    return ev;
  }

  /** The sandbox knows one app; anything else is refused like an unknown app. */
  checkApp(app: string, param = "app"): void {
    if (app !== this.cfg.appId) throw badRequest(`无效的 app: ${app} (No such app: ${app})`, param);
  }

  // ----- delayed, persisted jobs (refund completion, settlement outcome) -----

  onJob(kind: string, handler: JobHandler): void {
    this.jobHandlers.set(kind, handler);
  }

  addJob(kind: string, ref: string, delayMs: number): void {
    const job: Job = { id: "job_" + randomAlnum(16), at: Date.now() + delayMs, kind, ref };
    this.s.jobs.push(job);
    this.save();
    this.armJob(job);
  }

  startJobs(): void {
    for (const job of this.s.jobs) this.armJob(job);
  }

  private armJob(job: Job): void {
    if (this.closed) return;
    const t = setTimeout(() => this.runJob(job.id), Math.max(0, job.at - Date.now()));
    t.unref?.();
    this.jobTimers.set(job.id, t);
  }

  private runJob(id: string): void {
    this.jobTimers.delete(id);
    if (this.closed) return;
    const i = this.s.jobs.findIndex((j) => j.id === id);
    const job = this.s.jobs[i];
    if (!job) return;
    this.s.jobs.splice(i, 1);
    try {
      this.jobHandlers.get(job.kind)?.(job.ref);
    } catch (err) {
      console.error(`[pingpp-sandbox] job ${job.kind} ${job.ref} failed:`, err);
    }
    this.save();
  }

  /** Run every due-or-not job of these kinds (all when omitted) now (used by tests and `/_sim/jobs/run`). */
  runAllJobs(kinds?: readonly string[]): number {
    const ids = this.s.jobs.filter((j) => !kinds || kinds.includes(j.kind)).map((j) => j.id);
    for (const id of ids) {
      const t = this.jobTimers.get(id);
      if (t) clearTimeout(t);
      this.runJob(id);
    }
    return ids.length;
  }

  // ----- lookup for /_sim/events -----

  addFinder(f: Finder): void {
    this.finders.push(f);
  }

  find(id: string): Record<string, unknown> | undefined {
    for (const f of this.finders) {
      const r = f(id);
      if (r) return r;
    }
    return undefined;
  }

  close(): void {
    this.closed = true;
    for (const t of this.jobTimers.values()) clearTimeout(t);
    this.jobTimers.clear();
  }
}
