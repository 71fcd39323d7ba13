// Where the operator is. One value, so the shell of the app can render the right screen.
export type Screen =
  | { name: "home" | "households" | "people" | "desk" | "import" | "sync" | "audit" | "settings" | "activities" | "courses" | "cases" | "plans" | "indicators" | "project" | "bundle" }
  | { name: "activity"; id: string }
  | { name: "activity-new" }
  | { name: "course"; id: string }
  | { name: "case"; id: string }
  | { name: "plan"; id: string }
  /** A new repayment plan, for a household if known. */
  | { name: "plan-new"; household?: string }
  /** A household's account with the ente gestore. */
  | { name: "account"; id: string }
  /** A new case for a person, perhaps from a desk contact. */
  | { name: "case-new"; person: string; contact?: string }
  /** Attendance entry for a sheet, by its code. */
  | { name: "attendance"; id: string }
  | { name: "household"; id: string }
  | { name: "person"; id: string }
  | { name: "household-new" }
  | { name: "duplicates" }
  | { name: "person-new"; household?: string }
  | { name: "person-edit"; id: string };

export type Go = (next: Screen) => void;

/** The navigation section a screen belongs to, for highlighting it. */
export function sectionOf(screen: Screen): string {
  switch (screen.name) {
    case "household":
    case "household-new":
      return "households";
    case "person-new":
      return screen.household ? "households" : "people";
    case "activity":
    case "activity-new":
    case "attendance":
      return "activities";
    case "course":
      return "courses";
    case "case":
    case "case-new":
      return "cases";
    case "plan":
    case "plan-new":
    case "account":
      return "plans";
    case "person":
    case "person-edit":
    case "duplicates":
      return "people";
    default:
      return screen.name;
  }
}
