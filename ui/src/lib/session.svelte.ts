// Who is signed in, and the lock. The shell closes the database on `lock` (and by itself after
// the idle limit); the window locks too after the same time without a key press or a click.
import { api, mark, onLocked, type Door, type Me } from "./api";
import { silence } from "./notice.svelte";

export const session = $state<{ door: Door | null; me: Me | null; locked: boolean }>({
  door: null,
  me: null,
  locked: false,
});

/** Minutes without activity before the window locks (the shell enforces the same limit). */
const IDLE_MINUTES = 10;
let timer: ReturnType<typeof setTimeout> | undefined;

// Any command answering "locked" (the shell's own idle limit) brings back the sign-in screen.
onLocked(() => {
  clearTimeout(timer);
  session.me = null;
  session.locked = true;
  silence();
  void loadDoor().catch(() => undefined);
});

export async function loadDoor(): Promise<void> {
  mark("asking");
  session.door = await api.door();
  mark("door");
  session.me = session.door.me;
}

export function signedIn(me: Me): void {
  session.me = me;
  session.locked = false;
  touch();
}

/** Work a screen must finish before the lock closes the database (keeping a half-typed form). */
export const beforeLock = new Set<() => Promise<unknown>>();

export async function lock(): Promise<void> {
  clearTimeout(timer);
  await Promise.all([...beforeLock].map((flush) => flush().catch(() => undefined)));
  await api.lock().catch(() => undefined);
  session.me = null;
  session.locked = true;
  await loadDoor().catch(() => undefined);
}

/** Restarts the idle countdown; called on every key press and click. */
export function touch(): void {
  clearTimeout(timer);
  if (session.me) timer = setTimeout(() => void lock(), IDLE_MINUTES * 60 * 1000);
}
