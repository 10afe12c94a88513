/**
 * Next.js runs register() once when a server process starts, before it serves a request
 * (`npm start`, the Docker image, `npm run dev`). The console's start-up work is in lib/startup.ts:
 * configuration check, Ping++ sandbox (no key), migrations, first admin, background scheduler.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return; // the start-up work needs Node.js (database, sandbox)
  const { startConsole } = await import("./lib/startup");
  await startConsole();
}
