import type { StaffRole } from "@/lib/db/schema";

/** Sidebar entries and who sees them (DESIGN §7). Pages check the role again on the server. */
export const NAV_ITEMS: { key: string; href: string; roles: readonly StaffRole[] }[] = [
  { key: "overview", href: "/", roles: ["admin", "finance", "cashier"] },
  { key: "cashier", href: "/cashier", roles: ["admin", "finance", "cashier"] },
  { key: "orders", href: "/orders", roles: ["admin", "finance", "cashier"] },
  { key: "refunds", href: "/refunds", roles: ["admin", "finance"] },
  { key: "charges", href: "/charges", roles: ["admin", "finance", "cashier"] },
  { key: "shift", href: "/shift-report", roles: ["admin", "finance", "cashier"] },
  { key: "attention", href: "/attention", roles: ["admin", "finance"] },
  { key: "reconciliation", href: "/reconciliation", roles: ["admin", "finance"] },
  { key: "events", href: "/events", roles: ["admin", "finance"] },
  { key: "staff", href: "/staff", roles: ["admin"] },
  { key: "settlements", href: "/settlements", roles: ["admin", "finance"] },
  { key: "redEnvelopes", href: "/red-envelopes", roles: ["admin", "finance"] },
  { key: "audit", href: "/audit", roles: ["admin", "finance"] },
  { key: "settings", href: "/settings", roles: ["admin"] },
];
