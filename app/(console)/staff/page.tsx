import { getTranslations } from "next-intl/server";
import { requireCapability } from "@/lib/auth/session";
import { listStaff } from "@/lib/services/staff";
import { StaffTable, type StaffRow } from "./_components/staff-table";
import { AddStaffForm } from "./_components/add-staff-form";
import { navTitle } from "@/lib/i18n/page-title";

export const generateMetadata = navTitle("staff");

export default async function StaffPage() {
  const actor = await requireCapability("staff.manage");
  const t = await getTranslations("staff");
  const rows: StaffRow[] = (await listStaff()).map((s) => ({
    id: s.id,
    email: s.email,
    name: s.name,
    role: s.role,
    terminalId: s.terminalId,
    disabled: !!s.disabledAt,
    twoFactor: !!s.totpEnabledAt,
  }));
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">{t("title")}</h1>
      <AddStaffForm />
      <StaffTable rows={rows} selfId={actor.id} />
    </div>
  );
}
