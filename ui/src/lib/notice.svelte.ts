// The one place a screen says that something was saved: `announce` shows the sentence at the foot
// of the window (lib/Saved.svelte, mounted once by App), whatever the scroll and even after the
// screen changed (a form that saves and goes back to the household page still says so); choosing
// another section from the menu clears it.

export const notice = $state<{ message: string | null; count: number }>({ message: null, count: 0 });

export function announce(message: string) {
  notice.message = message;
  notice.count++;
}

export function silence() {
  notice.message = null;
}
