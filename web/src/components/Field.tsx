import { useId, type InputHTMLAttributes } from "react";

type Props = InputHTMLAttributes<HTMLInputElement> & {
  label: string;
  name: string;
  hint?: string;
  /** Field errors of the last answer, keyed by field name (422 envelopes). */
  errors?: Record<string, string>;
  /** The API's name for this field when it differs from the input's name. */
  apiName?: string;
};

/** A labelled input whose API error, if any, is announced and tied to it. */
export function Field({ label, name, hint, errors, apiName, ...input }: Props) {
  const id = useId();
  const error = errors?.[apiName ?? name];
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ");
  return (
    <div>
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      <input
        id={id}
        name={name}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy || undefined}
        {...input}
      />
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}
