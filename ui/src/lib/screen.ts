// Where the operator is. One value, so the shell of the app can render the right screen.
export type Screen =
  | { name: "home" | "households" | "people" | "desk" | "import" | "settings" }
  | { name: "household"; id: string }
  | { name: "person"; id: string };

export type Go = (next: Screen) => void;
