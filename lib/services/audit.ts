import "server-only";
import { and, desc, eq, gte, ilike, lt, or, sql, type SQL } from "drizzle-orm";
import { getDb, type DbOrTx } from "../db";
import { auditLogs, type AuditLog } from "../db/schema";
import type { Actor } from "./actor";
import { escapeLike, idPrefix } from "./search";

export interface AuditEntry {
  actor: Pick<Actor, "email" | "ip"> & { id: string | null };
  action: string;
  target?: { type: string; id: string };
  params?: Record<string, unknown>;
  result: "ok" | "refused" | "error";
  message?: string;
}

const SECRET_KEYS = /password|secret|token|private|key$/i;

/** Drop anything that looks like a secret before it is written down. */
function redact(params: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!params) return undefined;
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, SECRET_KEYS.test(k) ? "[redacted]" : v]));
}

/** Record who did what to which target, with which parameters, and how it ended. */
export async function audit(entry: AuditEntry, tx?: DbOrTx): Promise<void> {
  const db = tx ?? (await getDb());
  await db.insert(auditLogs).values({
    actorId: entry.actor.id,
    actorEmail: entry.actor.email,
    action: entry.action,
    targetType: entry.target?.type,
    targetId: entry.target?.id,
    params: redact(entry.params),
    result: entry.result,
    message: entry.message?.slice(0, 1000),
    ip: entry.actor.ip,
  });
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  target?: string;
  result?: "ok" | "refused" | "error";
  from?: Date;
  to?: Date;
  page?: number;
  perPage?: number;
}

export async function listAudit(
  f: AuditFilter,
): Promise<{ rows: AuditLog[]; total: number; page: number; perPage: number }> {
  const db = await getDb();
  const perPage = Math.min(Math.max(f.perPage ?? 50, 1), 200);
  const page = Math.max(f.page ?? 1, 1);
  const where: SQL[] = [];
  if (f.actor) where.push(ilike(auditLogs.actorEmail, `%${escapeLike(f.actor)}%`));
  if (f.action) where.push(ilike(auditLogs.action, `${escapeLike(f.action)}%`));
  if (f.target) {
    where.push(or(idPrefix(auditLogs.targetId, f.target), ilike(auditLogs.targetType, escapeLike(f.target)))!);
  }
  if (f.result) where.push(eq(auditLogs.result, f.result));
  if (f.from) where.push(gte(auditLogs.createdAt, f.from));
  if (f.to) where.push(lt(auditLogs.createdAt, f.to));
  const cond = where.length ? and(...where) : undefined;
  const [rows, [count]] = await Promise.all([
    db
      .select()
      .from(auditLogs)
      .where(cond)
      .orderBy(desc(auditLogs.createdAt), desc(auditLogs.id))
      .limit(perPage)
      .offset((page - 1) * perPage),
    db
      .select({ n: sql<number>`count(*)::int` })
      .from(auditLogs)
      .where(cond),
  ]);
  return { rows, total: count?.n ?? 0, page, perPage };
}

export { escapeLike } from "./search";
