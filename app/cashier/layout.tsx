import { Providers } from "@/components/providers";

export const dynamic = "force-dynamic";

/** Kiosk screens: no console sidebar. Each page checks the session and role itself. */
export default function CashierLayout({ children }: { children: React.ReactNode }) {
  return (
    <div className="min-h-screen bg-slate-50">
      <Providers>{children}</Providers>
    </div>
  );
}
