export const dynamic = "force-dynamic";

/**
 * Kiosk screens: no console sidebar. Each page checks the session and role itself. No TanStack
 * Query provider here: /cashier's live panel brings its own when it loads (cashier-screen.tsx), so
 * the till's first load stays light.
 */
export default function CashierLayout({ children }: { children: React.ReactNode }) {
  return <div className="min-h-screen bg-slate-50">{children}</div>;
}
