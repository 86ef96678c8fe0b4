// A ticking "now" for relative times ("updated 3 s ago").

let now = $state(Date.now());

export function clockNow(): number {
  return now;
}

/** Ticks every interval ms until the returned function is called. */
export function startClock(interval = 1000): () => void {
  now = Date.now();
  const id = setInterval(() => (now = Date.now()), interval);
  return () => clearInterval(id);
}
