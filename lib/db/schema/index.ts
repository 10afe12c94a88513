/** The Drizzle schema, one file per capability (DESIGN §3). */
export * from "./staff";
export * from "./charges";
