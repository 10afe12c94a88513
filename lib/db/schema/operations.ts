import { pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";

/**
 * A person looked at a needs-attention item and closed it with a note (audited too).
 * The item is one (kind, object) pair; a resolved one no longer shows in the queue.
 */
export const attentionResolutions = pgTable(
  "attention_resolutions",
  {
    kind: text("kind").notNull(),
    objectId: text("object_id").notNull(),
    note: text("note").notNull(),
    resolvedBy: uuid("resolved_by"),
    resolvedByEmail: text("resolved_by_email").notNull(),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.objectId] })],
);
