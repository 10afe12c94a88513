import { describe, expect, it } from "vitest";

/**
 * CI runs the unit tests a second time on Node 24 (.ci/run, `npx -p node@24`) with
 * EXPECT_NODE_MAJOR=24: this proves that pass really ran on it (vitest's workers run on the Node
 * that started vitest).
 */
describe.runIf(process.env.EXPECT_NODE_MAJOR)("the Node the tests run on", () => {
  it(`is Node ${process.env.EXPECT_NODE_MAJOR} (${process.version})`, () => {
    expect(process.versions.node.split(".")[0]).toBe(process.env.EXPECT_NODE_MAJOR);
  });
});
