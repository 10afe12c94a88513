"use client";
import { useState, useTransition } from "react";
import { useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import { dryRunBatchAction } from "@/lib/actions/red-envelopes";
import { MAX_CSV_BYTES } from "@/lib/validations/red-envelope-fields";
import type { BatchDryRunInput } from "@/lib/validations/red-envelopes";
import { Button } from "@/components/ui/button";
import { Field, InputField } from "@/components/ui/field";
import { Alert } from "@/components/ui/alert";
import { EnvelopeTextFields } from "./envelope-text-fields";

/** Upload a CSV for the dry run: it is checked and stored as a draft; nothing is sent yet. */
export function BatchUploadForm() {
  const t = useTranslations("redEnvelopeBatches");
  const router = useRouter();
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  return (
    <form
      className="grid gap-4 rounded-lg bg-white p-5 shadow-sm md:grid-cols-2"
      onSubmit={(e) => {
        e.preventDefault();
        const fd = new FormData(e.currentTarget);
        const s = (k: string) => String(fd.get(k) ?? "");
        const file = fd.get("file");
        start(async () => {
          setError(null);
          setFieldErrors({});
          // Too large for the request: say so here (the server would refuse the body unread).
          if (file instanceof File && file.size > MAX_CSV_BYTES) {
            setFieldErrors({ csv: t("fileTooLarge") });
            return setError(t("fileTooLarge"));
          }
          const input: BatchDryRunInput = {
            fileName: file instanceof File ? file.name : "",
            // The bytes, not file.text(): the server detects the encoding (UTF-8 or GBK from Excel).
            csv: file instanceof File ? new Uint8Array(await file.arrayBuffer()) : "",
            budget: s("budget"),
            sceneId: s("sceneId") as BatchDryRunInput["sceneId"],
            sendName: s("sendName"),
            subject: s("subject"),
            body: s("body"),
            description: s("description"),
          };
          const res = await dryRunBatchAction(input);
          if (!res.ok) {
            setError(res.error);
            setFieldErrors(res.fieldErrors ?? {});
            return;
          }
          router.push(`/red-envelopes/batches/${res.data.id}`);
        });
      }}
    >
      <div className="md:col-span-2">
        <Field label={t("file")} htmlFor="file" error={fieldErrors.csv ?? fieldErrors.fileName}>
          <input id="file" name="file" type="file" accept=".csv,text/csv" required className="block text-sm" />
        </Field>
        <p className="mt-1 text-xs text-slate-500">
          {t("fileHint")}{" "}
          <a
            href="/api/red-envelopes/batches/template"
            download
            className="text-indigo-700 underline"
            data-testid="batch-template"
          >
            {t("template")}
          </a>
        </p>
      </div>
      <InputField
        label={t("budget")}
        id="budget"
        name="budget"
        inputMode="decimal"
        required
        error={fieldErrors.budget}
      />
      <EnvelopeTextFields fieldErrors={fieldErrors} />
      {error ? (
        <div className="md:col-span-2">
          <Alert tone="error">{error}</Alert>
        </div>
      ) : null}
      <div>
        <Button type="submit" disabled={pending}>
          {pending ? t("uploading") : t("upload")}
        </Button>
      </div>
    </form>
  );
}
