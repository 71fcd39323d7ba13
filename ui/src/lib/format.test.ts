import { describe, expect, it } from "vitest";
import { figure, moneyInput } from "./format";

describe("money in a form", () => {
  it("writes cents as the core reads them back", () => {
    expect(moneyInput(123456)).toBe("1234,56");
    expect(moneyInput(5)).toBe("0,05");
    expect(moneyInput(200000)).toBe("2000,00");
  });
  it("shows a figure in its unit", () => {
    expect(figure("centesimi", 812000)).toBe("8.120,00 EUR");
    expect(figure("nuclei", 1234)).toBe("1.234");
  });
});
