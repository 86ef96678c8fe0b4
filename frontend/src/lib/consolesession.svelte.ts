// One console's connection: runs the actions of the state machine in
// console.ts. It asks the backend for a fresh ticket on every (re)connect,
// keeps the retry timer, and hands the URL to a driver, which ConsoleView
// provides: that component owns the noVNC client itself.

import * as backend from './backend';
import { initialState, step, type ConsoleAction, type ConsoleEvent, type ConsoleState } from './console';
import { toErrorInfo, type Console, type ConsoleEnded } from './types';

export interface ConsoleDriver {
  /** Makes the noVNC client for url; returns what removes its listeners and disconnects it. */
  connect(url: string): () => void;
}

export interface SessionDeps {
  now(): number;
  random(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(id: unknown): void;
}

const realDeps: SessionDeps = {
  now: () => Date.now(),
  random: () => Math.random(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
};

export class ConsoleSession {
  state = $state.raw<ConsoleState>(initialState());
  /** The last OpenConsole answer. */
  info = $state.raw<Console | null>(null);
  /** The name the VNC server gives its desktop. */
  desktopName = $state('');

  #deps: SessionDeps;
  #driver: ConsoleDriver | null = null;
  #disconnect: (() => void) | null = null;
  #timer: unknown = null;
  /** The session whose "console-ended" counts; kept after a drop until the next ticket. */
  #consoleId: string | null = null;
  /** Bumped by every action: a ticket that arrives after a newer action is thrown away. */
  #seq = 0;
  #unsubscribe: (() => void) | null = null;
  #guestRunning: boolean;
  #started = false;
  #stopped = false;

  constructor(
    readonly cluster: string,
    readonly guestId: string,
    guestRunning = true,
    deps: SessionDeps = realDeps,
  ) {
    this.#guestRunning = guestRunning;
    this.#deps = deps;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /** Connects through driver; call once, when the view is mounted. */
  start(driver: ConsoleDriver): void {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    this.#driver = driver;
    this.#unsubscribe = backend.onConsoleEnded((e) => this.#onEnded(e));
    this.dispatch({ type: 'open' });
  }

  dispatch(event: ConsoleEvent): void {
    if (this.#stopped) return;
    const [next, action] = step(this.state, event, {
      now: this.#deps.now(),
      random: this.#deps.random(),
      guestRunning: this.#guestRunning,
    });
    this.state = next;
    this.#run(action);
  }

  /** The Reconnect button. */
  reconnect(): void {
    this.dispatch({ type: 'open' });
  }

  /** What the inventory says; only changes are events. */
  setGuestRunning(running: boolean): void {
    if (running === this.#guestRunning) return;
    this.#guestRunning = running;
    this.dispatch({ type: running ? 'guestStarted' : 'guestStopped' });
  }

  /** Disconnects for good: the tab closed. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#seq++;
    this.#clearTimer();
    this.#drop();
    this.#release();
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#driver = null;
  }

  #onEnded(ended: ConsoleEnded): void {
    if (ended.id && ended.id === this.#consoleId) this.dispatch({ type: 'ended', error: ended.error });
  }

  #run(action: ConsoleAction): void {
    if (action.type === 'none') return;
    const seq = ++this.#seq;
    this.#clearTimer();
    this.#drop();
    switch (action.type) {
      case 'teardown':
        return;
      case 'schedule':
        this.#timer = this.#deps.setTimer(() => {
          this.#timer = null;
          this.dispatch({ type: 'retryDue' });
        }, action.delay);
        return;
      case 'connect':
        void this.#connect(seq);
        return;
    }
  }

  async #connect(seq: number): Promise<void> {
    this.#release();
    let opened: Console;
    try {
      opened = await backend.openConsole(this.cluster, this.guestId);
    } catch (reason) {
      if (seq === this.#seq) this.dispatch({ type: 'ticketFailed', error: toErrorInfo(reason) });
      return;
    }
    if (seq !== this.#seq || !this.#driver) {
      // Closed or superseded while the ticket was on its way.
      void backend.closeConsole(opened.id).catch(() => {});
      return;
    }
    this.#consoleId = opened.id;
    this.info = opened;
    try {
      this.#disconnect = this.#driver.connect(opened.url);
    } catch (reason) {
      this.dispatch({ type: 'ticketFailed', error: toErrorInfo(reason) });
    }
  }

  #drop(): void {
    const disconnect = this.#disconnect;
    this.#disconnect = null;
    disconnect?.();
  }

  /** Lets the Go side forget the previous session. */
  #release(): void {
    const id = this.#consoleId;
    this.#consoleId = null;
    if (id) void backend.closeConsole(id).catch(() => {});
  }

  #clearTimer(): void {
    if (this.#timer !== null) this.#deps.clearTimer(this.#timer);
    this.#timer = null;
  }
}
