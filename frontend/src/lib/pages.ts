// pages: the parts of the window that load on first use, each in a chunk of
// its own (components/Lazy.svelte shows them). The window's first screen, the
// inventory, needs none of them; noVNC comes with the console, uPlot with the
// guest and node pages. A loader keeps its promise, so a page opened twice is
// fetched and evaluated once.

const started: Promise<unknown>[] = [];

/** A Loader loads a page once; ready holds it from then on, for a synchronous first render. */
export interface Loader<T> {
  (): Promise<T>;
  ready?: T;
}

function once<T>(load: () => Promise<T>): Loader<T> {
  let p: Promise<T> | null = null;
  const loader: Loader<T> = () => {
    if (!p) {
      p = load().then((m) => (loader.ready = m));
      started.push(p);
    }
    return p;
  };
  return loader;
}

export const pages = {
  guest: once(() => import('../components/GuestPage.svelte')),
  node: once(() => import('../components/NodePage.svelte')),
  alerts: once(() => import('../components/AlertsPage.svelte')),
  settings: once(() => import('../components/SettingsPage.svelte')),
  console: once(() => import('../components/ConsoleView.svelte')),
};

/** pagesLoaded resolves once every page asked for so far has loaded (or failed). */
export async function pagesLoaded(): Promise<void> {
  await Promise.allSettled(started);
}
