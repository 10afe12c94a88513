import { closeDb, dbKind } from "../lib/db";

const kind = await dbKind();
console.log(`Migrations applied (${kind}).`);
await closeDb();
