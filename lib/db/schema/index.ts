/** The Drizzle schema, one file per capability (ARCHITECTURE.md §2). */
export * from "./staff";
export * from "./charges";
export * from "./orders";
export * from "./settlements";
export * from "./red-envelopes";
export * from "./operations";
export * from "./jobs";
export * from "./settings";
export * from "./reconciliation";
