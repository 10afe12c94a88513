/**
 * The ceiling starts nothing: without this file Next.js 16 builds the console's own
 * instrumentation.ts (the repository root's: config check, migrations, sandbox, scheduler) into
 * this app, and its start-up then fails here (no drizzle/ folder) and ends the process.
 */
export function register(): void {}
