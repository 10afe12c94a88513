"use client";
import { useTranslations } from "next-intl";
import { RED_ENVELOPE_SCENES } from "@/lib/validations/red-envelope-fields";
import { Field, Input, Select } from "@/components/ui/field";

const TEXT_FIELDS = ["sendName", "subject", "body", "description"] as const;

/** What a single send and a batch share: the scene and the four texts (with their defaults). */
export function EnvelopeTextFields({ fieldErrors }: { fieldErrors: Record<string, string> }) {
  const t = useTranslations("redEnvelopes");
  return (
    <>
      <Field label={t("scene")} htmlFor="sceneId" error={fieldErrors.sceneId}>
        <Select id="sceneId" name="sceneId" defaultValue="">
          <option value="">{t("noScene")}</option>
          {RED_ENVELOPE_SCENES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </Select>
      </Field>
      {TEXT_FIELDS.map((f) => (
        <Field key={f} label={t(f)} htmlFor={f} error={fieldErrors[f]}>
          <Input
            id={f}
            name={f}
            required
            defaultValue={t(`default${f[0]!.toUpperCase()}${f.slice(1)}`)}
            invalid={!!fieldErrors[f]}
          />
        </Field>
      ))}
    </>
  );
}
