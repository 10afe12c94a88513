import { getTranslations } from "next-intl/server";

/**
 * A list's date filter that could not be read (lib/validations/dates.ts parseFilters): said, not ignored in silence.
 */
export async function DateFilterError({ show }: { show: boolean }) {
  if (!show) return null;
  const t = await getTranslations("dateFilter");
  return (
    <p role="alert" data-testid="date-filter-error" className="rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-700">
      {t("invalid")}
    </p>
  );
}
