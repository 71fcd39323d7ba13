// The desk's sync state, shared by the sidebar's button and the Sincronizza screen. While the app
// is open it syncs by itself every few minutes (polling the folder: file watching is unreliable on
// network shares and USB sticks).
import { api, type SyncProgress, type SyncReport, type SyncStatus } from "./api";

const AUTO_SYNC_MS = 3 * 60 * 1000;

export const sync = $state({
  status: null as SyncStatus | null,
  running: false,
  progress: null as SyncProgress | null,
  report: null as SyncReport | null,
  error: null as unknown,
});

export async function refreshStatus(): Promise<void> {
  try {
    sync.status = await api.syncStatus();
  } catch (e) {
    sync.error = e;
  }
}

/** Runs one sync unless one is running; `quiet` keeps an automatic sync's report off the screen. */
export async function syncNow(quiet = false): Promise<void> {
  if (sync.running) return;
  sync.running = true;
  sync.progress = null;
  if (!quiet) sync.error = null;
  try {
    const report = await api.syncNow((p) => (sync.progress = p));
    if (!quiet || report.bundles_applied > 0 || report.gaps_filled.length > 0 || report.refused.length > 0) sync.report = report;
    sync.error = null;
  } catch (e) {
    sync.error = e;
  } finally {
    sync.running = false;
    sync.progress = null;
    await refreshStatus();
  }
}

let timer: ReturnType<typeof setInterval> | null = null;

export function startAutoSync(): void {
  if (timer) return;
  timer = setInterval(() => {
    if (sync.status?.enrolled && !sync.status.blocked) void syncNow(true);
  }, AUTO_SYNC_MS);
}
