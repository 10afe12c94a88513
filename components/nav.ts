import type { StaffRole } from "@/lib/db/schema";

/** Sidebar entries and who sees them (DESIGN §7). Pages check the role again on the server. */
export const NAV_ITEMS: { key: string; href: string; roles: readonly StaffRole[] }[] = [
  { key: "overview", href: "/", roles: ["admin", "finance", "cashier"] },
  { key: "cashier", href: "/cashier", roles: ["admin", "finance", "cashier"] },
  { key: "staff", href: "/staff", roles: ["admin"] },
  { key: "audit", href: "/audit", roles: ["admin", "finance"] },
];
