"use client";
import { useCallback, useState } from "react";
import dynamic from "next/dynamic";
import { useRouter } from "next/navigation";
import type { ChargeView } from "@/lib/services/charge-view";
import { ChargeForm } from "./charge-form";

/**
 * The live panel (QR, status long poll, TanStack Query, reverse) is loaded when a charge is
 * being created, not with the screen's first scripts: a tablet opens /cashier on its form, and
 * its first load stays light (issue 19, ≤ 150 KB). The form starts loading it on submit, in
 * parallel with the charge's creation, so the QR shows as soon as the charge exists.
 */
const loadPanel = () => import("./live-charge-panel");
const LiveChargePanel = dynamic(() => loadPanel().then((m) => m.LiveChargePanel), { ssr: false });

export function CashierScreen({
  defaultTerminal,
  terminalLocked = false,
}: {
  defaultTerminal: string | null;
  terminalLocked?: boolean;
}) {
  const [charge, setCharge] = useState<ChargeView | null>(null);
  const [formKey, setFormKey] = useState(0);
  const router = useRouter();
  const done = useCallback(() => {
    setCharge(null);
    setFormKey((k) => k + 1); // a fresh form: empty amount, new idempotency key
    router.refresh(); // the recent-charges strip
  }, [router]);
  return charge ? (
    <LiveChargePanel key={charge.id} initial={charge} onDone={done} />
  ) : (
    <ChargeForm
      key={formKey}
      defaultTerminal={defaultTerminal}
      terminalLocked={terminalLocked}
      onSubmitting={() => void loadPanel().catch(() => {})}
      onCreated={setCharge}
    />
  );
}
