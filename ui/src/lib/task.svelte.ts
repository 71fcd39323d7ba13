import { tick } from "svelte";
import { isUiError } from "./api";

// What a screen is doing: whether it is busy, and the error of its last attempt, for its banner.
// One helper instead of a try/catch/finally in every screen.

export class Task {
  busy = $state(false);
  error = $state<unknown>(null);

  /** Runs `work` with the screen busy; its error is kept for the banner. Returns the result, or
   *  `undefined` when it failed. */
  async run<T>(work: () => Promise<T>): Promise<T | undefined> {
    this.busy = true;
    this.error = null;
    try {
      return await work();
    } catch (e) {
      this.error = e;
      if (isUiError(e) && e.kind === "invalid") void showWrongField();
      return undefined;
    } finally {
      this.busy = false;
    }
  }
}

/** The one way a field error is shown: once the screen has drawn the field's message, focus goes
 *  to the first field marked wrong, so the operator reads the sentence and types the fix there. */
export async function showWrongField() {
  await tick();
  document.querySelector<HTMLElement>('.work [aria-invalid="true"]')?.focus();
}
