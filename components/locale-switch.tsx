"use client";
import { useTransition } from "react";
import { useLocale, useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import { setLocaleAction } from "@/lib/actions/locale";

export function LocaleSwitch() {
  const t = useTranslations("app");
  const locale = useLocale();
  const router = useRouter();
  const [pending, start] = useTransition();
  return (
    <button
      type="button"
      className="rounded px-2 py-1 text-sm text-slate-600 hover:bg-slate-100"
      disabled={pending}
      onClick={() =>
        start(async () => {
          await setLocaleAction(locale === "zh-CN" ? "en" : "zh-CN");
          router.refresh();
        })
      }
    >
      {t("language")}
    </button>
  );
}
