// Booted apps shared by the spec files of one module registry: a bundle of test/bundles (several files, one
// worker) or a file run alone. A file that only reads, or writes only rows of its own (isolation by data, not
// by database), asks for one with sharedTestApp (app.ts); the first asker boots it, the others reuse it. No
// heavy import here: every bundle, unit ones included, loads this file.

interface Closable {
  close(): Promise<void>;
}

const apps = new Map<string, Promise<Closable>>();
let bundled = false;

/** Called by a bundle: apps then live until the bundle ends (closeSharedApps), whatever their users close. */
export function shareAcrossFiles(): void {
  bundled = true;
}

/** Whether a user's close() leaves the app to the bundle's end. */
export function sharedAcrossFiles(): boolean {
  return bundled;
}

/** The app under `key`, booted by `boot` on first use. */
export function sharedApp<T extends Closable>(key: string, boot: () => Promise<T>): Promise<T> {
  let app = apps.get(key);
  if (!app) {
    app = boot();
    apps.set(key, app);
    app.catch(() => apps.delete(key));
  }
  return app as Promise<T>;
}

/** Forgets the app under `key` (it was closed). */
export function forgetSharedApp(key: string): void {
  apps.delete(key);
}

export async function closeSharedApps(): Promise<void> {
  const all = [...apps.values()];
  apps.clear();
  await Promise.all(all.map(async (app) => (await app).close()));
}
