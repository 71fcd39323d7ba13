import { describe, expect, it } from "vitest";
import { monthDays, monthName, monthRange, shiftMonth } from "./month";

describe("months", () => {
  it("walk across years", () => {
    expect(shiftMonth("2026-12", 1)).toBe("2027-01");
    expect(shiftMonth("2026-01", -1)).toBe("2025-12");
    expect(shiftMonth("2026-03", -14)).toBe("2025-01");
  });

  it("end on their last day, leap years included", () => {
    expect(monthRange("2024-02")).toEqual(["2024-02-01", "2024-02-29"]);
    expect(monthRange("2026-02")).toEqual(["2026-02-01", "2026-02-28"]);
    expect(monthRange("2026-12")).toEqual(["2026-12-01", "2026-12-31"]);
  });

  it("are drawn as whole weeks from Monday, every day once", () => {
    for (const month of ["2026-02", "2026-03", "2026-11", "2026-12", "2027-02", "2021-02"]) {
      const weeks = monthDays(month);
      const days = weeks.flat();
      expect(weeks.every((w) => w.length === 7)).toBe(true);
      expect(new Date(`${days[0].iso}T00:00:00Z`).getUTCDay()).toBe(1);
      const inMonth = days.filter((d) => d.inMonth).map((d) => d.iso);
      const [first, last] = monthRange(month);
      expect(inMonth[0]).toBe(first);
      expect(inMonth[inMonth.length - 1]).toBe(last);
      expect(new Set(inMonth).size).toBe(Number(last.slice(8)));
      expect(weeks[weeks.length - 1].some((d) => d.inMonth)).toBe(true);
    }
    // February 2021 starts on a Monday and has exactly four weeks.
    expect(monthDays("2021-02")).toHaveLength(4);
  });

  it("are named in the operator's language", () => {
    expect(monthName("2026-12", "it")).toBe("dicembre 2026");
    expect(monthName("2026-12", "en")).toBe("December 2026");
  });
});
