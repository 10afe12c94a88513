import { describe, expect, it } from "vitest";
import { fenToDecimal, formatMoney, parseYuanToFen } from "./money";

describe("money", () => {
  it.each([
    ["12", 1200],
    ["12.3", 1230],
    ["12.34", 1234],
    ["0.01", 1],
    ["1,234.50", 123450],
    ["¥8", 800],
    [" 0.10 ", 10],
    ["0.29", 29], // 0.29 * 100 = 28.999999999999996 in floating point
    ["1.005", null],
    ["-1", null],
    ["1e3", null],
    ["abc", null],
    ["", null],
    ["12.", null],
  ])("parses %j as %j fen", (input, fen) => {
    expect(parseYuanToFen(input)).toBe(fen);
  });

  it("formats fen for people, with the channel's currency", () => {
    expect(fenToDecimal(123456789)).toBe("1,234,567.89");
    expect(fenToDecimal(5)).toBe("0.05");
    expect(formatMoney(1, "cny")).toBe("¥0.01");
    expect(formatMoney(150000, "usd")).toBe("US$1,500.00");
    expect(formatMoney(-250)).toBe("-¥2.50");
  });
});
