// The add-cluster wizard's state and calls. The rules are in wizard.ts; this
// class only feeds the reducer with what the backend answers. The secret
// lives here only between the form and the AddCluster answer.

import * as backend from './backend';
import { store } from './inventory.svelte';
import { toErrorInfo } from './types';
import {
  cleanInput,
  INITIAL_WIZARD,
  validateInput,
  wizardReducer,
  type WizardEvent,
  type WizardField,
  type WizardState,
} from './wizard';

export class Wizard {
  name = $state('');
  address = $state('');
  tokenId = $state('');
  secret = $state('');
  state = $state.raw<WizardState>(INITIAL_WIZARD);
  /** Bumped after every submit and trust answer: the view moves focus then. */
  attempts = $state(0);

  readonly step = $derived(this.state.step);
  readonly busy = $derived(this.state.step === 'probing' || this.state.step === 'connecting');

  /** Dispatches and answers the step it leads to. */
  #dispatch(event: WizardEvent): WizardState['step'] {
    this.state = wizardReducer(this.state, event);
    return this.state.step;
  }

  #input() {
    return cleanInput({ name: this.name, address: this.address, tokenId: this.tokenId, secret: this.secret });
  }

  /** A field changed: its error goes away until the next submit. */
  edited(field: WizardField): void {
    this.#dispatch({ type: 'edit', field });
  }

  setConfirmed(value: boolean): void {
    this.#dispatch({ type: 'confirm', value });
  }

  /** Step 1 → 2: checks the fields here, then asks the backend to probe. */
  async submit(): Promise<void> {
    if (this.state.step !== 'form') return;
    const errors = validateInput(this.#input(), store.clusters.map((c) => c.name));
    if (this.#dispatch({ type: 'submit', errors }) !== 'probing') {
      this.attempts++;
      return;
    }
    try {
      const probe = await backend.probeCluster(this.#input());
      this.#dispatch({ type: 'probed', probe });
    } catch (reason) {
      this.#dispatch({ type: 'probeFailed', error: toErrorInfo(reason) });
    }
    this.attempts++;
  }

  /** Step 2 → 3: trusts the fingerprint shown and connects. */
  async trust(): Promise<void> {
    const probe = this.state.probe;
    if (!probe) return;
    if (this.#dispatch({ type: 'trust' }) !== 'connecting') return;
    const input = this.#input();
    // The secret leaves the window once; it is not kept for a retry.
    this.secret = '';
    try {
      const cluster = await backend.addCluster(input, probe.certificate.fingerprint);
      this.#dispatch({ type: 'added', cluster });
      void store.reload();
    } catch (reason) {
      this.#dispatch({ type: 'addFailed', error: toErrorInfo(reason) });
    } finally {
      input.secret = '';
      this.attempts++;
    }
  }

  back(): void {
    this.#dispatch({ type: 'back' });
  }

  /** Forgets everything, the secret included. */
  reset(): void {
    this.name = '';
    this.address = '';
    this.tokenId = '';
    this.secret = '';
    this.state = INITIAL_WIZARD;
  }
}
