import { describe, expect, it } from "vitest";
import { fenToDecimal, formatMoney, MAX_AMOUNT_FEN, parseYuan, parseYuanToFen } from "./money";
import zh from "./i18n/messages/zh-CN/core.json";
import en from "./i18n/messages/en/core.json";

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
    ["0", null],
    ["1,5", null], // not 15: a comma is a thousands separator or nothing
    ["12,34", null],
    ["1,2345", null],
    [",123", null],
    ["1,234,567.89", 123456789],
    ["1234567.89", 123456789],
    ["1 234", null],
    ["1，234", null],
    ["10000000", 1_000_000_000],
    ["10,000,000.00", 1_000_000_000],
    ["10000000.01", null],
    ["21474836.48", null],
    ["99999999999999999999999", null],
  ])("parses %j as %j fen", (input, fen) => {
    expect(parseYuanToFen(input)).toBe(fen);
  });

  it("says why an amount is refused: separators, too large, or not an amount", () => {
    expect(parseYuan("1,5")).toEqual({ ok: false, error: "amountSeparators" });
    expect(parseYuan("1,23,456")).toEqual({ ok: false, error: "amountSeparators" });
    expect(parseYuan("21,474,836.48")).toEqual({ ok: false, error: "amountTooLarge" });
    expect(parseYuan("99999999999999999999999")).toEqual({ ok: false, error: "amountTooLarge" });
    expect(parseYuan("abc")).toEqual({ ok: false, error: "amount" });
    expect(parseYuan("0")).toEqual({ ok: false, error: "amount" });
    expect(parseYuan("0", { allowZero: true })).toEqual({ ok: true, fen: 0 });
    expect(parseYuan("US$ 1,000")).toEqual({ ok: true, fen: 100_000 });
    // the limit the messages state is the one enforced
    expect(zh.validation.amountTooLarge).toContain(formatMoney(MAX_AMOUNT_FEN));
    expect(en.validation.amountTooLarge).toContain(formatMoney(MAX_AMOUNT_FEN));
  });

  it("formats fen for people, with the channel's currency", () => {
    expect(fenToDecimal(123456789)).toBe("1,234,567.89");
    expect(fenToDecimal(5)).toBe("0.05");
    expect(formatMoney(1, "cny")).toBe("¥0.01");
    expect(formatMoney(150000, "usd")).toBe("US$1,500.00");
    expect(formatMoney(-250)).toBe("-¥2.50");
  });
});
