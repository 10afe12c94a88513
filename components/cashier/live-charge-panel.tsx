"use client";
import type { ComponentProps } from "react";
import { Providers } from "@/components/providers";
import { ChargePanel } from "./charge-panel";

/** The charge panel with its own TanStack Query client: loaded lazily by cashier-screen.tsx. */
export function LiveChargePanel(props: ComponentProps<typeof ChargePanel>) {
  return (
    <Providers>
      <ChargePanel {...props} />
    </Providers>
  );
}
