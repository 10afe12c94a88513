import { withActor } from "@/lib/auth/route";
import { overviewStats, type OverviewPoll } from "@/lib/services/overview";
import { periodSchema } from "@/lib/validations/operations";
import { addDays, shanghaiDayEnd, shanghaiDayStart, shanghaiToday } from "@/lib/dates";

export const dynamic = "force-dynamic";

/**
 * The overview's live counters, polled every few seconds. Without from/to: today, named by this server's clock on
 * each request, so a page left open past midnight in Asia/Shanghai counts the new day. The answer carries that date
 * (`today`): the page re-renders its period when it moves on (lib/overview-period.ts).
 */
export async function GET(req: Request) {
  const parsed = periodSchema.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success)
    return Response.json({ error: "invalid_date" }, { status: 400, headers: { "cache-control": "no-store" } });
  const q = parsed.data;
  const today = shanghaiToday();
  const from = q.from ?? today;
  const to = q.to ?? today;
  if (addDays(from, 366) < to) return Response.json({ error: "period_too_long" }, { status: 400 });
  return withActor(
    "console.enter",
    async (actor): Promise<OverviewPoll> => ({
      ...(await overviewStats(actor, { from: shanghaiDayStart(from), to: shanghaiDayEnd(to) })),
      today,
    }),
    { req },
  );
}
