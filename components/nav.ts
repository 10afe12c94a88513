import type { Capability } from "@/lib/auth/policy";

/** Sidebar entries and the capability that shows each (lib/auth/policy.ts). Pages check it again on the server. */
export const NAV_ITEMS: { key: string; href: string; capability: Capability }[] = [
  { key: "overview", href: "/", capability: "console.enter" },
  { key: "cashier", href: "/cashier", capability: "cashier.use" },
  { key: "orders", href: "/orders", capability: "orders.read" },
  { key: "refunds", href: "/refunds", capability: "refunds.read" },
  { key: "charges", href: "/charges", capability: "charges.read" },
  { key: "shift", href: "/shift-report", capability: "shift.read" },
  { key: "attention", href: "/attention", capability: "attention.manage" },
  { key: "reconciliation", href: "/reconciliation", capability: "reconciliation.manage" },
  { key: "events", href: "/events", capability: "events.read" },
  { key: "staff", href: "/staff", capability: "staff.manage" },
  { key: "settlements", href: "/settlements", capability: "settlements.manage" },
  { key: "redEnvelopes", href: "/red-envelopes", capability: "redEnvelopes.manage" },
  { key: "audit", href: "/audit", capability: "audit.read" },
  { key: "settings", href: "/settings", capability: "settings.manage" },
];
