import Link from "next/link";

/** A whole-page answer (404 not found, 403 forbidden): the code, what happened, a way home. */
export function StatusPage(props: { code?: 403 | 404; title: string; body: string; back: string; testId?: string }) {
  return (
    <main className="flex min-h-[60vh] items-center justify-center p-4" data-testid={props.testId}>
      <div className="max-w-md space-y-3 rounded-xl bg-white p-8 text-center shadow">
        {props.code && <p className="text-4xl font-semibold text-slate-500">{props.code}</p>}
        <h1 className="text-xl font-semibold">{props.title}</h1>
        <p className="text-slate-600">{props.body}</p>
        <Link href="/" className="text-indigo-600 hover:underline">
          {props.back}
        </Link>
      </div>
    </main>
  );
}
