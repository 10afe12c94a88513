"use client";
import { useState } from "react";
import { useTranslations } from "next-intl";

export function OneTimeSecret({ label, value }: { label: string; value: string }) {
  const t = useTranslations("common");
  const [copied, setCopied] = useState(false);
  return (
    <div className="mt-2">
      <p>{label}</p>
      <div className="mt-1 flex items-center gap-2">
        <code data-testid="one-time-secret" className="rounded bg-white px-2 py-1 font-mono text-base text-slate-900">
          {value}
        </code>
        <button
          type="button"
          className="rounded border border-current px-2 py-0.5 text-xs"
          onClick={() => navigator.clipboard?.writeText(value).then(() => setCopied(true))}
        >
          {copied ? t("copied") : t("copy")}
        </button>
      </div>
    </div>
  );
}
