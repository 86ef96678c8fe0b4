// The move dialog's state and calls (rules in move.ts). The secret, when
// the user types one, lives here only until UpdateClusterEndpoint answers.

import * as backend from './backend';
import { store } from './inventory.svelte';
import { toErrorInfo } from './types';
import { checkMove, INITIAL_MOVE, moveReducer, type MoveEvent, type MoveField, type MoveState } from './move';

export class ClusterMove {
  address = $state('');
  secret = $state('');
  state = $state.raw<MoveState>(INITIAL_MOVE);
  readonly busy = $derived(this.state.step === 'probing' || this.state.step === 'saving');

  constructor(
    readonly clusterId: string,
    address: string,
  ) {
    this.address = address;
  }

  #dispatch(event: MoveEvent): MoveState['step'] {
    this.state = moveReducer(this.state, event);
    return this.state.step;
  }

  edited(field: MoveField): void {
    this.#dispatch({ type: 'edit', field });
  }

  setConfirmed(value: boolean): void {
    this.#dispatch({ type: 'confirm', value });
  }

  /** Reads the certificate at the address; no credential is sent. */
  async probe(): Promise<void> {
    if (this.state.step !== 'form') return;
    if (this.#dispatch({ type: 'submit', errors: checkMove(this.address, this.secret) }) !== 'probing') return;
    try {
      const probe = await backend.probeClusterAddress(this.clusterId, this.address.trim());
      this.#dispatch({ type: 'probed', probe });
    } catch (reason) {
      this.#dispatch({ type: 'probeFailed', error: toErrorInfo(reason) });
    }
  }

  /** Pins the fingerprint shown and moves the cluster there. */
  async save(): Promise<void> {
    const probe = this.state.probe;
    if (!probe || this.#dispatch({ type: 'save' }) !== 'saving') return;
    const secret = this.secret.trim();
    this.secret = '';
    try {
      const cluster = await backend.updateClusterEndpoint(this.clusterId, probe.endpoint, probe.certificate.fingerprint, secret);
      this.#dispatch({ type: 'saved', cluster });
      void store.reload();
    } catch (reason) {
      this.#dispatch({ type: 'saveFailed', error: toErrorInfo(reason) });
    }
  }

  back(): void {
    this.#dispatch({ type: 'back' });
  }
}
