// The screens and how each is shown: the code to load (each screen is its own chunk, loaded when
// first opened and fetched after sign-in, so the sign-in screen paints without parsing the whole
// app) and the props it gets from where the operator is.
import type { Component } from "svelte";
import type { Go, Screen } from "./screen";

type Props = Record<string, unknown>;

interface Route<S extends Screen> {
  // Each screen's props differ; `props` below is what gives each its own.
  load: () => Promise<{ default: Component<any> }>;
  props: (screen: S, go: Go) => Props;
}

type Routes = { [N in Screen["name"]]: Route<Extract<Screen, { name: N }>> };

const withGo = (_: Screen, go: Go): Props => ({ go });
const alone = (): Props => ({});

export const routes: Routes = {
  home: { load: () => import("../screens/Home.svelte"), props: withGo },
  households: { load: () => import("../screens/Households.svelte"), props: withGo },
  household: { load: () => import("../screens/Household.svelte"), props: (s, go) => ({ id: s.id, go }) },
  "household-new": { load: () => import("../screens/HouseholdNew.svelte"), props: withGo },
  people: { load: () => import("../screens/People.svelte"), props: withGo },
  person: { load: () => import("../screens/Person.svelte"), props: (s, go) => ({ id: s.id, go }) },
  "person-new": {
    load: () => import("../screens/PersonEdit.svelte"),
    props: (s, go) => ({ household: s.household ?? null, go }),
  },
  "person-edit": { load: () => import("../screens/PersonEdit.svelte"), props: (s, go) => ({ id: s.id, go }) },
  duplicates: { load: () => import("../screens/Duplicates.svelte"), props: withGo },
  desk: { load: () => import("../screens/Desk.svelte"), props: withGo },
  settings: { load: () => import("../screens/Settings.svelte"), props: alone },
  import: { load: () => import("../screens/Import.svelte"), props: alone },
  sync: { load: () => import("../screens/Sync.svelte"), props: alone },
  audit: { load: () => import("../screens/Audit.svelte"), props: alone },
  activities: { load: () => import("../screens/Activities.svelte"), props: withGo },
  activity: { load: () => import("../screens/Activity.svelte"), props: (s, go) => ({ id: s.id, go }) },
  "activity-new": { load: () => import("../screens/ActivityNew.svelte"), props: withGo },
  courses: { load: () => import("../screens/Courses.svelte"), props: withGo },
  course: { load: () => import("../screens/Course.svelte"), props: (s, go) => ({ id: s.id, go }) },
  cases: { load: () => import("../screens/Cases.svelte"), props: withGo },
  case: { load: () => import("../screens/Case.svelte"), props: (s, go) => ({ id: s.id, go }) },
  "case-new": {
    load: () => import("../screens/CaseNew.svelte"),
    props: (s, go) => ({ person: s.person, contact: s.contact ?? null, go }),
  },
  plans: { load: () => import("../screens/Plans.svelte"), props: withGo },
  plan: { load: () => import("../screens/Plan.svelte"), props: (s, go) => ({ id: s.id, go }) },
  "plan-new": { load: () => import("../screens/PlanNew.svelte"), props: (s, go) => ({ household: s.household ?? null, go }) },
  account: { load: () => import("../screens/Account.svelte"), props: (s, go) => ({ id: s.id, go }) },
  indicators: { load: () => import("../screens/Indicators.svelte"), props: withGo },
  project: { load: () => import("../screens/Project.svelte"), props: withGo },
  bundle: { load: () => import("../screens/Bundle.svelte"), props: alone },
  attendance: { load: () => import("../screens/Attendance.svelte"), props: (s, go) => ({ code: s.id, go }) },
};

/** The props of the screen the operator is on. */
export function propsOf(screen: Screen, go: Go): Props {
  return (routes[screen.name] as Route<Screen>).props(screen, go);
}

/** A screen starts afresh when this changes: another screen, or the same screen for another record. */
export function keyOf(screen: Screen): string {
  return "id" in screen ? `${screen.name}:${screen.id}` : screen.name;
}
