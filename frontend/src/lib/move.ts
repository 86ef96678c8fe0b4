// Moving a cluster: a new address (or the same one after a reinstall) and
// its certificate, confirmed as in the add-cluster wizard, while the
// cluster keeps its ID and history. The step machine, pure and unit-tested;
// MoveClusterDialog.svelte renders it, move.svelte.ts feeds it.

import { checkAddress, checkSecret, fieldErrorOf, type FieldReason } from './wizard';
import type { ClusterState, ErrorInfo, Probe } from './types';

export type MoveStep = 'form' | 'probing' | 'certificate' | 'saving' | 'done';
export type MoveField = 'address' | 'secret';

export interface MoveState {
  step: MoveStep;
  fieldErrors: Partial<Record<MoveField, string>>;
  /** For an address that answers as another cluster: the name it gave. */
  found: string;
  /** An error that belongs to no field (network, fingerprint, keychain…). */
  error: ErrorInfo | null;
  probe: Probe | null;
  /** The user ticked "I compared the fingerprint". */
  confirmed: boolean;
  result: ClusterState | null;
}

export const INITIAL_MOVE: MoveState = Object.freeze({
  step: 'form',
  fieldErrors: {},
  found: '',
  error: null,
  probe: null,
  confirmed: false,
  result: null,
}) as MoveState;

export type MoveEvent =
  | { type: 'submit'; errors: Partial<Record<MoveField, string>> }
  | { type: 'probed'; probe: Probe }
  | { type: 'probeFailed'; error: ErrorInfo }
  | { type: 'confirm'; value: boolean }
  | { type: 'save' }
  | { type: 'saved'; cluster: ClusterState }
  | { type: 'saveFailed'; error: ErrorInfo }
  | { type: 'edit'; field: MoveField }
  | { type: 'back' };

/** The form's own checks: the address as the wizard checks it; the secret only when given. */
export function checkMove(address: string, secret: string): Partial<Record<MoveField, FieldReason>> {
  const errors: Partial<Record<MoveField, FieldReason>> = {};
  const a = checkAddress(address);
  if (a) errors.address = a;
  if (secret.trim() !== '') {
    const s = checkSecret(secret);
    if (s) errors.secret = s;
  }
  return errors;
}

function fieldOf(error: ErrorInfo): { field: MoveField; reason: string } | null {
  const fe = fieldErrorOf(error);
  return fe && (fe.field === 'address' || fe.field === 'secret') ? { field: fe.field, reason: fe.reason } : null;
}

export function moveReducer(state: MoveState, event: MoveEvent): MoveState {
  switch (event.type) {
    case 'submit':
      if (state.step !== 'form') return state;
      if (Object.keys(event.errors).length > 0) return { ...state, fieldErrors: event.errors, error: null };
      return { ...state, step: 'probing', fieldErrors: {}, error: null };
    case 'probed':
      if (state.step !== 'probing') return state;
      return { ...state, step: 'certificate', probe: event.probe, confirmed: false };
    case 'probeFailed': {
      if (state.step !== 'probing') return state;
      const fe = fieldOf(event.error);
      if (fe) return { ...state, step: 'form', fieldErrors: { [fe.field]: fe.reason } };
      return { ...state, step: 'form', error: event.error };
    }
    case 'confirm':
      if (state.step !== 'certificate') return state;
      return { ...state, confirmed: event.value };
    case 'save':
      if (state.step !== 'certificate' || !state.confirmed || !state.probe) return state;
      return { ...state, step: 'saving', error: null };
    case 'saved':
      if (state.step !== 'saving') return state;
      return { ...state, step: 'done', result: event.cluster };
    case 'saveFailed': {
      if (state.step !== 'saving') return state;
      // Back to the form in every case: a new probe shows the certificate
      // as it is now.
      const back = { ...state, step: 'form' as const, probe: null, confirmed: false };
      const fe = fieldOf(event.error);
      if (fe) return { ...back, fieldErrors: { [fe.field]: fe.reason }, found: event.error.params?.found ?? '' };
      return { ...back, error: event.error };
    }
    case 'edit': {
      if (!state.fieldErrors[event.field]) return state;
      const fieldErrors = { ...state.fieldErrors };
      delete fieldErrors[event.field];
      return { ...state, fieldErrors };
    }
    case 'back':
      if (state.step !== 'certificate') return state;
      return { ...state, step: 'form', probe: null, confirmed: false };
  }
}

/** What the address field starts with: the cluster's current host:port. */
export function initialAddress(endpoint: string): string {
  try {
    return new URL(endpoint).host || endpoint;
  } catch {
    return endpoint;
  }
}
