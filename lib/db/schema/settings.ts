import { jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

/**
 * Settings an admin changes in the console (the rest is configuration, lib/env.ts): one row per
 * key, its value as JSON. Every change is audited.
 */
export const consoleSettings = pgTable("console_settings", {
  key: text("key").primaryKey(),
  value: jsonb("value").$type<Record<string, unknown>>().notNull(),
  updatedBy: uuid("updated_by"),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
export type ConsoleSettingRow = typeof consoleSettings.$inferSelect;
