// The add-cluster wizard's state and calls. The rules are in wizard.ts; this
// class only feeds the reducer with what the backend answers. The secret
// lives here only between the form and the AddCluster answer.

import * as backend from './backend';
import { store } from './inventory.svelte';
import { toErrorInfo, type ClusterInput } from './types';
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

  /**
   * The input of the attempt under way, secret included, from "trust"
   * until AddCluster answers: the form's secret field is cleared at once,
   * but a cluster recognised as one with kept history waits for the
   * user's choice before it is added.
   */
  #pending: ClusterInput | null = null;

  /** Step 2 → 3: trusts the fingerprint shown, looks for kept history, and connects. */
  async trust(): Promise<void> {
    const probe = this.state.probe;
    if (!probe) return;
    if (this.#dispatch({ type: 'trust' }) !== 'connecting') return;
    this.#pending = this.#input();
    // The secret leaves the form now; it is not kept for a retry.
    this.secret = '';
    try {
      const kept = await backend.findKeptHistory(this.#pending, probe.certificate.fingerprint);
      if (this.#dispatch({ type: 'keptFound', kept }) === 'history') {
        this.attempts++;
        return; // the user chooses, then attach()
      }
    } catch (reason) {
      this.#forget();
      this.#dispatch({ type: 'addFailed', error: toErrorInfo(reason) });
      this.attempts++;
      return;
    }
    await this.#add(probe.certificate.fingerprint);
  }

  /** Takes back the kept history chosen ("" for none). */
  chooseHistory(id: string): void {
    this.#dispatch({ type: 'chooseHistory', id });
  }

  /** The history step's answer: connects with the history chosen. */
  async attach(): Promise<void> {
    const probe = this.state.probe;
    if (!probe || this.#dispatch({ type: 'attach' }) !== 'connecting') return;
    await this.#add(probe.certificate.fingerprint);
  }

  async #add(fingerprint: string): Promise<void> {
    const pending = this.#pending;
    if (!pending) return;
    const input: ClusterInput = this.state.history ? { ...pending, history: this.state.history } : { ...pending };
    try {
      const cluster = await backend.addCluster(input, fingerprint);
      this.#dispatch({ type: 'added', cluster });
      void store.reload();
    } catch (reason) {
      this.#dispatch({ type: 'addFailed', error: toErrorInfo(reason) });
    } finally {
      input.secret = '';
      this.#forget();
      this.attempts++;
    }
  }

  #forget(): void {
    if (this.#pending) this.#pending.secret = '';
    this.#pending = null;
  }

  back(): void {
    this.#dispatch({ type: 'back' });
  }

  /** Forgets everything, the secret included. */
  reset(): void {
    this.#forget();
    this.name = '';
    this.address = '';
    this.tokenId = '';
    this.secret = '';
    this.state = INITIAL_WIZARD;
  }
}
