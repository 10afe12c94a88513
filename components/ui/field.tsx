import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes } from "react";

export const inputClass =
  "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm placeholder:text-slate-400 focus:border-indigo-500 aria-[invalid=true]:border-rose-500";

export function Field({
  label,
  error,
  htmlFor,
  children,
}: {
  label: ReactNode;
  error?: string;
  htmlFor: string;
  children: ReactNode;
}) {
  return (
    <div className="space-y-1">
      <label htmlFor={htmlFor} className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      {children}
      {error ? (
        <p id={`${htmlFor}-error`} className="text-sm text-rose-600" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function Input({ invalid, ...props }: InputHTMLAttributes<HTMLInputElement> & { invalid?: boolean }) {
  return (
    <input
      aria-invalid={invalid || undefined}
      aria-describedby={invalid ? `${props.id}-error` : undefined}
      className={inputClass}
      {...props}
    />
  );
}

/** A labelled input: `id` ties the label, the input and the error under it (`${id}-error`). */
export function InputField({
  label,
  error,
  id,
  ...props
}: InputHTMLAttributes<HTMLInputElement> & { label: ReactNode; error?: string; id: string }) {
  return (
    <Field label={label} htmlFor={id} error={error}>
      <Input id={id} invalid={!!error} {...props} />
    </Field>
  );
}

/** A required note (500 characters at most), e.g. in a confirm dialog. */
export function NoteField({
  label,
  value,
  onChange,
}: {
  label: ReactNode;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <label className="block space-y-1">
      <span>{label}</span>
      <textarea
        className={inputClass}
        rows={3}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        maxLength={500}
        required
      />
    </label>
  );
}

export function Select(props: SelectHTMLAttributes<HTMLSelectElement>) {
  return <select className={inputClass} {...props} />;
}
