import { ErrorNotice } from "@/components/ErrorNotice";
import { toProblem } from "@/lib/problem";

/** A page whose data could not be loaded: the reason in plain words, with the reference. */
export function LoadFailed({ title, error }: { title: string; error: unknown }) {
  return (
    <main id="main">
      <h1>{title}</h1>
      <ErrorNotice problem={toProblem(error)} />
    </main>
  );
}
