"use client";
import { useCallback, useState } from "react";
import { useRouter } from "next/navigation";
import type { ChargeView } from "@/lib/services/charge-view";
import { ChargeForm } from "./charge-form";
import { ChargePanel } from "./charge-panel";

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
    <ChargePanel key={charge.id} initial={charge} onDone={done} />
  ) : (
    <ChargeForm key={formKey} defaultTerminal={defaultTerminal} terminalLocked={terminalLocked} onCreated={setCharge} />
  );
}
