import { notFound, redirect } from "next/navigation";
import { can, requireCapability } from "@/lib/auth/session";
import { CustomerDisplay } from "@/components/cashier/customer-display";

/** Customer-facing screen of one terminal: amount + QR + status of whatever is live there. */
export default async function DisplayPage({ params }: { params: Promise<{ terminal: string }> }) {
  const actor = await requireCapability("cashier.use");
  const { terminal } = await params;
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(terminal)) notFound();
  if (!can(actor.role, "terminals.all") && actor.terminalId !== terminal) redirect("/forbidden");
  return <CustomerDisplay terminal={terminal} />;
}
